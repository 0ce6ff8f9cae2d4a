"""Run a crawl in-process for the CLI: settings from options, a progress callback, the run's record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.scrapy.spiders.portal import PortalSpider
from crawler.storage.runs import finish_run, start_run
from crawler.storage.schema import open_db


@dataclass(frozen=True)
class CrawlOptions:
    """What a command asks of a crawl; None leaves the setting's default (``crawler.settings``)."""

    start: date | None = None  # None: a distributed worker (its days come from the shared seeds)
    end: date | None = None
    db: str | None = None
    wiki_api: str | None = None
    contact: str | None = None
    follow_sources: bool | None = None
    settings: tuple[tuple[str, str], ...] = ()  # -s NAME=VALUE pairs, applied last
    log_level: str | None = None
    log_file: str | None = None  # None: Scrapy logs to stderr
    wayback_url: str | None = None
    warc_dir: str | None = None
    replay: tuple[str, ...] = ()
    redis_url: str | None = None
    idle_exit: float | None = None
    command: str = "crawl"


@dataclass
class CrawlOutcome:
    finish_reason: str
    counts: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    run_id: int | None = None


def build_settings(opts: CrawlOptions) -> Settings:
    """The project's settings, then the options, then ``-s NAME=VALUE`` pairs (all at the command line's
    priority, the pairs last); what derives from them is set when the crawler is made (``crawler.scrapy.config``)."""
    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    given = {"NEWSARCHIVE_DB": opts.db, "NEWSARCHIVE_WIKI_API": opts.wiki_api, "NEWSARCHIVE_CONTACT": opts.contact,
             "NEWSARCHIVE_FOLLOW_SOURCES": opts.follow_sources, "LOG_LEVEL": opts.log_level,
             "NEWSARCHIVE_WAYBACK_URL": opts.wayback_url, "NEWSARCHIVE_WARC_DIR": opts.warc_dir,
             "NEWSARCHIVE_REPLAY": list(opts.replay) or None, "NEWSARCHIVE_REDIS_URL": opts.redis_url,
             "NEWSARCHIVE_IDLE_EXIT": opts.idle_exit}
    if opts.log_file:
        Path(opts.log_file).parent.mkdir(parents=True, exist_ok=True)
        given.update(LOG_FILE=opts.log_file, LOG_FILE_APPEND=True)
    for name, value in given.items():
        if value is not None:
            s.set(name, value, priority="cmdline")
    for name, value in opts.settings:
        s.set(name, value, priority="cmdline")
    return s


def counts_from_stats(stats: dict) -> dict:
    g = lambda k: int(stats.get(f"newsarchive/{k}", 0) or 0)  # noqa: E731
    return {
        "days": g("days/ok") + g("days/missing") + g("days/failed"),
        "days_missing": g("days/missing"),
        "days_failed": g("days/failed"),
        "days_unchanged": g("days/unchanged"),
        "events": g("events"),
        "sources_fetched": g("sources/fetched"),
        "sources_ok": g("sources/ok"),
        "sources_failed": g("sources/failed"),
        "entity_requests": g("entities/requests"),
        "entities_resolved": sum(int(v or 0) for k, v in stats.items() if k.startswith("newsarchive/entities/status/")
                                 and k != "newsarchive/entities/status/api_error"),
        "entities_missing": g("entities/status/missing"),
        "entities_failed": g("entities/status/api_error"),
        "wikidata_requests": g("wikidata/requests"),
    }


def _stats(crawler) -> dict:
    """The crawl's stats ({} when it stopped before its stats collector was made)."""
    try:
        return crawler.stats.get_stats()
    except RuntimeError:
        return {}


def run_worker(opts: CrawlOptions) -> CrawlOutcome:
    """A distributed worker (``opts.redis_url``): shared frontier and seeds in Redis, items pushed to Redis."""
    process = CrawlerProcess(build_settings(opts))
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, worker="1")
    process.start()
    stats = _stats(crawler)
    return CrawlOutcome(stats.get("finish_reason", "unknown"), counts_from_stats(stats), stats)


def run_crawl(opts: CrawlOptions, on_item=None) -> CrawlOutcome:
    """Crawl ``opts.start``…``opts.end`` into the archive; ``on_item(item)`` is called for each stored item."""
    settings = build_settings(opts)
    db_path = settings.get("NEWSARCHIVE_DB")
    db = open_db(db_path)
    run_id = start_run(db, opts.command, {
        "start": opts.start.isoformat(), "end": opts.end.isoformat(), "db": db_path,
        "wiki_api": settings.get("NEWSARCHIVE_WIKI_API"),
        "follow_sources": settings.getbool("NEWSARCHIVE_FOLLOW_SOURCES"), "settings": dict(opts.settings)})
    db.close()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    if on_item is not None:
        crawler.signals.connect(lambda item, **kw: on_item(item), signal=signals.item_scraped, weak=False)
    reason = "error"
    try:
        process.crawl(crawler, start=opts.start.isoformat(), end=opts.end.isoformat())
        process.start()
        reason = _stats(crawler).get("finish_reason", "unknown")
    finally:
        stats = _stats(crawler)
        counts = counts_from_stats(stats)
        db = open_db(db_path)
        finish_run(db, run_id, reason, counts)
        db.close()
    return CrawlOutcome(reason, counts, stats, run_id)

