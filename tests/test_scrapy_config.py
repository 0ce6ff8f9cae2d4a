"""finalize_settings: settings derived from others, below the command line's priority."""

from __future__ import annotations

from scrapy.settings import Settings

from crawler import __version__
from crawler import settings as project
from crawler.scrapy.config import finalize_settings
from crawler.scrapy.spiders.portal import PortalSpider
from tests.conftest import project_crawler

COOKIES = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
REMOTE = "scrapy.extensions.remote_control.RemoteControl"


def settings(**cmdline) -> Settings:
    """The project's settings with ``cmdline`` given as ``-s NAME=VALUE``, then finalized."""
    s = Settings()
    s.setmodule(project, priority="project")
    for name, value in cmdline.items():
        s.set(name, value, priority="cmdline")
    finalize_settings(s)
    return s


def test_archive_slots_follow_the_wayback_settings():
    s = settings(NEWSARCHIVE_WAYBACK_CONCURRENCY=6, NEWSARCHIVE_WAYBACK_DELAY=2.5)
    slots = s.getdict("DOWNLOAD_SLOTS")
    assert slots["wayback"] == {"concurrency": 6, "delay": 2.5, "jitter": 0}  # never closer than the delay
    assert slots["commoncrawl"] == {"concurrency": 6, "delay": 2.5, "jitter": 0}
    assert slots["wiki-api"] == project.DOWNLOAD_SLOTS["wiki-api"]  # untouched


def test_archive_slots_keep_their_other_keys():
    s = Settings()
    s.setmodule(project, priority="project")
    s.set(
        "DOWNLOAD_SLOTS",
        {"wayback": {"concurrency": 1, "delay": 9, "randomize_delay": False}},
        priority="project",
    )
    s.set("NEWSARCHIVE_WAYBACK_DELAY", 4.0, priority="cmdline")
    finalize_settings(s)
    assert s.getdict("DOWNLOAD_SLOTS")["wayback"] == {
        "concurrency": project.NEWSARCHIVE_WAYBACK_CONCURRENCY,
        "delay": 4.0,
        "jitter": 0,
        "randomize_delay": False,
    }


def test_download_slots_given_on_the_command_line_win():
    given = {"wayback": {"concurrency": 9, "delay": 0.1}}
    s = settings(DOWNLOAD_SLOTS=given, NEWSARCHIVE_WAYBACK_DELAY=5.0)
    assert s.getdict("DOWNLOAD_SLOTS") == given


def test_a_crawl_without_replay_keeps_its_delays_and_retries():
    s = settings()
    assert s.getbool("RETRY_ENABLED") and s.getbool("AUTOTHROTTLE_ENABLED")
    assert s.getfloat("DOWNLOAD_DELAY") == project.DOWNLOAD_DELAY > 0
    assert s.getint("NEWSARCHIVE_API_RETRIES") == project.NEWSARCHIVE_API_RETRIES > 0


def test_replay_switches_off_waits_retries_and_the_mirror():
    s = settings(NEWSARCHIVE_REPLAY=["crawl.warc.gz"], NEWSARCHIVE_MIRROR="http://127.0.0.1:8999")
    # NEWSARCHIVE_MIRROR was given on the command line: it wins over the replay's value
    assert s.get("NEWSARCHIVE_MIRROR") == "http://127.0.0.1:8999"
    assert s.getfloat("DOWNLOAD_DELAY") == 0
    assert not s.getbool("RETRY_ENABLED")
    assert not s.getbool("AUTOTHROTTLE_ENABLED")
    assert not s.getbool("HTTPCACHE_ENABLED")
    assert s.getint("NEWSARCHIVE_API_RETRIES") == 0
    assert s.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX") == 0


def test_replay_clears_a_mirror_set_by_the_project():
    s = Settings()
    s.setmodule(project, priority="project")
    s.set("NEWSARCHIVE_MIRROR", "http://127.0.0.1:8999", priority="project")
    s.set("NEWSARCHIVE_REPLAY", ["crawl.warc.gz"], priority="cmdline")
    finalize_settings(s)
    assert s.get("NEWSARCHIVE_MIRROR") == ""


def test_command_line_values_win_over_the_replays():
    s = settings(NEWSARCHIVE_REPLAY=["crawl.warc.gz"], DOWNLOAD_DELAY=2.0, RETRY_ENABLED=True)
    assert s.getfloat("DOWNLOAD_DELAY") == 2.0
    assert s.getbool("RETRY_ENABLED")
    assert not s.getbool("AUTOTHROTTLE_ENABLED")


def test_a_redis_url_turns_the_crawl_into_a_worker():
    s = settings(NEWSARCHIVE_REDIS_URL="redis://127.0.0.1:6390/0")
    assert s.get("REDIS_URL") == "redis://127.0.0.1:6390/0"
    assert s.get("NEWSARCHIVE_DB") == ""  # a worker writes to Redis; the ingest writes the archive
    assert s.get("SCHEDULER") == "crawler.scrapy.distributed.CompatScheduler"
    assert s.get("DUPEFILTER_CLASS") == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert s.getbool("SCHEDULER_PERSIST")
    assert s.getdict("ITEM_PIPELINES") == {
        "pipelines.extraction.ExtractionPipeline": 500,
        "pipelines.redis.RedisItemPipeline": 800,
    }
    assert s.getdict("EXTENSIONS") == {"crawler.scrapy.distributed.WorkerLoop": 500}
    assert set(s.getdict("DOWNLOAD_HANDLERS").values()) == {
        "crawler.scrapy.distributed.SharedHostGateHandler"
    }
    assert s.get("SCHEDULER_QUEUE_KEY") == "newsarchive:%(spider)s:requests"


def test_without_a_redis_url_the_crawl_stores_to_the_archive():
    s = settings()
    assert s.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"
    assert "pipelines.storage.StoragePipeline" in s.getdict("ITEM_PIPELINES")
    assert s.get("NEWSARCHIVE_DB")


def test_user_agent_from_a_given_contact():
    s = settings(NEWSARCHIVE_CONTACT="mailto:ops@example.org")
    assert (
        s.get("USER_AGENT")
        == f"newsarchive/{__version__} (research news-event archive; +mailto:ops@example.org) Scrapy"
    )


def test_a_given_user_agent_wins_over_the_contact():
    s = settings(NEWSARCHIVE_CONTACT="mailto:ops@example.org", USER_AGENT="MyBot/1.0 (+https://bot.example)")
    assert s.get("USER_AGENT") == "MyBot/1.0 (+https://bot.example)"


def test_user_agent_of_the_project_when_no_contact_is_given():
    s = settings()
    assert s.get("USER_AGENT") == project.USER_AGENT
    assert s.getpriority("USER_AGENT") == s.getpriority("NEWSARCHIVE_CONTACT")  # nothing derived


def test_switched_off_components_are_unlisted():
    s = settings()
    assert not s.getbool("COOKIES_ENABLED") and not s.getbool("REMOTE_CONTROL_ENABLED")
    assert COOKIES not in s.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    assert REMOTE not in s.getdict("EXTENSIONS_BASE")
    assert "scrapy.downloadermiddlewares.redirect.RedirectMiddleware" in s.getdict(
        "DOWNLOADER_MIDDLEWARES_BASE"
    )


def test_switched_on_components_stay_listed():
    s = settings(COOKIES_ENABLED=True, REMOTE_CONTROL_ENABLED=True)
    assert COOKIES in s.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    assert REMOTE in s.getdict("EXTENSIONS_BASE")


def test_the_portal_spider_finalizes_its_crawlers_settings():
    """``scrapy crawl portal`` derives the same settings as the CLI: the spider's update_settings applies
    them."""
    crawler = project_crawler(PortalSpider, NEWSARCHIVE_WAYBACK_DELAY=3.0, NEWSARCHIVE_REPLAY=["x.warc.gz"])
    s = crawler.settings
    assert s.getdict("DOWNLOAD_SLOTS")["wayback"]["delay"] == 3.0
    assert not s.getbool("RETRY_ENABLED")
