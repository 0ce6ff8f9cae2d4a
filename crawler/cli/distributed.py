"""``newsarchive worker`` and ``newsarchive ingest`` (the distributed mode), and the seeding behind
``newsarchive crawl --redis``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from crawler import settings as defaults
from crawler.cli.options import (Failure, check_endpoints, crawler_options, db_option, log_path, parse_settings,
                                 quiet_option)


def redis_client(url: str):
    import redis

    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except (redis.RedisError, ValueError) as err:
        raise Failure(f"cannot reach Redis at {url}: {err}") from None
    return client


def seed_command(redis_url: str, start, end, db: str | None, quiet: bool, per_request: int) -> None:
    """``crawl --redis``: seed the day range (skipping days the archive has) and return."""
    from crawler.distributed.seeding import mark_sources_known, queue_lengths, seed_range
    from crawler.storage.days import days_stored
    from crawler.storage.schema import open_db
    from crawler.storage.sources import settled_source_urls

    r = redis_client(redis_url)
    skip: set[str] = set()
    if db and Path(db).exists():
        conn = open_db(db)
        skip = days_stored(conn, start.isoformat(), end.isoformat(), complete=True)
        mark_sources_known(r, settled_source_urls(conn))
        conn.close()
    seeds = seed_range(r, start, end, per_request=max(1, min(50, per_request)), skip=skip)
    if not quiet:
        click.echo(f"seeded {seeds} API batches for {(end - start).days + 1 - len(skip)} days "
                   f"({len(skip)} already complete); queues: {queue_lengths(r)}")


@click.command()
@click.option("--redis", "redis_url", required=True, help="Redis URL, e.g. redis://host:6379/0.")
@click.option("--idle-exit", type=float, default=None,
              help="Exit after the frontier and seeds stayed empty this long (s) [default NEWSARCHIVE_IDLE_EXIT].")
@crawler_options
def worker(redis_url, idle_exit, wiki_api, contact, wayback_url, settings, verbose):
    """Run a crawler on the shared Redis frontier (any number, on any machines)."""
    from crawler.runner import CrawlOptions, run_worker

    check_endpoints(wiki_api, wayback_url)
    redis_client(redis_url)
    opts = CrawlOptions(wiki_api=wiki_api, contact=contact, settings=parse_settings(settings),
                        wayback_url=wayback_url, command="worker", redis_url=redis_url, idle_exit=idle_exit,
                        log_file=None if verbose else log_path(defaults.NEWSARCHIVE_DB))
    outcome = run_worker(opts)
    if outcome.finish_reason not in ("finished", "shutdown"):
        raise Failure(f"worker ended: {outcome.finish_reason}")


@click.command()
@click.option("--redis", "redis_url", required=True, help="Redis URL, e.g. redis://host:6379/0.")
@db_option
@click.option("--batch", type=int, default=defaults.NEWSARCHIVE_INGEST_BATCH, show_default=True,
              help="Items per transaction.")
@click.option("--idle-exit", type=float, default=0,
              help="Exit after every shared queue stayed empty this long (s); 0 = run until stopped.")
@quiet_option
def ingest(redis_url, db, batch, idle_exit, quiet):
    """The single writer: drain the workers' items from Redis into SQLite."""
    from scrapy.settings import Settings

    from crawler.distributed.ingest import run_ingest
    from crawler.storage.lock import ArchiveBusy, ArchiveLock
    from crawler.storage.schema import open_db
    from crawler.storage.sources import RetryPolicy

    r = redis_client(redis_url)
    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    project = Settings()
    project.setmodule("crawler.settings")
    try:
        with ArchiveLock(db, "ingest"):
            conn = open_db(db)
            stats = run_ingest(r, conn, batch=batch, idle_exit=idle_exit, policy=RetryPolicy.from_settings(project),
                               should_stop=lambda: stop["now"])
            conn.close()
    except ArchiveBusy as err:
        raise Failure(str(err)) from None
    if not quiet:
        click.echo(f"ingested {stats.items} items ({stats.days} days, {stats.sources} sources) in "
                   f"{stats.batches} batches; put back {stats.requeued} leased requests; "
                   f"re-seeded {stats.reseeded} → {db}", file=sys.stdout)
