"""SourceRequests: recovery steps as requests; answers and failures as SourceFetch items and the next
request."""

from __future__ import annotations

import json
from datetime import date

import pytest
import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawler.items import DayPage, Event, SourceFetch, SourceRef
from crawler.scrapy.source_requests import citations
from tests.test_portal_spider import WAYBACK, make_spider

LIVE = "https://news.example.org/budget"
PAGE = b"<html><head><title>Budget</title></head><body><p>Parliament passed the budget.</p></body></html>"
CDX_PREFIX = WAYBACK + "/cdx/search/cdx?url="


@pytest.fixture
def spider(tmp_path):
    return make_spider(tmp_path)


@pytest.fixture
def sources(spider):
    return spider.sources


def stat(spider, key):
    return spider.crawler.stats.get_value(key)


def cite(url=LIVE, day="2014-02-13", dead=False, cited_url=None):
    return (url, cited_url or url, day, dead)


def failure(request, exc):
    f = Failure(exc)
    f.request = request
    return f


def html(request, body=PAGE, status=200, headers=None, url=None):
    return HtmlResponse(
        url or request.url,
        status=status,
        body=body,
        request=request,
        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})},
    )


def cdx_answer(request, *timestamps):
    rows = [["timestamp", "original", "statuscode", "mimetype", "length"]]
    rows += [[ts, "http://gone.example.com/story", "200", "text/html", "1000"] for ts in timestamps]
    return TextResponse(
        request.url,
        body=json.dumps(rows).encode(),
        request=request,
        headers={"Content-Type": "application/json"},
    )


def assert_archive_meta(request):
    assert request.meta["download_slot"] == "wayback"
    assert request.meta["dont_obey_robotstxt"] is True
    assert request.meta["autothrottle_dont_adjust_delay"] is True
    assert request.priority == -5


def assert_callbacks(spider, request):
    assert request.callback == spider.parse_source
    assert request.errback == spider.source_failed


# --- which sources ------------------------------------------------------------------------------------------


def test_citations_of_a_day_page():
    page = DayPage(
        day=date(2014, 2, 13),
        title="t",
        status="ok",
        events=[
            Event(
                day=date(2014, 2, 13),
                category=None,
                stories=[],
                text="x",
                sources=[
                    SourceRef("https://News.example.org/budget?utm_source=feed", "A"),
                    SourceRef("http://gone.example.com/story", "B", reported_dead=True),
                ],
            )
        ],
    )
    assert citations(page) == [
        (
            "https://news.example.org/budget",
            "https://News.example.org/budget?utm_source=feed",
            "2014-02-13",
            False,
        ),
        ("http://gone.example.com/story", "http://gone.example.com/story", "2014-02-13", True),
    ]


def test_a_live_request_per_new_source(spider, sources):
    (req,) = sources.for_citations([cite()])
    assert req.url == LIVE and req.method == "GET"
    assert_callbacks(spider, req)
    assert req.dont_filter
    assert req.meta["source_url"] == LIVE
    assert req.meta["handle_httpstatus_list"] == [304]
    assert "download_slot" not in req.meta and "dont_obey_robotstxt" not in req.meta
    assert req.meta["recovery"]["stage"] == "live"


def test_the_earliest_citing_day_wins(sources):
    (req,) = sources.for_citations([cite(day="2014-02-15"), cite(day="2014-02-13"), cite(day="2014-02-14")])
    assert req.meta["recovery"]["event_day"] == "2014-02-13"


def test_a_source_is_requested_once(sources):
    assert len(sources.for_citations([cite()])) == 1
    assert sources.for_citations([cite(day="2014-02-12")]) == []


def test_sources_the_archive_knows_are_skipped_and_counted(spider, sources):
    sources.known = lambda urls: {u: {} for u in urls if u != LIVE}
    reqs = sources.for_citations([cite(), cite("https://other.example.com/a")])
    assert [r.url for r in reqs] == ["https://other.example.com/a"]
    assert stat(spider, "newsarchive/sources/skipped_known") == 1


def test_known_validators_make_a_conditional_request(sources):
    sources.known = lambda urls: {
        u: {"etag": '"v1"', "last_modified": "Thu, 13 Feb 2014 10:00:00 GMT"} for u in urls
    }
    (req,) = sources.for_citations([cite()])
    assert req.headers.get("If-None-Match") == b'"v1"'
    assert req.headers.get("If-Modified-Since") == b"Thu, 13 Feb 2014 10:00:00 GMT"


def test_a_dead_link_asks_the_archive_first(spider, sources):
    (req,) = sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    assert req.url.startswith(CDX_PREFIX + "http%3A%2F%2Fgone.example.com%2Fstory")
    assert_archive_meta(req)
    assert_callbacks(spider, req)
    assert stat(spider, "newsarchive/archive/requests/cdx") == 1


def test_a_dead_link_goes_live_when_the_archive_is_off(tmp_path):
    spider = make_spider(tmp_path, NEWSARCHIVE_ARCHIVE_FALLBACK=False)
    (req,) = spider.sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    assert req.url == "http://gone.example.com/story"


def test_a_cited_capture_is_fetched_raw_from_the_archive(sources):
    cited = "https://web.archive.org/web/20140213080000/http://gone.example.com/story"
    (req,) = sources.for_citations([cite("http://gone.example.com/story", cited_url=cited)])
    assert req.url == WAYBACK + "/web/20140213080000id_/http://gone.example.com/story"
    assert_archive_meta(req)


# --- answers ------------------------------------------------------------------------------------------------


def test_a_live_page_becomes_a_fetched_item(sources):
    (req,) = sources.for_citations([cite()])
    resp = html(req, headers={"ETag": '"abc"', "Last-Modified": "Thu, 13 Feb 2014 10:00:00 GMT"})
    resp.meta["warc_record"] = ("a.warc.gz", 99)
    out = sources.on_response(resp)
    assert len(out) == 1
    item = out[0]
    assert isinstance(item, SourceFetch)
    assert (item.url, item.final_url, item.status, item.http_status) == (LIVE, LIVE, "fetched", 200)
    assert item.body == PAGE and item.content_type == "text/html; charset=utf-8"
    assert item.event_day == date(2014, 2, 13)
    assert item.headers == {"etag": '"abc"', "last-modified": "Thu, 13 Feb 2014 10:00:00 GMT"}
    assert item.warc == ("a.warc.gz", 99)
    assert item.recovery is not None and item.recovery["stage"] == "live"  # kept for after_stored
    assert item.fetched_at


def test_a_redirected_page_keeps_its_final_url(sources):
    (req,) = sources.for_citations([cite()])
    (item,) = sources.on_response(html(req, url="https://news.example.org/2014/budget-passes"))
    assert item.url == LIVE and item.final_url == "https://news.example.org/2014/budget-passes"


def test_not_modified_becomes_a_not_modified_item(sources):
    (req,) = sources.for_citations([cite()])
    (item,) = sources.on_response(Response(req.url, status=304, request=req))
    assert item.status == "not_modified" and item.http_status == 304 and item.body is None


def test_a_live_failure_is_stored_and_the_archive_asked(spider, sources):
    (req,) = sources.for_citations([cite()])
    out = sources.on_failure(failure(req, DNSLookupError("no such host")))
    assert len(out) == 2
    item, lookup = out
    assert isinstance(item, SourceFetch) and item.status == "dns_error"
    assert item.error.startswith("DNSLookupError: ")
    assert item.recovery is None
    assert isinstance(lookup, scrapy.Request)
    assert lookup.url.startswith(CDX_PREFIX + "https%3A%2F%2Fnews.example.org%2Fbudget")
    assert lookup.meta["recovery"]["failure_status"] == "dns_error"
    assert_archive_meta(lookup)
    assert_callbacks(spider, lookup)


def test_an_http_error_keeps_its_status(sources):
    (req,) = sources.for_citations([cite()])
    resp = html(req, status=404, body=b"<html>Not found</html>")
    item, _lookup = sources.on_failure(failure(req, HttpError(resp, "Ignoring non-200 response")))
    assert (item.status, item.http_status, item.error) == ("http_error", 404, "HTTP 404")
    assert item.final_url == LIVE


def test_a_failure_not_worth_a_lookup_ends_the_chain(sources):
    (req,) = sources.for_citations([cite()])
    resp = html(req, status=401, body=b"<html>Login</html>")
    out = sources.on_failure(failure(req, HttpError(resp, "Ignoring non-200 response")))
    assert [type(x) for x in out] == [SourceFetch]


def test_without_the_archive_a_failure_is_only_stored(tmp_path):
    spider = make_spider(tmp_path, NEWSARCHIVE_WAYBACK_URL="")
    (req,) = spider.sources.for_citations([cite()])
    out = spider.sources.on_failure(failure(req, TxTimeoutError("took too long")))
    assert [(type(x), x.status) for x in out] == [(SourceFetch, "timeout")]


def test_captures_found_are_fetched_nearest_the_event_day_first(spider, sources):
    (lookup,) = sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    out = sources.on_response(cdx_answer(lookup, "20100101000000", "20140214090000", "20140301000000"))
    assert len(out) == 1
    capture = out[0]
    assert capture.url == WAYBACK + "/web/20140214090000id_/http://gone.example.com/story"
    assert_archive_meta(capture)
    assert_callbacks(spider, capture)


def test_a_capture_becomes_a_recovered_item(sources):
    (lookup,) = sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    (capture,) = sources.on_response(cdx_answer(lookup, "20140214090000"))
    (item,) = sources.on_response(html(capture))
    assert item.url == "http://gone.example.com/story"
    assert (item.status, item.recovered_from) == ("fetched", "wayback")
    assert item.archive_url == capture.url and item.archive_timestamp == "20140214090000"
    assert item.final_url == "http://gone.example.com/story"
    assert item.failure == {
        "failure_status": "reported_dead",
        "failure_error": "marked {{Dead link}} on the portal",
        "after_live_failure": False,  # no live fetch was counted as failed for it
    }
    assert item.body == PAGE
    assert item.recovery is None  # a capture is not sent to the archive again


def test_a_failed_capture_tries_the_next_one(sources):
    (lookup,) = sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    (first,) = sources.on_response(cdx_answer(lookup, "20140214090000", "20140220000000"))
    (second,) = sources.on_failure(failure(first, TxTimeoutError()))
    assert second.url == WAYBACK + "/web/20140220000000id_/http://gone.example.com/story"


def test_no_capture_of_a_live_failure_is_an_archive_miss(spider, sources):
    (req,) = sources.for_citations([cite()])
    _, lookup = sources.on_failure(failure(req, DNSLookupError("no such host")))
    out = sources.on_response(cdx_answer(lookup))
    assert len(out) == 1
    miss = out[0]
    assert (miss.url, miss.status) == (LIVE, "archive_miss")
    assert miss.failure["failure_status"] == "dns_error"
    assert miss.http_status is None and miss.warc is None
    assert stat(spider, "newsarchive/archive/misses") == 1


def test_a_dead_link_without_capture_is_fetched_live_after_all(sources):
    (lookup,) = sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    (live,) = sources.on_response(cdx_answer(lookup))
    assert live.url == "http://gone.example.com/story"
    assert "download_slot" not in live.meta


# --- after the page was stored ------------------------------------------------------------------------------


def stored(sources, article_status, stored_status):
    (req,) = sources.for_citations([cite()])
    (item,) = sources.on_response(html(req))
    item.article = {
        "status": article_status,
        "error": "title says not found" if article_status != "ok" else None,
    }
    item.stored_status = stored_status
    return item


def test_a_stored_soft_404_goes_to_the_archive(spider, sources):
    req = sources.after_stored(stored(sources, "soft_404", "soft_404"))
    assert isinstance(req, scrapy.Request)
    assert req.url.startswith(CDX_PREFIX + "https%3A%2F%2Fnews.example.org%2Fbudget")
    assert req.meta["recovery"]["failure_status"] == "soft_404"
    assert_archive_meta(req)
    assert_callbacks(spider, req)


def test_an_empty_page_goes_to_the_archive(sources):
    assert sources.after_stored(stored(sources, "empty_extraction", "empty_extraction")) is not None


def test_an_ok_page_goes_nowhere(sources):
    assert sources.after_stored(stored(sources, "ok", "ok")) is None


def test_a_refetch_of_an_ok_source_stays_ok(sources):
    """The archive held the source ok before: a refetch that found a soft 404 keeps it, no archive lookup."""
    assert sources.after_stored(stored(sources, "soft_404", "ok")) is None


def test_a_failed_fetch_is_not_looked_up_again_after_storing(sources):
    (req,) = sources.for_citations([cite()])
    item, _ = sources.on_failure(failure(req, DNSLookupError("no such host")))
    item.stored_status = "dns_error"
    assert sources.after_stored(item) is None


def test_a_dead_link_searched_in_vain_is_not_searched_again_when_live_fails_too(spider, sources):
    """{{Dead link}}: the archive is asked first; with no capture the live page is fetched after all. When
    that fails too, the same CDX query (same URL, same window) would only give the same empty answer: the
    chain ends with the failure recorded (no second CDX request)."""
    (lookup,) = sources.for_citations([cite("http://gone.example.com/story", dead=True)])
    (live,) = sources.on_response(cdx_answer(lookup))
    resp = html(live, status=404, body=b"<html>Not found</html>")
    out = sources.on_failure(failure(live, HttpError(resp, "Ignoring non-200 response")))
    assert [x.status for x in out if isinstance(x, SourceFetch)][:1] == ["http_error"]
    assert [x.url for x in out if isinstance(x, scrapy.Request)] == []
    assert stat(spider, "newsarchive/archive/requests/cdx") == 1


def test_the_nearest_capture_lookup_and_the_memento_header(tmp_path):
    """With the nearest capture first: one request lands on the capture (the Wayback redirects it); a 404 that
    is an archived page (Memento-Datetime) sends the source to the CDX index, a plain 404 (never archived) ends
    the search."""
    spider = make_spider(tmp_path, NEWSARCHIVE_WAYBACK_NEAREST=True)
    (req,) = spider.sources.for_citations([cite()])
    _item, nearest = spider.sources.on_failure(failure(req, DNSLookupError("no such host")))
    assert nearest.url == f"{WAYBACK}/web/20140213120000id_/{LIVE}"
    assert_archive_meta(nearest)
    assert_callbacks(spider, nearest)
    landed = html(nearest, url=f"{WAYBACK}/web/20140214093000id_/{LIVE}")
    (item,) = spider.sources.on_response(landed)
    assert (item.recovered_from, item.archive_timestamp, item.final_url) == ("wayback", "20140214093000", LIVE)
    archived_404 = html(nearest, status=404, body=b"<html>Not found</html>",
                        headers={"Memento-Datetime": "Fri, 14 Feb 2014 09:30:00 GMT"})
    (cdx,) = spider.sources.on_failure(failure(nearest, HttpError(archived_404, "Ignoring non-200 response")))
    assert cdx.url.startswith(CDX_PREFIX)
    assert stat(spider, "newsarchive/archive/requests/cdx") == 1
    plain_404 = html(nearest, status=404, body=b"<html>Wayback Machine has not archived that URL.</html>")
    (miss,) = spider.sources.on_failure(failure(nearest, HttpError(plain_404, "Ignoring non-200 response")))
    assert isinstance(miss, SourceFetch) and miss.status == "archive_miss"
    assert stat(spider, "newsarchive/archive/requests/nearest") == 1


def test_archive_requests_waiting_are_counted_until_answered(tmp_path):
    spider = make_spider(tmp_path, NEWSARCHIVE_WAYBACK_NEAREST=True)
    sources = spider.sources
    (req,) = sources.for_citations([cite()])
    assert sources.archive_waiting == 0  # a live request is not counted
    _item, nearest = sources.on_failure(failure(req, DNSLookupError("no such host")))
    assert sources.archive_waiting == 1
    sources.on_response(html(nearest, url=f"{WAYBACK}/web/20140214093000id_/{LIVE}"))
    assert sources.archive_waiting == 0
