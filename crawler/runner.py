"""Run a crawl in-process for the CLI: settings from options, a progress callback, the run's record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import __version__
from crawler.items import DayPage
from crawler.politeness import user_agent
from crawler.spiders.portal import PortalSpider
from crawler.storage.runs import finish_run, start_run
from crawler.storage.schema import open_db
from crawler.warc import capture_settings, replay_settings


@dataclass(frozen=True)
class CrawlOptions:
    start: date
    end: date
    db: str = "output/archive.db"
    wiki_api: str | None = None
    contact: str | None = None
    follow_sources: bool = True
    settings: tuple[tuple[str, str], ...] = ()
    log_level: str = "INFO"
    log_file: str | None = None  # None: Scrapy logs to stderr
    wayback_url: str | None = None
    warc_dir: str | None = None
    replay: tuple[str, ...] = ()
    command: str = "crawl"


@dataclass
class CrawlOutcome:
    finish_reason: str
    counts: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    run_id: int | None = None


def build_settings(opts: CrawlOptions) -> Settings:
    """Project settings, then the options, then ``-s NAME=VALUE`` pairs (highest priority)."""
    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    s.set("NEWSARCHIVE_DB", opts.db, priority="cmdline")
    if opts.wiki_api:
        s.set("NEWSARCHIVE_WIKI_API", opts.wiki_api, priority="cmdline")
    if opts.contact:
        s.set("NEWSARCHIVE_CONTACT", opts.contact, priority="cmdline")
        s.set("USER_AGENT", user_agent(opts.contact, __version__), priority="cmdline")
    s.set("NEWSARCHIVE_FOLLOW_SOURCES", opts.follow_sources, priority="cmdline")
    s.set("LOG_LEVEL", opts.log_level, priority="cmdline")
    if opts.log_file:
        Path(opts.log_file).parent.mkdir(parents=True, exist_ok=True)
        s.set("LOG_FILE", opts.log_file, priority="cmdline")
        s.set("LOG_FILE_APPEND", True, priority="cmdline")
    if opts.wayback_url is not None:
        s.set("NEWSARCHIVE_WAYBACK_URL", opts.wayback_url, priority="cmdline")
    if opts.warc_dir:
        s.update(capture_settings(opts.warc_dir), priority="cmdline")
    if opts.replay:
        s.update(replay_settings(opts.replay), priority="cmdline")
    for name, value in opts.settings:
        s.set(name, value, priority="cmdline")
    _drop_switched_off(s)
    slots = dict(s.getdict("DOWNLOAD_SLOTS"))
    archive = {"concurrency": s.getint("NEWSARCHIVE_WAYBACK_CONCURRENCY", 2),
               "delay": s.getfloat("NEWSARCHIVE_WAYBACK_DELAY", 1.0)}
    slots["wayback"] = {**slots.get("wayback", {}), **archive}
    slots["commoncrawl"] = {**slots.get("commoncrawl", {}), **archive}
    s.set("DOWNLOAD_SLOTS", slots, priority="cmdline")
    return s


# Components whose module is heavy to import, and the setting that switches them off. Scrapy imports every listed
# component (even one mapped to None) before it can say NotConfigured; with their setting off they are not listed.
_HEAVY_COMPONENTS = (
    ("DOWNLOADER_MIDDLEWARES_BASE", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware", "COOKIES_ENABLED"),
    ("EXTENSIONS_BASE", "scrapy.extensions.remote_control.RemoteControl", "REMOTE_CONTROL_ENABLED"),
)


def _drop_switched_off(s: Settings) -> None:
    """Unlist switched-off components that import tldextract (0.1 s) or aiohttp (0.3 s) at every start."""
    for base, path, switch in _HEAVY_COMPONENTS:
        components = dict(s.getdict(base))
        if not s.getbool(switch) and components.pop(path, None) is not None:
            s.set(base, components, priority=s.getpriority(base))


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
    }


def run_worker(opts: CrawlOptions, redis_url: str, idle_exit: float = 0) -> CrawlOutcome:
    """A distributed worker: shared frontier and seeds in Redis, items pushed to Redis (no database)."""
    from crawler.distributed.scrapy_glue import redis_settings

    settings = build_settings(opts)
    for name, value in redis_settings(redis_url, idle_exit).items():
        settings.set(name, value, priority="cmdline")
    settings.set("NEWSARCHIVE_DB", "", priority="cmdline")
    for name, value in opts.settings:  # -s still wins
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, worker="1")
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlOutcome(stats.get("finish_reason", "unknown"), counts_from_stats(stats), stats)


def run_crawl(opts: CrawlOptions, on_item=None) -> CrawlOutcome:
    """Crawl ``opts.start``…``opts.end`` into ``opts.db``; ``on_item(item)`` is called for each stored item."""
    settings = build_settings(opts)
    db = open_db(opts.db)
    run_id = start_run(db, opts.command, {
        "start": opts.start.isoformat(), "end": opts.end.isoformat(), "db": opts.db,
        "wiki_api": settings.get("NEWSARCHIVE_WIKI_API"), "follow_sources": opts.follow_sources,
        "settings": dict(opts.settings)})
    db.close()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    if on_item is not None:
        crawler.signals.connect(lambda item, **kw: on_item(item), signal=signals.item_scraped, weak=False)
    reason = "failed"
    try:
        process.crawl(crawler, start=opts.start.isoformat(), end=opts.end.isoformat())
        process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason", "unknown")
    except BaseException:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = "error"
        raise
    finally:
        counts = counts_from_stats(stats)
        db = open_db(opts.db)
        finish_run(db, run_id, reason, counts)
        db.close()
    return CrawlOutcome(reason, counts, stats, run_id)


def is_day_page(item) -> bool:
    return isinstance(item, DayPage)
