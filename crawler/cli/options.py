"""What the click commands share: options declared once, the one-line failure, date and ``-s NAME=VALUE`` parsing,
the project's setting values (read without importing Scrapy) and the quick exit."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import click

from crawler import settings as defaults


class Failure(click.ClickException):
    """A run that failed: one line on stderr, exit code 1, no traceback."""

    def show(self, file=None):
        click.echo(f"newsarchive: error: {self.format_message()}", err=True, file=file)


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=name) from None


def check_http_url(value: str | None, name: str) -> str | None:
    """An http(s) URL option as given (None or '' pass: default or off); a one-line usage error otherwise."""
    from urllib.parse import urlsplit

    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"expected an http(s) URL, got {value!r}", param_hint=name)
    return value


def parse_settings(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        out.append((name.strip(), value))
    return tuple(out)


def setting(pairs, name: str, kind=str):
    """A setting's value as a command sees it: its ``-s`` pair when given, else ``crawler.settings``' default."""
    given = dict(pairs)
    if name not in given:
        return getattr(defaults, name)
    value = given[name]
    if kind is bool:
        return str(value).strip().lower() not in ("0", "false", "no", "off", "")
    return kind(value)


def log_path(db: str) -> str:
    """Scrapy's log of a run goes beside the database: <db dir>/logs/crawl-<UTC time>.log."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return str(Path(db).resolve().parent / "logs" / f"crawl-{stamp}.log")


def _options(*decorators):
    """One decorator applying ``decorators`` in order (a group of options declared once, as sqlite-utils does)."""
    def apply(fn):
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn
    return apply


db_option = click.option("--db", default=defaults.NEWSARCHIVE_DB, show_default=True,
                         type=click.Path(dir_okay=False), help="SQLite archive [env NEWSARCHIVE_DB].")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (for cron).")
settings_option = click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
                               help="Scrapy setting (repeatable).")
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log on stderr.")
range_options = _options(
    click.option("--from", "start", help="First day, YYYY-MM-DD."),
    click.option("--to", "end", help="Last day, YYYY-MM-DD."))

# Options of every command that runs a crawler (crawl, update, worker).
crawler_options = _options(
    click.option("--wiki-api", envvar="NEWSARCHIVE_WIKI_API",
                 help=f"MediaWiki API URL [env NEWSARCHIVE_WIKI_API; default {defaults.NEWSARCHIVE_WIKI_API}]."),
    click.option("--contact", envvar="NEWSARCHIVE_CONTACT", help="Contact URL or e-mail put in the User-Agent."),
    click.option("--wayback-url", envvar="NEWSARCHIVE_WAYBACK_URL",
                 help="Wayback Machine base URL for dead sources ('' switches recovery off) "
                      f"[default {defaults.NEWSARCHIVE_WAYBACK_URL}]."),
    settings_option, verbose_option)

# Options of the commands that crawl into an archive (crawl, update).
archive_crawl_options = _options(
    db_option, crawler_options,
    click.option("--no-sources", is_flag=True, help="Walk only the portal; do not fetch cited sources."),
    click.option("--warc", "warc_dir", type=click.Path(file_okay=False),
                 help="Write every HTTP exchange to WARC files in DIR."),
    click.option("--replay", multiple=True, type=click.Path(exists=True),
                 help="Serve every download from these WARC files/dirs instead of the network (repeatable)."),
    click.option("--wikidata", is_flag=True,
                 help="Also fetch the resolved entities' Wikidata labels, descriptions, types and countries."),
    quiet_option)


def check_endpoints(wiki_api: str | None, wayback_url: str | None) -> None:
    check_http_url(wiki_api, "--wiki-api")
    check_http_url(wayback_url, "--wayback-url")


def exit_now(code) -> None:
    """End the process as ``sys.exit(code)`` would, without the interpreter's teardown.

    With Scrapy loaded, freeing every module and object at exit costs a noticeable part of a second, paid by every
    cron run. The atexit handlers still run first (logging's flush, multiprocessing's joins), then the standard
    streams are flushed; only the freeing is skipped. Commands close the files and databases they write.
    """
    import atexit
    import os
    import sys

    if isinstance(code, str):  # SystemExit("message"): printed, exit status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)
