"""RetryAfterMiddleware: Scrapy's retries, waiting for a server's Retry-After on 429/503 (capped)."""

from __future__ import annotations

import asyncio
import types

import pytest
from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler

from crawler.scrapy.middlewares import retry_after
from crawler.scrapy.middlewares.retry_after import RetryAfterMiddleware
from tests.conftest import project_crawler

URL = "https://news.example.org/story"


def make_mw(**settings):
    settings = {
        "NEWSARCHIVE_RETRY_AFTER_MAX": 30,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 429],
        **settings,
    }
    crawler = project_crawler(**settings)
    crawler.spider = crawler._create_spider("test")
    crawler.engine = types.SimpleNamespace(downloader=Downloader(crawler))  # the host's slot is paused there
    return build_from_crawler(RetryAfterMiddleware, crawler), crawler.stats


@pytest.fixture
def waits(monkeypatch):
    """The waits the middleware asks asyncio for (none really happens)."""
    asked: list[float] = []

    async def sleep(seconds, *args, **kwargs):
        asked.append(seconds)

    monkeypatch.setattr(retry_after.asyncio, "sleep", sleep)
    return asked


def run(mw, request, response):
    return asyncio.run(mw.process_response(request, response))


def answer(status, retry_after_value=None):
    headers = {"Retry-After": retry_after_value} if retry_after_value is not None else {}
    return Response(URL, status=status, headers=headers)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_waited_then_the_request_retried(waits, status):
    mw, stats = make_mw()
    req = Request(URL)
    out = run(mw, req, answer(status, "7"))
    assert waits == [7.0]
    assert isinstance(out, Request) and out.url == URL and out is not req
    assert out.meta["retry_times"] == 1
    assert out.dont_filter
    assert stats.get_value("newsarchive/retry_after_waits") == 1
    assert stats.get_value("retry/count") == 1
    assert [k for k in stats.get_stats() if k.startswith(f"retry/reason_count/{status} ")] != []


def test_wait_is_capped_by_the_setting(waits):
    mw, _stats = make_mw(NEWSARCHIVE_RETRY_AFTER_MAX=12)
    out = run(mw, Request(URL), answer(503, "3600"))
    assert waits == [12.0]
    assert isinstance(out, Request)


def test_http_date_retry_after_in_the_past_waits_nothing(waits):
    mw, _stats = make_mw()
    out = run(mw, Request(URL), answer(429, "Wed, 21 Oct 2015 07:28:00 GMT"))
    assert waits == [0.0]
    assert isinstance(out, Request)


def test_without_the_header_it_is_a_plain_retry(waits):
    mw, stats = make_mw()
    out = run(mw, Request(URL), answer(503))
    assert waits == []
    assert isinstance(out, Request) and out.meta["retry_times"] == 1
    assert stats.get_value("retry/count") == 1
    assert stats.get_value("newsarchive/retry_after_waits") is None


def test_a_429_without_a_readable_header_waits_the_default(waits):
    """The Wayback Machine answers 429 without Retry-After: the host is left alone for the default (capped)."""
    mw, _stats = make_mw(NEWSARCHIVE_RETRY_AFTER_DEFAULT=20)
    out = run(mw, Request(URL), answer(429, "soon"))
    assert waits == [20.0] and isinstance(out, Request)
    run(mw, Request(URL), answer(429))
    assert waits == [20.0, 20.0]


def test_the_whole_host_waits_not_only_the_retried_request(waits):
    from time import monotonic

    mw, _stats = make_mw()
    downloader = mw.crawler.engine.downloader
    slot, other = Slot(4, 0.25, 0.5), Slot(4, 0.25, 0.5)  # the hosts' slots, as their downloads made them
    downloader.slots[downloader.get_slot_key(Request(URL))] = slot
    downloader.slots["other.example.org"] = other
    run(mw, Request(URL), answer(429, "7"))
    assert slot.lastseen >= monotonic() + 6.5  # its next request goes out 7 s (+ its delay) from now
    assert other.lastseen <= monotonic()


def test_retry_after_on_a_500_is_not_waited(waits):
    """Only 429 and 503 carry a meaningful Retry-After; a 500 is retried at once."""
    mw, stats = make_mw()
    out = run(mw, Request(URL), answer(500, "60"))
    assert waits == []
    assert isinstance(out, Request) and out.meta["retry_times"] == 1
    assert stats.get_value("newsarchive/retry_after_waits") is None


def test_dont_retry_passes_the_response_without_waiting(waits):
    mw, stats = make_mw()
    resp = answer(429, "5")
    out = run(mw, Request(URL, meta={"dont_retry": True}), resp)
    assert out is resp
    assert waits == []
    assert stats.get_value("retry/count") is None


@pytest.mark.parametrize("status", [200, 404, 301])
def test_codes_that_are_not_retried_pass(waits, status):
    mw, stats = make_mw()
    resp = answer(status, "5")
    assert run(mw, Request(URL), resp) is resp
    assert waits == []
    assert stats.get_value("retry/count") is None


def test_429_left_out_of_retry_codes_is_neither_waited_nor_retried(waits):
    mw, _stats = make_mw(RETRY_HTTP_CODES=[500, 503])
    resp = answer(429, "5")
    assert run(mw, Request(URL), resp) is resp
    assert waits == []


def test_retries_exhausted_gives_the_response_back(waits):
    mw, stats = make_mw(RETRY_TIMES=2)
    resp = answer(503)
    out = run(mw, Request(URL, meta={"retry_times": 2}), resp)
    assert out is resp
    assert stats.get_value("retry/max_reached") == 1
    assert stats.get_value("retry/count") is None


def test_no_wait_when_no_retry_follows(waits):
    """The wait is for the retried request: with the retries used up there is nothing to wait for, and waiting
    would only hold the response (and a downloader place) for up to NEWSARCHIVE_RETRY_AFTER_MAX seconds."""
    mw, stats = make_mw(RETRY_TIMES=2)
    resp = answer(429, "20")
    out = run(mw, Request(URL, meta={"retry_times": 2}), resp)
    assert out is resp
    assert waits == []
    assert stats.get_value("newsarchive/retry_after_waits") is None


def test_not_configured_when_retries_are_off():
    with pytest.raises(NotConfigured):
        make_mw(RETRY_ENABLED=False)
