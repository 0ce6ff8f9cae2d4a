"""``newsarchive crawl`` and ``newsarchive update``: a crawl into the archive, with progress and a summary line."""

from __future__ import annotations

import sys

import click

from crawler.cli.options import (Failure, archive_crawl_options, check_endpoints, log_path, parse_date,
                                 parse_settings, setting)


@click.command()
@click.option("--from", "start", help="First day, YYYY-MM-DD.")
@click.option("--to", "end", help="Last day, YYYY-MM-DD (default: the first day).")
@click.option("--date", "one_day", help="A single day, YYYY-MM-DD.")
@archive_crawl_options
@click.option("--redis", "redis_url", help="Distributed: seed the range into this Redis frontier and return.")
def crawl(start, end, one_day, db, wiki_api, contact, wayback_url, settings, verbose, no_sources, warc_dir, replay,
          wikidata, quiet, redis_url):
    """Crawl the portal's day pages (and their sources) for a range of days."""
    first = parse_date(start or one_day, "--from/--date")
    if first is None:
        raise click.UsageError("give --from DATE [--to DATE] or --date DATE")
    last = parse_date(end, "--to") or (parse_date(one_day, "--date") if one_day else first)
    if last < first:
        raise click.BadParameter(f"{last} is before {first}", param_hint="--to")
    check_endpoints(wiki_api, wayback_url)
    pairs = parse_settings(settings) + ((("NEWSARCHIVE_WIKIDATA", "1"),) if wikidata else ())
    if redis_url:
        from crawler.cli.distributed import seed_command

        seed_command(redis_url, first, last, db, quiet, setting(pairs, "NEWSARCHIVE_TITLES_PER_REQUEST", int))
        return
    _run(first, last, "crawl", db, wiki_api, contact, wayback_url, pairs, verbose, no_sources, warc_dir, replay,
         quiet)


@click.command()
@archive_crawl_options
@click.option("--revisit", type=int, default=None,
              help="Re-read the last K days [default NEWSARCHIVE_UPDATE_REVISIT_DAYS].")
@click.option("--today", "today_arg", help="Treat this day as today (UTC) — for backfills of a fixed state.")
@click.option("--refetch-sources", is_flag=True, help="Refetch ok sources of the revisited days (conditional GET).")
def update(db, wiki_api, contact, wayback_url, settings, verbose, no_sources, warc_dir, replay, wikidata, quiet,
           revisit, today_arg, refetch_sources):
    """Bring the archive up to today: new days, the last K days again, and failed sources that are due."""
    from datetime import datetime, timezone

    from crawler.storage.runs import update_range
    from crawler.storage.schema import open_db

    check_endpoints(wiki_api, wayback_url)
    pairs = parse_settings(settings) + ((("NEWSARCHIVE_WIKIDATA", "1"),) if wikidata else ())
    if revisit is None:
        revisit = setting(pairs, "NEWSARCHIVE_UPDATE_REVISIT_DAYS", int)
    if revisit < 0:
        raise click.BadParameter("must be ≥ 0", param_hint="--revisit")
    today = parse_date(today_arg, "--today") or datetime.now(timezone.utc).date()
    with open_db(db) as conn:
        first, last = update_range(conn, today, revisit)
    extra = (("NEWSARCHIVE_RETRY_DUE_SOURCES", "1"),)
    if refetch_sources:
        extra += (("NEWSARCHIVE_REFETCH_OK_SOURCES", "1"),)
    _run(first, last, "update", db, wiki_api, contact, wayback_url, extra + pairs, verbose, no_sources, warc_dir,
         replay, quiet)


def _run(first, last, command, db, wiki_api, contact, wayback_url, pairs, verbose, no_sources, warc_dir, replay,
         quiet) -> None:
    if warc_dir and replay:
        raise click.UsageError("--warc and --replay exclude each other (a replay would record nothing)")
    if not no_sources and setting(pairs, "NEWSARCHIVE_FOLLOW_SOURCES", bool):
        # the extraction pool's forkserver imports the extractors on another core while Scrapy is imported here
        from pipelines.extraction import start_forkserver

        start_forkserver()
    from crawler.runner import CrawlOptions

    opts = CrawlOptions(start=first, end=last, db=db, wiki_api=wiki_api, contact=contact,
                        follow_sources=False if no_sources else None, settings=pairs, command=command,
                        wayback_url=wayback_url, warc_dir=warc_dir, replay=tuple(replay),
                        log_file=None if verbose else log_path(db))
    _run_and_report(opts, quiet)


def _run_and_report(opts, quiet: bool) -> None:
    from crawler.cli.progress import CrawlProgress
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
        if c["entity_requests"]:
            click.echo(f"entities: {c['entities_resolved']} resolved ({c['entities_missing']} red links), "
                       f"{c['entities_failed']} failed, in {c['entity_requests']} API requests"
                       + (f"; {c['wikidata_requests']} Wikidata requests" if c["wikidata_requests"] else ""))
