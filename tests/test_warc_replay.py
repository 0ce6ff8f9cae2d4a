"""WarcReplayMiddleware: every download answered from WARC records, never from the network."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.misc import build_from_crawler

from crawler.net.failures import classify_failure
from crawler.scrapy.middlewares.warc_capture import WarcCaptureMiddleware
from crawler.scrapy.middlewares.warc_replay import (
    REPLAY_FLAG,
    NotInReplay,
    ReplayedFailure,
    WarcReplayMiddleware,
)
from crawler.warc.writer import WarcWriter
from tests.conftest import project_crawler

PAGE = b"<html><head><title>Flood plan</title></head><body><p>The council approved it.</p></body></html>"
WHEN = datetime(2014, 2, 13, 12, 0, tzinfo=UTC)


@pytest.fixture
def warc_dir(tmp_path):
    """A WARC file: a page, a 404, a robots.txt that disallows /private, and a timeout."""
    d = tmp_path / "warcs"
    with WarcWriter(d, prefix="test") as w:
        w.write_exchange(
            "https://news.example.org/flood",
            "GET",
            {"User-Agent": "t"},
            200,
            None,
            [("Content-Type", "text/html; charset=utf-8"), ("ETag", '"v1"')],
            PAGE,
            WHEN,
        )
        w.write_exchange(
            "https://news.example.org/gone",
            "GET",
            {},
            404,
            None,
            [("Content-Type", "text/html")],
            b"<html>Not found</html>",
            WHEN,
        )
        w.write_exchange(
            "https://strict.example.org/robots.txt",
            "GET",
            {},
            200,
            None,
            [("Content-Type", "text/plain")],
            b"User-agent: *\nDisallow: /private\n",
            WHEN,
        )
        w.write_failure(
            "https://slow.example.org/story",
            "GET",
            {},
            "timeout",
            "User timeout caused connection failure.",
            WHEN,
        )
    return d


def make_mw(paths, **settings):
    crawler = project_crawler(NEWSARCHIVE_REPLAY=paths, **settings)
    return build_from_crawler(WarcReplayMiddleware, crawler), crawler.stats


@pytest.fixture
def replay(warc_dir):
    return make_mw([str(warc_dir)])


def test_not_configured_without_replay_paths():
    with pytest.raises(NotConfigured):
        make_mw([])
    with pytest.raises(NotConfigured):
        make_mw(["  ", ""])


def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_mw([str(tmp_path / "nowhere.warc.gz")])


def test_a_recorded_response_answers_the_request(replay):
    mw, stats = replay
    req = Request("https://news.example.org/flood")
    resp = mw.process_request(req)
    assert isinstance(resp, HtmlResponse)
    assert resp.url == "https://news.example.org/flood"
    assert resp.status == 200 and resp.body == PAGE
    assert resp.headers.get("ETag") == b'"v1"'
    assert REPLAY_FLAG in resp.flags
    assert resp.request is req
    name, offset = req.meta["warc_record"]
    assert name.startswith("test-") and name.endswith(".warc.gz") and isinstance(offset, int)
    assert stats.get_value("newsarchive/replay/hits") == 1


def test_a_recorded_error_status_is_replayed_as_it_was(replay):
    mw, _stats = replay
    resp = mw.process_request(Request("https://news.example.org/gone"))
    assert resp.status == 404 and resp.body == b"<html>Not found</html>"


def test_the_lookup_uses_the_normalised_url(replay):
    mw, _stats = replay
    resp = mw.process_request(Request("https://NEWS.example.org/flood#comments"))
    assert resp.status == 200 and resp.body == PAGE


def test_a_url_not_recorded_is_not_in_replay(replay):
    mw, stats = replay
    with pytest.raises(NotInReplay) as exc:
        mw.process_request(Request("https://news.example.org/never-fetched"))
    assert isinstance(exc.value, IgnoreRequest)
    assert exc.value.url == "https://news.example.org/never-fetched"
    assert classify_failure(exc.value)[0] == "not_in_replay"
    assert stats.get_value("newsarchive/replay/misses") == 1


def test_robots_txt_not_recorded_allows_all(replay):
    mw, stats = replay
    req = Request("https://news.example.org/robots.txt")
    resp = mw.process_request(req)
    assert isinstance(resp, TextResponse)
    assert resp.status == 200 and resp.body == b""
    assert REPLAY_FLAG in resp.flags and "warc-replay-default" in resp.flags
    assert stats.get_value("newsarchive/replay/robots_default") == 1
    assert stats.get_value("newsarchive/replay/misses") is None


def test_a_recorded_robots_txt_is_replayed(replay):
    mw, _stats = replay
    resp = mw.process_request(Request("https://strict.example.org/robots.txt"))
    assert resp.body == b"User-agent: *\nDisallow: /private\n"
    assert "warc-replay-default" not in resp.flags


def test_a_recorded_failure_fails_again_with_its_status(replay):
    mw, stats = replay
    with pytest.raises(ReplayedFailure) as exc:
        mw.process_request(Request("https://slow.example.org/story"))
    assert (exc.value.status, exc.value.message) == ("timeout", "User timeout caused connection failure.")
    assert classify_failure(exc.value) == ("timeout", "User timeout caused connection failure.")
    assert stats.get_value("newsarchive/replay/failures") == 1


def test_a_response_recorded_later_wins_over_a_failure(tmp_path):
    d = tmp_path / "w"
    with WarcWriter(d) as w:
        w.write_failure(
            "https://flaky.example.org/a", "GET", {}, "connection_refused", "Connection refused", WHEN
        )
        w.write_exchange(
            "https://flaky.example.org/a", "GET", {}, 200, None, [("Content-Type", "text/html")], PAGE, WHEN
        )
    mw, _stats = make_mw([str(d)])
    assert mw.process_request(Request("https://flaky.example.org/a")).body == PAGE


def test_what_the_capture_wrote_is_replayed(tmp_path):
    """Capture and replay meet: the capture middleware's record answers the replayed request."""
    crawler = project_crawler(NEWSARCHIVE_WARC_DIR=str(tmp_path), NEWSARCHIVE_MIRROR="")
    capture = build_from_crawler(WarcCaptureMiddleware, crawler)
    req = Request("https://news.example.org/flood?page=2")
    capture.process_request(req)
    capture.process_response(
        req, HtmlResponse(req.url, status=200, body=PAGE, request=req, headers={"Content-Type": "text/html"})
    )
    capture.close()
    mw, _stats = make_mw([str(tmp_path)])
    again = Request("https://news.example.org/flood?page=2")
    resp = mw.process_request(again)
    assert resp.status == 200 and resp.body == PAGE
    assert again.meta["warc_record"] == req.meta["warc_record"]
