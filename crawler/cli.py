"""The ``newsarchive`` command: thin click wrappers over the crawler's modules."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import click

DEFAULT_DB = "output/archive.db"


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


def parse_settings(pairs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        out.append((name.strip(), value))
    return tuple(out)


db_option = click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite archive to read and write.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsarchive")
def main():
    """newsarchive: a news-event archive from Wikipedia's Current Events portal and its cited sources."""


@main.command()
@click.option("--from", "start", help="First day, YYYY-MM-DD.")
@click.option("--to", "end", help="Last day, YYYY-MM-DD (default: the first day).")
@click.option("--date", "one_day", help="A single day, YYYY-MM-DD.")
@db_option
@click.option("--wiki-api", envvar="NEWSARCHIVE_WIKI_API", help="MediaWiki API URL "
              "[env NEWSARCHIVE_WIKI_API; default https://en.wikipedia.org/w/api.php].")
@click.option("--contact", envvar="NEWSARCHIVE_CONTACT", help="Contact URL or e-mail put in the User-Agent.")
@click.option("--no-sources", is_flag=True, help="Walk only the portal; do not fetch cited sources.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (for cron).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
def crawl(start, end, one_day, db, wiki_api, contact, no_sources, settings, quiet, verbose):
    """Crawl the portal's day pages (and their sources) for a range of days."""
    from crawler.runner import CrawlOptions

    first = parse_date(start or one_day, "--from/--date")
    if first is None:
        raise click.UsageError("give --from DATE [--to DATE] or --date DATE")
    last = parse_date(end, "--to") or (parse_date(one_day, "--date") if one_day else first)
    if last < first:
        raise click.BadParameter(f"{last} is before {first}", param_hint="--to")
    opts = CrawlOptions(start=first, end=last, db=db, wiki_api=wiki_api, contact=contact,
                        follow_sources=not no_sources, settings=parse_settings(settings),
                        log_level="INFO" if verbose else "ERROR")
    _run_and_report(opts, quiet)


def _run_and_report(opts, quiet: bool) -> None:
    from crawler.progress import CrawlProgress
    from crawler.runner import run_crawl

    total_days = (opts.end - opts.start).days + 1
    with CrawlProgress(total_days, enabled=not quiet and sys.stderr.isatty()) as progress:
        try:
            outcome = run_crawl(opts, on_item=progress.on_item)
        except KeyboardInterrupt:
            raise Failure("interrupted; run the same command again to continue") from None
    c = outcome.counts
    if outcome.finish_reason not in ("finished",):
        raise Failure(f"crawl ended early ({outcome.finish_reason}); {c['days']} of {total_days} days stored")
    if c["days"] and c["days_failed"] == c["days"]:
        first_error = progress.first_error or "see `newsarchive status`"
        raise Failure(f"no day page could be read from the wiki API ({first_error})")
    if not quiet:
        click.echo(
            f"{c['days']} days ({c['days_missing']} missing, {c['days_failed']} failed, "
            f"{c['days_unchanged']} unchanged), {c['events']} events stored; "
            f"sources: {c['sources_fetched']} fetched, {c['sources_ok']} ok, {c['sources_failed']} failed "
            f"→ {opts.db}")


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def status(db, as_json):
    """Counts, covered range, days per year, sources by status and the last runs."""
    from crawler.storage.runs import status_summary
    from crawler.storage.schema import open_db

    if not Path(db).exists():
        raise Failure(f"no archive at {db}; run `newsarchive crawl` first")
    summary = status_summary(open_db(db))
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    from crawler.progress import print_status

    print_status(summary, db)


@main.command("parse-day")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--date", "day", help="The day (default: read from the page's template).")
def parse_day_cmd(file, day):
    """Print the events of a saved day page (.wiki or .html) as JSON lines."""
    from crawler.portal import PortalParseError, parse_day_file

    try:
        events = parse_day_file(Path(file), day=parse_date(day, "--date"))
    except PortalParseError as err:
        raise Failure(f"{file}: {err}") from None
    except UnicodeDecodeError as err:
        raise Failure(f"{file}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    out = sys.stdout
    for ev in events:
        out.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")


def yesterday() -> date:
    return date.today() - timedelta(days=1)


if __name__ == "__main__":
    main()
