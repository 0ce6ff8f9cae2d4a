"""SharedRobotsTxtMiddleware: every request waiting on one robots.txt gets its parser; answers kept in the
archive; an unreachable robots.txt (5xx) disallows the host unless a recent kept answer stands in for it.

The engine's download is a stub that answers robots.txt URLs from a dict (and counts what it was asked).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import TextResponse
from scrapy.utils.misc import build_from_crawler
from twisted.internet.error import DNSLookupError

from crawler.net.failures import classify_failure
from crawler.scrapy.middlewares.robots import SharedRobotsTxtMiddleware
from crawler.storage.robots import cached_robots, save_robots
from crawler.storage.schema import open_db
from tests.conftest import project_crawler

RULES = b"User-agent: *\nDisallow: /private\n"
HOST = "news.example.org"
ROBOTS = f"https://{HOST}/robots.txt"


class StubEngine:
    """``download_async`` of the engine: robots.txt answers from ``answers`` (a status and body, or an
    exception to raise); with ``hold`` set, every download waits until it is released."""

    def __init__(self, answers):
        self.answers = answers
        self.asked: list[str] = []
        self.hold: asyncio.Event | None = None

    async def download_async(self, request):
        self.asked.append(request.url)
        assert request.meta.get("dont_obey_robotstxt")
        if self.hold is not None:
            await self.hold.wait()
        status, body = self.answers[request.url]
        if isinstance(body, Exception):
            raise body
        return TextResponse(
            request.url, status=status, body=body, request=request, headers={"Content-Type": "text/plain"}
        )


def make_mw(tmp_path, answers=None, **settings):
    values = {
        "NEWSARCHIVE_DB": str(tmp_path / "a.db"),
        "NEWSARCHIVE_WARC_DIR": "",
        "NEWSARCHIVE_REPLAY": [],
        "NEWSARCHIVE_ROBOTS_CACHE_HOURS": 24,
        "ROBOTSTXT_OBEY": True,
        **settings,
    }
    crawler = project_crawler(**values)
    crawler.spider = crawler._create_spider("test")
    crawler.engine = StubEngine(answers if answers is not None else {ROBOTS: (200, RULES)})
    mw = build_from_crawler(SharedRobotsTxtMiddleware, crawler)
    return mw, crawler.engine, crawler.stats


def check(mw, *urls):
    """process_request for each URL in turn (one event loop): None (allowed) or the exception raised."""

    async def run():
        out = []
        for url in urls:
            try:
                out.append(await mw.process_request(Request(url)))
            except IgnoreRequest as err:
                out.append(err)
        return out

    return asyncio.run(run())


def kept(tmp_path, netloc=HOST, age=timedelta(0), status=200, body=RULES):
    """An answer kept in the archive ``age`` ago."""
    db = open_db(tmp_path / "a.db")
    save_robots(db, netloc, f"https://{netloc}/robots.txt", status, body, datetime.now(UTC) - age)
    db.close()


def robots_rows(tmp_path):
    db = open_db(tmp_path / "a.db")
    try:
        return list(db.query("SELECT netloc, http_status, body FROM robots_txt"))
    finally:
        db.close()


def test_not_configured_when_robots_txt_is_not_obeyed(tmp_path):
    with pytest.raises(NotConfigured):
        make_mw(tmp_path, ROBOTSTXT_OBEY=False)


def test_rules_are_obeyed(tmp_path):
    mw, engine, stats = make_mw(tmp_path)
    allowed, denied = check(mw, f"https://{HOST}/news/a", f"https://{HOST}/private/b")
    assert allowed is None
    assert isinstance(denied, IgnoreRequest) and str(denied) == "Forbidden by robots.txt"
    assert classify_failure(denied)[0] == "robots_denied"
    assert engine.asked == [ROBOTS]  # asked once per host
    assert stats.get_value("robotstxt/forbidden") == 1


def test_every_request_waiting_on_one_robots_txt_gets_the_parser(tmp_path):
    """Requests that arrive while the host's robots.txt is being downloaded each wait for it and are checked
    against it: none is let through unchecked."""
    mw, engine, stats = make_mw(tmp_path)

    async def run():
        engine.hold = asyncio.Event()
        tasks = [
            asyncio.ensure_future(mw.process_request(Request(f"https://{HOST}/private/{i}")))
            for i in range(4)
        ]
        tasks.append(asyncio.ensure_future(mw.process_request(Request(f"https://{HOST}/open"))))
        for _ in range(10):
            await asyncio.sleep(0)
        assert engine.asked == [ROBOTS]  # the robots.txt download is under way, all five wait
        engine.hold.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(run())
    assert [type(r).__name__ for r in results] == ["IgnoreRequest"] * 4 + ["NoneType"]
    assert stats.get_value("robotstxt/forbidden") == 4
    assert engine.asked == [ROBOTS]


def test_requests_that_skip_robots_txt_ask_nothing(tmp_path):
    mw, engine, _stats = make_mw(tmp_path)

    async def run():
        return await mw.process_request(
            Request(f"https://{HOST}/private/x", meta={"dont_obey_robotstxt": True})
        )

    assert asyncio.run(run()) is None
    assert engine.asked == []


def test_a_robots_txt_that_cannot_be_fetched_lets_requests_go(tmp_path):
    """DNS errors and refused connections: the page request meets the same failure, which is recorded."""
    mw, _engine, _stats = make_mw(tmp_path, {ROBOTS: (0, DNSLookupError("no such host"))})
    assert check(mw, f"https://{HOST}/private/x") == [None]
    assert robots_rows(tmp_path) == []


# --- answers kept in the archive ----------------------------------------------------------------------------


def test_an_answer_is_kept_in_the_archive(tmp_path):
    mw, _engine, stats = make_mw(tmp_path)
    check(mw, f"https://{HOST}/news/a")
    assert robots_rows(tmp_path) == [{"netloc": HOST, "http_status": 200, "body": RULES}]
    assert stats.get_value("newsarchive/robots_cache/saved") == 1


def test_a_kept_answer_is_reused_by_the_next_run(tmp_path):
    first, _, _ = make_mw(tmp_path)
    check(first, f"https://{HOST}/news/a")
    first._close_cache()
    mw, engine, stats = make_mw(tmp_path)
    allowed, denied = check(mw, f"https://{HOST}/news/b", f"https://{HOST}/private/c")
    assert engine.asked == []  # the host is not asked again
    assert allowed is None and isinstance(denied, IgnoreRequest)
    assert stats.get_value("newsarchive/robots_cache/hits") == 1


def test_a_kept_404_means_no_rules(tmp_path):
    kept(tmp_path, status=404, body=b"<html>Not found</html>")
    mw, engine, _stats = make_mw(tmp_path)
    assert check(mw, f"https://{HOST}/private/c") == [None]
    assert engine.asked == []


def test_an_answer_older_than_the_cache_hours_is_asked_again(tmp_path):
    kept(tmp_path, age=timedelta(hours=3), body=b"User-agent: *\nDisallow: /\n")
    mw, engine, stats = make_mw(tmp_path, NEWSARCHIVE_ROBOTS_CACHE_HOURS=2)
    assert check(mw, f"https://{HOST}/news/a") == [None]  # the fresh answer, not the kept one
    assert engine.asked == [ROBOTS]
    assert stats.get_value("newsarchive/robots_cache/hits") is None
    assert robots_rows(tmp_path)[0]["body"] == RULES  # replaced by the fresh answer


def test_an_answer_within_the_cache_hours_is_used(tmp_path):
    kept(tmp_path, age=timedelta(hours=3), body=b"User-agent: *\nDisallow: /\n")
    mw, engine, _stats = make_mw(tmp_path, NEWSARCHIVE_ROBOTS_CACHE_HOURS=4)
    assert isinstance(check(mw, f"https://{HOST}/news/a")[0], IgnoreRequest)
    assert engine.asked == []


@pytest.mark.parametrize(
    "settings",
    [
        {"NEWSARCHIVE_WARC_DIR": "warcs"},
        {"NEWSARCHIVE_REPLAY": ["crawl.warc.gz"]},
        {"NEWSARCHIVE_ROBOTS_CACHE_HOURS": 0},
    ],
    ids=["warc-capture", "warc-replay", "cache-hours-0"],
)
def test_the_cache_is_off_when_capturing_replaying_or_set_to_0(tmp_path, settings):
    kept(tmp_path, body=b"User-agent: *\nDisallow: /\n")
    mw, engine, _stats = make_mw(tmp_path, **settings)
    assert check(mw, f"https://{HOST}/news/a") == [None]  # decided by the answer of this run
    assert engine.asked == [ROBOTS]
    assert robots_rows(tmp_path)[0]["body"] == b"User-agent: *\nDisallow: /\n"  # not replaced either


def test_without_an_archive_nothing_is_kept(tmp_path):
    mw, _engine, _stats = make_mw(tmp_path, NEWSARCHIVE_DB="")
    assert check(mw, f"https://{HOST}/news/a") == [None]
    assert not (tmp_path / "a.db").exists()


# --- robots.txt unreachable (5xx, 408, 429) -----------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_unreachable_robots_txt_disallows_the_whole_host(tmp_path, status):
    mw, engine, stats = make_mw(tmp_path, {ROBOTS: (status, b"busy")})
    results = check(mw, f"https://{HOST}/news/a", f"https://{HOST}/")
    for err in results:
        assert isinstance(err, IgnoreRequest)
        assert str(err).startswith(f"robots.txt unreachable (HTTP {status})")
        assert classify_failure(err)[0] == "robots_unreachable"
    assert engine.asked == [ROBOTS]
    assert stats.get_value("newsarchive/robots/unreachable") == 1
    assert robots_rows(tmp_path) == []  # a transient answer is not kept


def test_an_unreachable_host_leaves_other_hosts_alone(tmp_path):
    mw, _engine, _stats = make_mw(
        tmp_path, {ROBOTS: (503, b"busy"), "https://other.example.com/robots.txt": (200, b"")}
    )
    down, up = check(mw, f"https://{HOST}/news/a", "https://other.example.com/news/a")
    assert isinstance(down, IgnoreRequest) and up is None


def test_a_kept_answer_up_to_30_days_old_stands_in(tmp_path):
    kept(tmp_path, age=timedelta(days=3))
    mw, engine, stats = make_mw(tmp_path, {ROBOTS: (503, b"busy")})
    allowed, denied = check(mw, f"https://{HOST}/news/a", f"https://{HOST}/private/b")
    assert engine.asked == [ROBOTS]  # 3 days: too old for the cache, so asked; the kept copy stands in
    assert allowed is None
    assert isinstance(denied, IgnoreRequest) and str(denied) == "Forbidden by robots.txt"
    assert stats.get_value("newsarchive/robots/stale_copy_used") == 1
    assert stats.get_value("newsarchive/robots/unreachable") is None


def test_a_kept_answer_older_than_30_days_does_not(tmp_path):
    kept(tmp_path, age=timedelta(days=40))
    mw, _engine, _stats = make_mw(tmp_path, {ROBOTS: (503, b"busy")})
    (err,) = check(mw, f"https://{HOST}/news/a")
    assert isinstance(err, IgnoreRequest) and "robots.txt unreachable" in str(err)


def test_the_stale_copy_is_not_renewed_by_a_5xx(tmp_path):
    kept(tmp_path, age=timedelta(days=3))
    mw, _engine, _stats = make_mw(tmp_path, {ROBOTS: (503, b"busy")})
    check(mw, f"https://{HOST}/news/a")
    db = open_db(tmp_path / "a.db")
    try:
        assert cached_robots(db, HOST, timedelta(days=2)) is None  # still 3 days old
    finally:
        db.close()


def test_a_robots_txt_that_cannot_be_fetched_is_logged_in_one_line(caplog):
    """The page request meets the same network failure and records it; the log gets no traceback for it."""
    import logging

    from scrapy.downloadermiddlewares.robotstxt import logger as scrapy_logger

    build_from_crawler(SharedRobotsTxtMiddleware, project_crawler(NEWSARCHIVE_ROBOTS_CACHE_HOURS=0))
    try:
        raise OSError("DNS lookup failed: no results for hostname lookup: gone.example")
    except OSError:
        with caplog.at_level(logging.INFO, logger=scrapy_logger.name):
            scrapy_logger.error("Error downloading %(request)s: %(f_exception)s",
                                {"request": "<GET http://gone.example/x>", "f_exception": "DNS lookup failed"},
                                exc_info=True)
    (record,) = [r for r in caplog.records if r.name == scrapy_logger.name]
    assert record.exc_info is None and record.levelname == "WARNING"
    assert "Traceback" not in caplog.text and "Error downloading <GET http://gone.example/x>" in caplog.text


def test_a_crawl_delay_is_the_hosts_pace_and_autothrottle_keeps_it(tmp_path):
    from scrapy.core.downloader import Downloader

    rules = b"User-agent: *\nCrawl-delay: 5\nDisallow: /private\n"
    mw, engine, stats = make_mw(tmp_path, {ROBOTS: (200, rules)})
    engine.downloader = Downloader(mw.crawler)

    async def run():
        req = Request(f"https://{HOST}/a")
        await mw.process_request(req)
        return req

    req = asyncio.run(run())
    assert req.meta["autothrottle_dont_adjust_delay"] is True
    assert engine.downloader.per_slot_settings[HOST]["delay"] == 5.0  # the slot is made with it
    assert stats.get_value("newsarchive/robots/crawl_delay_hosts") == 1


def test_a_crawl_delay_is_capped_and_a_host_without_one_is_left_alone(tmp_path):
    from scrapy.core.downloader import Downloader

    other = "https://plain.example.org/robots.txt"
    mw, engine, _ = make_mw(tmp_path, {ROBOTS: (200, b"User-agent: *\nCrawl-delay: 3600\n"),
                                       other: (200, RULES)}, NEWSARCHIVE_CRAWL_DELAY_MAX=60)
    engine.downloader = Downloader(mw.crawler)
    check(mw, f"https://{HOST}/a", "https://plain.example.org/b")
    assert engine.downloader.per_slot_settings[HOST]["delay"] == 60.0
    assert "plain.example.org" not in engine.downloader.per_slot_settings


def test_a_crawl_delay_counts_from_the_hosts_answer(tmp_path):
    from time import monotonic

    from scrapy import signals
    from scrapy.core.downloader import Downloader, Slot
    from scrapy.http import Response

    other = "https://plain.example.org/robots.txt"
    mw, engine, _ = make_mw(tmp_path, {ROBOTS: (200, b"User-agent: *\nCrawl-delay: 5\n"), other: (200, RULES)})
    engine.downloader = Downloader(mw.crawler)
    check(mw, f"https://{HOST}/a", "https://plain.example.org/b")
    slow = engine.downloader.slots[HOST] = Slot(8, 5.0, 0)
    plain = engine.downloader.slots["plain.example.org"] = Slot(8, 0.25, 0)
    slow.lastseen = plain.lastseen = monotonic() - 4.0  # both last sent 4 s ago
    for url in (f"https://{HOST}/a", "https://plain.example.org/b"):
        req = Request(url)
        mw.crawler.signals.send_catch_log(signals.response_downloaded, response=Response(url, request=req),
                                          request=req, spider=mw.crawler.spider)
    # the Crawl-delay host waits its 5 s from the answer, not 1 s more from the send; the other host is left alone
    assert slow.download_delay() - (monotonic() - slow.lastseen) > 4.9
    assert monotonic() - plain.lastseen > 3.9
