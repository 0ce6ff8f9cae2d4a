"""Settings derived from other settings, applied when a crawler is made (``PortalSpider.update_settings``), so that
``scrapy crawl portal`` and ``newsarchive crawl`` run with the same ones.

What is derived, each at a priority below the command line's so that ``-s NAME=VALUE`` still wins:
- the User-Agent from NEWSARCHIVE_CONTACT (unless USER_AGENT itself was given);
- the web archives' download slots from NEWSARCHIVE_WAYBACK_CONCURRENCY / NEWSARCHIVE_WAYBACK_DELAY, Wikidata's
  from NEWSARCHIVE_WIKIDATA_DELAY;
- a replay (NEWSARCHIVE_REPLAY): no delays, retries or waits (a replayed error would only be replayed again);
- a distributed worker (NEWSARCHIVE_REDIS_URL): the shared scheduler, item queue, worker loop and host gate;
- components switched off by their setting are unlisted, because Scrapy imports every listed component (even
  one mapped to None) before it can say NotConfigured: the cookies middleware imports tldextract and the remote
  control aiohttp at every start.
"""

from __future__ import annotations

from crawler import __version__
from crawler.distributed import keys
from crawler.net.politeness import user_agent

DERIVED = "spider"  # the priority of derived values: above the project's defaults, below the command line

ARCHIVE_SLOTS = ("wayback", "commoncrawl")

REPLAY = {"NEWSARCHIVE_MIRROR": "", "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False,
          "NEWSARCHIVE_API_RETRIES": 0, "NEWSARCHIVE_RETRY_AFTER_MAX": 0, "HTTPCACHE_ENABLED": False}

HEAVY_COMPONENTS = (
    ("DOWNLOADER_MIDDLEWARES_BASE", "scrapy.downloadermiddlewares.cookies.CookiesMiddleware", "COOKIES_ENABLED"),
    ("EXTENSIONS_BASE", "scrapy.extensions.remote_control.RemoteControl", "REMOTE_CONTROL_ENABLED"),
)


def worker_settings(redis_url: str) -> dict:
    """What turns a crawl into a distributed worker (``crawler.scrapy.distributed``, ``pipelines.redis``)."""
    return {
        "REDIS_URL": redis_url,
        "NEWSARCHIVE_DB": "",
        "SCHEDULER": "crawler.scrapy.distributed.CompatScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": keys.REQUESTS,
        "SCHEDULER_DUPEFILTER_KEY": keys.DUPEFILTER,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "ITEM_PIPELINES": {"pipelines.extraction.ExtractionPipeline": 500, "pipelines.redis.RedisItemPipeline": 800},
        "EXTENSIONS": {"crawler.scrapy.distributed.WorkerLoop": 500},
        "DOWNLOAD_HANDLERS": {"http": "crawler.scrapy.distributed.SharedHostGateHandler",
                              "https": "crawler.scrapy.distributed.SharedHostGateHandler"},
    }


def finalize_settings(s) -> None:
    """Derive the settings above in ``s`` (a mutable Scrapy ``Settings``)."""
    _set_all(s, _user_agent(s))
    slots = dict(s.getdict("DOWNLOAD_SLOTS"))
    archive = {"concurrency": s.getint("NEWSARCHIVE_WAYBACK_CONCURRENCY"),
               "delay": s.getfloat("NEWSARCHIVE_WAYBACK_DELAY"), "jitter": 0}
    for name in ARCHIVE_SLOTS:
        slots[name] = {**slots.get(name, {}), **archive}
    slots["wikidata"] = {**slots.get("wikidata", {}), "concurrency": 1,
                         "delay": s.getfloat("NEWSARCHIVE_WIKIDATA_DELAY")}
    _set_all(s, {"DOWNLOAD_SLOTS": slots})
    if s.getlist("NEWSARCHIVE_REPLAY"):
        _set_all(s, REPLAY)
    if s.get("NEWSARCHIVE_REDIS_URL"):
        _set_all(s, worker_settings(s.get("NEWSARCHIVE_REDIS_URL")))
    for base, path, switch in HEAVY_COMPONENTS:
        components = dict(s.getdict(base))
        if not s.getbool(switch) and components.pop(path, None) is not None:
            s.set(base, components, priority=s.getpriority(base))


def _user_agent(s) -> dict:
    if (s.getpriority("USER_AGENT") or 0) >= (s.getpriority("NEWSARCHIVE_CONTACT") or 0):
        return {}  # given itself, or the contact is the default one it was built from
    return {"USER_AGENT": user_agent(s.get("NEWSARCHIVE_CONTACT"), __version__)}


def _set_all(s, values: dict) -> None:
    """Set each value unless the command line (or anything above DERIVED) already set it."""
    for name, value in values.items():
        s.set(name, value, priority=DERIVED)
