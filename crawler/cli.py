"""The ``newsarchive`` command: thin click wrappers over the crawler's modules."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from crawler.cliutil import DEFAULT_DB, Failure, check_http_url, exit_now, parse_date, parse_settings  # noqa: F401 (used by commands)

db_option = click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite archive to read and write.")


class _Commands(click.Group):
    """Every command: an archive SQLite cannot use is a one-line error, whichever command opened it."""

    def invoke(self, ctx):
        from crawler.storage.errors import UnreadableArchive

        try:
            return super().invoke(ctx)
        except UnreadableArchive as err:
            raise Failure(str(err)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--wayback-url", envvar="NEWSARCHIVE_WAYBACK_URL",
              help="Wayback Machine base URL for dead sources ('' switches recovery off) "
                   "[default https://web.archive.org].")
@click.option("--warc", "warc_dir", type=click.Path(file_okay=False), help="Write every HTTP exchange to WARC files in DIR.")
@click.option("--replay", multiple=True, type=click.Path(exists=True),
              help="Serve every download from these WARC files/dirs instead of the network (repeatable).")
@click.option("--redis", "redis_url", help="Distributed: seed the range into this Redis frontier and return.")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (for cron).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
def crawl(start, end, one_day, db, wiki_api, contact, no_sources, wayback_url, warc_dir, replay, redis_url, settings,
          quiet, verbose):
    """Crawl the portal's day pages (and their sources) for a range of days."""
    first = parse_date(start or one_day, "--from/--date")
    if first is None:
        raise click.UsageError("give --from DATE [--to DATE] or --date DATE")
    last = parse_date(end, "--to") or (parse_date(one_day, "--date") if one_day else first)
    if last < first:
        raise click.BadParameter(f"{last} is before {first}", param_hint="--to")
    check_http_url(wiki_api, "--wiki-api")
    check_http_url(wayback_url, "--wayback-url")
    if redis_url:
        from crawler.distributed.commands import seed_command

        per_request = int(dict(parse_settings(settings)).get("NEWSARCHIVE_TITLES_PER_REQUEST", 50))
        seed_command(redis_url, first, last, db, quiet, per_request)
        return
    pairs = parse_settings(settings)
    start_pool_early(no_sources, pairs)
    from crawler.runner import CrawlOptions

    opts = CrawlOptions(start=first, end=last, db=db, wiki_api=wiki_api, contact=contact,
                        follow_sources=not no_sources, settings=pairs,
                        wayback_url=wayback_url, warc_dir=warc_dir, replay=check_warc_args(warc_dir, replay),
                        log_file=None if verbose else log_path(db))
    _run_and_report(opts, quiet)


@main.command()
@db_option
@click.option("--revisit", type=int, default=None,
              help="Re-read the last K days (default NEWSARCHIVE_UPDATE_REVISIT_DAYS = 7).")
@click.option("--today", "today_arg", help="Treat this day as today (UTC) — for backfills of a fixed state.")
@click.option("--wiki-api", envvar="NEWSARCHIVE_WIKI_API", help="MediaWiki API URL [env NEWSARCHIVE_WIKI_API].")
@click.option("--contact", envvar="NEWSARCHIVE_CONTACT", help="Contact URL or e-mail put in the User-Agent.")
@click.option("--no-sources", is_flag=True, help="Walk only the portal.")
@click.option("--wayback-url", envvar="NEWSARCHIVE_WAYBACK_URL", help="Wayback Machine base URL ('' = off).")
@click.option("--warc", "warc_dir", type=click.Path(file_okay=False), help="Write every HTTP exchange to WARC files in DIR.")
@click.option("--replay", multiple=True, type=click.Path(exists=True),
              help="Serve every download from these WARC files/dirs instead of the network (repeatable).")
@click.option("--refetch-sources", is_flag=True, help="Refetch ok sources of the revisited days (conditional GET).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (for cron).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's INFO log.")
def update(db, revisit, today_arg, wiki_api, contact, no_sources, wayback_url, warc_dir, replay, refetch_sources,
           settings, quiet, verbose):
    """Bring the archive up to today: new days, the last K days again, and failed sources that are due."""
    from datetime import datetime, timezone

    from crawler.storage.runs import update_range
    from crawler.storage.schema import open_db

    check_http_url(wiki_api, "--wiki-api")
    check_http_url(wayback_url, "--wayback-url")
    pairs = parse_settings(settings)
    start_pool_early(no_sources, pairs)
    from crawler.runner import CrawlOptions

    if revisit is None:
        revisit = int(dict(pairs).get("NEWSARCHIVE_UPDATE_REVISIT_DAYS", 7))
    if revisit < 0:
        raise click.BadParameter("must be ≥ 0", param_hint="--revisit")
    today = parse_date(today_arg, "--today") or datetime.now(timezone.utc).date()
    with open_db(db) as conn:
        first, last = update_range(conn, today, revisit)
    extra = (("NEWSARCHIVE_RETRY_DUE_SOURCES", "1"),)
    if refetch_sources:
        extra += (("NEWSARCHIVE_REFETCH_OK_SOURCES", "1"),)
    opts = CrawlOptions(start=first, end=last, db=db, wiki_api=wiki_api, contact=contact,
                        follow_sources=not no_sources, settings=extra + pairs, command="update", wayback_url=wayback_url,
                        warc_dir=warc_dir, replay=check_warc_args(warc_dir, replay),
                        log_file=None if verbose else log_path(db))
    _run_and_report(opts, quiet)


def check_warc_args(warc_dir, replay) -> tuple[str, ...]:
    if warc_dir and replay:
        raise click.UsageError("--warc and --replay exclude each other (a replay would record nothing)")
    return tuple(replay)


def log_path(db: str) -> str:
    """Scrapy's log of a run goes beside the database: <db dir>/logs/crawl-<UTC time>.log."""
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return str(Path(db).resolve().parent / "logs" / f"crawl-{stamp}.log")


def start_pool_early(no_sources: bool, pairs) -> None:
    """A run that follows sources starts its extraction pool's forkserver before importing Scrapy, so that the
    extractors are imported on another core meanwhile (``pipelines.extraction.start_forkserver``)."""
    if no_sources or str(dict(pairs).get("NEWSARCHIVE_FOLLOW_SOURCES", "1")).lower() in ("0", "false", "no", ""):
        return
    from pipelines.extraction import start_forkserver

    start_forkserver()


def _run_and_report(opts, quiet: bool) -> None:
    from crawler.progress import CrawlProgress
    from crawler.runner import run_crawl

    from crawler.storage.lock import ArchiveBusy, ArchiveLock

    total_days = (opts.end - opts.start).days + 1
    try:
        with ArchiveLock(opts.db, opts.command), \
                CrawlProgress(total_days, enabled=not quiet and sys.stderr.isatty()) as progress:
            outcome = run_crawl(opts, on_item=progress.on_item)
    except ArchiveBusy as err:
        raise Failure(str(err)) from None
    except KeyboardInterrupt:
        raise Failure("interrupted; run the same command again to continue") from None
    c = outcome.counts
    if outcome.finish_reason == "shutdown":
        raise Failure(f"interrupted after {c['days']} of {total_days} days; run the same command again to continue")
    if outcome.finish_reason != "finished":
        raise Failure(f"crawl ended early ({outcome.finish_reason}); {c['days']} of {total_days} days stored")
    if c["days"] < total_days:
        raise Failure(f"only {c['days']} of {total_days} days were stored; see {opts.log_file or 'the log'}")
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
@click.option("--redis", "redis_url", help="Also show the distributed queues' lengths in this Redis.")
def status(db, as_json, redis_url):
    """Counts, covered range, days per year, sources by status and the last runs."""
    from crawler.storage.runs import status_summary
    from crawler.storage.schema import open_db

    if redis_url:
        from crawler.distributed.commands import redis_client
        from crawler.distributed.seeding import queue_lengths

        lengths = queue_lengths(redis_client(redis_url))
        click.echo(json.dumps(lengths) if as_json else "redis: " + ", ".join(f"{k} {v}" for k, v in lengths.items()))
        if not Path(db).exists():
            return
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


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The page's URL (helps dates and outlet rules).")
@click.option("--event-date", help="Day of the citing event, YYYY-MM-DD (a prior for the date).")
def extract(file, url, event_date):
    """Print title, authors, dates, description, language and text of a saved page (gzip accepted) as JSON."""
    import gzip

    from crawler.extract.article import extract_article

    raw = Path(file).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise Failure(f"{file}: broken gzip ({err})") from None
    from crawler.sources import binary_kind

    if not raw.strip():
        raise Failure(f"{file}: empty file")
    kind = binary_kind(raw)  # a saved file is taken for HTML unless its bytes say otherwise
    if kind:
        raise Failure(f"{file}: not an HTML page (body is {kind})")
    art = extract_article(raw, url, event_day=parse_date(event_date, "--event-date")).to_dict()
    keys = ("url", "title", "authors", "published", "published_at", "date_source", "description", "language", "text")
    click.echo(json.dumps({k: art.get(k) for k in keys}, ensure_ascii=False, indent=2))
    if not art.get("text"):
        click.echo(f"newsarchive: note: no article text found in {file}", err=True)


@main.command()
@db_option
@click.option("--outlet", help="Only sources cited with this outlet label.")
@click.option("--since", help="Only sources fetched at or after this date/time (ISO).")
@click.option("--status", "statuses", multiple=True, help="Only sources with this status (repeatable).")
@click.option("--warc", "warc_dirs", multiple=True, type=click.Path(exists=True),
              help="Read bodies from these WARC dirs (default: the stored compressed copy).")
@click.option("-q", "--quiet", is_flag=True)
def reextract(db, outlet, since, statuses, warc_dirs, quiet):
    """Re-run extraction on stored pages with the current extractor, without the network."""
    from crawler.reextract import reextract as run

    from crawler.storage.lock import ArchiveBusy, ArchiveLock

    if not Path(db).exists():
        raise Failure(f"no archive at {db}")
    try:
        with ArchiveLock(db, "reextract"):
            counts = run(db, outlet=outlet, since=since, statuses=tuple(statuses), warc_dirs=tuple(warc_dirs),
                         progress=not quiet and sys.stderr.isatty())
    except ArchiveBusy as err:
        raise Failure(str(err)) from None
    if not quiet:
        click.echo(f"re-extracted {counts['total']} sources: " +
                   ", ".join(f"{k} {v}" for k, v in sorted(counts["by_status"].items())))


def yesterday() -> date:
    return date.today() - timedelta(days=1)


def _register() -> None:
    from crawler.archive.commands import datasette_metadata, export, render, report
    from crawler.distributed.commands import ingest, worker

    for command in (render, export, report, datasette_metadata, worker, ingest):
        main.add_command(command)


_register()


def run() -> None:
    """The console script: ``main`` (click's standalone mode ends in SystemExit), then a quick exit."""
    try:
        main()
    except SystemExit as end:
        exit_now(end.code)


if __name__ == "__main__":
    run()
