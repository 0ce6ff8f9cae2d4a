"""CLI commands of the distributed mode: ``worker`` and ``ingest`` (registered in crawler.cli)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click


def redis_client(url: str):
    import redis

    from crawler.cliutil import Failure

    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except (redis.RedisError, ValueError) as err:
        raise Failure(f"cannot reach Redis at {url}: {err}") from None
    return client


def seed_command(redis_url: str, start, end, db: str | None, quiet: bool, per_request: int = 50) -> None:
    """``crawl --redis``: seed the day range (skipping days the archive has) and return."""
    from crawler.distributed.seeding import mark_sources_known, queue_lengths, seed_range
    from crawler.storage.schema import open_db

    r = redis_client(redis_url)
    skip: set[str] = set()
    if db and Path(db).exists():
        conn = open_db(db)
        skip = {row["day"] for row in conn.query(
            "SELECT day FROM days WHERE status IN ('ok', 'missing') AND day BETWEEN ? AND ?",
            [start.isoformat(), end.isoformat()])}
        mark_sources_known(r, [row["url"] for row in conn.query(
            "SELECT url FROM sources WHERE status != 'pending' AND (status = 'ok' OR next_attempt_at IS NULL)")])
        conn.close()
    seeds = seed_range(r, start, end, per_request=max(1, min(50, per_request)), skip=skip)
    if not quiet:
        click.echo(f"seeded {seeds} API batches for {(end - start).days + 1 - len(skip)} days "
                   f"({len(skip)} already complete); queues: {queue_lengths(r)}")


@click.command()
@click.option("--redis", "redis_url", required=True, help="Redis URL, e.g. redis://host:6379/0.")
@click.option("--idle-exit", type=float, default=0, help="Exit after the frontier and seeds stayed empty this long (s).")
@click.option("--wiki-api", envvar="NEWSARCHIVE_WIKI_API", help="MediaWiki API URL.")
@click.option("--contact", envvar="NEWSARCHIVE_CONTACT", help="Contact put in the User-Agent.")
@click.option("--wayback-url", envvar="NEWSARCHIVE_WAYBACK_URL", help="Wayback Machine base URL ('' = off).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's INFO log on stderr.")
def worker(redis_url, idle_exit, wiki_api, contact, wayback_url, settings, verbose):
    """Run a crawler on the shared Redis frontier (any number, on any machines)."""
    from datetime import date

    from crawler.cli import log_path
    from crawler.cliutil import Failure, check_http_url, parse_settings
    from crawler.runner import CrawlOptions, run_worker

    check_http_url(wiki_api, "--wiki-api")
    check_http_url(wayback_url, "--wayback-url")
    redis_client(redis_url)
    opts = CrawlOptions(start=date.today(), end=date.today(), db="", wiki_api=wiki_api, contact=contact,
                        settings=parse_settings(settings), wayback_url=wayback_url, command="worker",
                        log_level="INFO", log_file=None if verbose else log_path("output/worker.db"))
    outcome = run_worker(opts, redis_url, idle_exit)
    if outcome.finish_reason not in ("finished", "shutdown"):
        raise Failure(f"worker ended: {outcome.finish_reason}")


@click.command()
@click.option("--redis", "redis_url", required=True, help="Redis URL, e.g. redis://host:6379/0.")
@click.option("--db", default="output/archive.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--batch", type=int, default=200, show_default=True, help="Items per transaction.")
@click.option("--idle-exit", type=float, default=0,
              help="Exit after every shared queue stayed empty this long (s); 0 = run until stopped.")
@click.option("-q", "--quiet", is_flag=True)
def ingest(redis_url, db, batch, idle_exit, quiet):
    """The single writer: drain the workers' items from Redis into SQLite."""
    from crawler.cliutil import Failure
    from crawler.distributed.ingest import run_ingest
    from crawler.storage.lock import ArchiveBusy, ArchiveLock
    from crawler.storage.schema import open_db

    r = redis_client(redis_url)
    stop = {"now": False}

    def on_signal(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with ArchiveLock(db, "ingest"):
            conn = open_db(db)
            stats = run_ingest(r, conn, batch=batch, idle_exit=idle_exit, should_stop=lambda: stop["now"])
            conn.close()
    except ArchiveBusy as err:
        raise Failure(str(err)) from None
    if not quiet:
        click.echo(f"ingested {stats.items} items ({stats.days} days, {stats.sources} sources) in "
                   f"{stats.batches} batches; put back {stats.requeued} leased requests; "
                   f"re-seeded {stats.reseeded} → {db}", file=sys.stdout)
