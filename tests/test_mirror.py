"""LocalMirrorMiddleware: every URL but the local endpoints served from /mirror/<scheme>/<host>/<path>."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler

from crawler.scrapy.middlewares.mirror import LocalMirrorMiddleware
from tests.conftest import project_crawler

MIRROR = "http://127.0.0.1:8999"
ENDPOINTS = {
    "NEWSARCHIVE_WIKI_API": "http://127.0.0.1:7000/w/api.php",
    "NEWSARCHIVE_WAYBACK_URL": "https://web.archive.org",
    "NEWSARCHIVE_COMMONCRAWL_URL": "http://localhost:7001/cc",
    "NEWSARCHIVE_COMMONCRAWL_DATA_URL": "",
}


def make_mw(**settings):
    crawler = project_crawler(**{"NEWSARCHIVE_MIRROR": MIRROR, **ENDPOINTS, **settings})
    return build_from_crawler(LocalMirrorMiddleware, crawler)


@pytest.fixture
def mw():
    return make_mw()


def test_not_configured_without_a_mirror():
    with pytest.raises(NotConfigured):
        make_mw(NEWSARCHIVE_MIRROR="")


def test_url_is_rewritten_in_place_to_the_mirror(mw):
    req = Request("https://news.example.org/world/story-1?page=2&lang=en")
    assert mw.process_request(req) is None  # the same request goes on, not a new one through the scheduler
    assert req.url == "http://127.0.0.1:8999/mirror/https/news.example.org/world/story-1?page=2&lang=en"
    assert req.meta["mirror_original"] == "https://news.example.org/world/story-1?page=2&lang=en"


def test_download_slot_stays_the_original_host(mw):
    req = Request("http://News.Example.org:8080/a")
    mw.process_request(req)
    assert req.url == "http://127.0.0.1:8999/mirror/http/news.example.org:8080/a"
    assert req.meta["download_slot"] == "news.example.org"


def test_a_slot_chosen_by_the_spider_is_kept(mw):
    req = Request("https://web.archive.org/cdx/search/cdx?url=x", meta={"download_slot": "wayback"})
    mw.process_request(req)
    assert req.url.startswith(MIRROR + "/mirror/https/web.archive.org/cdx/search/cdx")
    assert req.meta["download_slot"] == "wayback"


def test_a_path_less_url_gets_the_root(mw):
    req = Request("https://news.example.org")
    mw.process_request(req)
    assert req.url == "http://127.0.0.1:8999/mirror/https/news.example.org/"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:7000/w/api.php?action=query&titles=X", "http://localhost:7001/cc/collinfo.json"]
)
def test_local_endpoints_are_used_as_they_are(mw, url):
    req = Request(url)
    assert mw.process_request(req) is None
    assert req.url == url
    assert "mirror_original" not in req.meta and "download_slot" not in req.meta


def test_a_remote_endpoint_goes_to_the_mirror_too(mw):
    """A real archive endpoint is never reached from a test or the demo: it is mirrored like any page."""
    req = Request("https://web.archive.org/web/20140213000000id_/http://gone.example.com/story")
    mw.process_request(req)
    assert (
        req.url
        == MIRROR + "/mirror/https/web.archive.org/web/20140213000000id_/http://gone.example.com/story"
    )


def test_remote_wiki_api_is_mirrored():
    mw = make_mw(NEWSARCHIVE_WIKI_API="https://en.wikipedia.org/w/api.php")
    req = Request("https://en.wikipedia.org/w/api.php?action=query")
    mw.process_request(req)
    assert req.url == MIRROR + "/mirror/https/en.wikipedia.org/w/api.php?action=query"


def test_a_mirrored_url_is_not_rewritten_twice(mw):
    req = Request("https://news.example.org/a")
    mw.process_request(req)
    once = req.url
    mw.process_request(req)  # a retry or redirect copy passes through again
    assert req.url == once


def test_non_http_urls_are_left_alone(mw):
    req = Request("data:text/plain,hello")
    assert mw.process_request(req) is None
    assert req.url == "data:text/plain,hello"
    assert "mirror_original" not in req.meta


def test_response_gets_the_original_url_back(mw):
    req = Request("https://news.example.org/a?b=1")
    mw.process_request(req)
    resp = HtmlResponse(req.url, body=b"<html></html>", request=req)
    out = mw.process_response(req, resp)
    assert out is resp
    assert out.url == "https://news.example.org/a?b=1"


def test_response_of_an_endpoint_keeps_its_url(mw):
    url = "http://127.0.0.1:7000/w/api.php?action=query"
    req = Request(url)
    mw.process_request(req)
    resp = HtmlResponse(url, body=b"{}", request=req)
    assert mw.process_response(req, resp).url == url


def test_a_redirect_followed_inside_the_mirror_gets_its_own_original_url(mw):
    """A relative Location is joined to the mirror URL by Scrapy's redirect middleware (it sees the response
    before this middleware restores its URL), and the hop carries the first request's meta along: the final
    response must still get the URL it was fetched for, not the first hop's."""
    from scrapy.downloadermiddlewares.redirect import RedirectMiddleware

    crawler = project_crawler()
    crawler.spider = crawler._create_spider("test")
    redirect = build_from_crawler(RedirectMiddleware, crawler)
    first = Request("https://news.example.org/2014/old-story")
    mw.process_request(first)
    hop = redirect.process_response(
        first, Response(first.url, status=301, headers={"Location": "new-story"}, request=first)
    )
    assert hop.url == MIRROR + "/mirror/https/news.example.org/2014/new-story"
    mw.process_request(hop)
    final = mw.process_response(hop, HtmlResponse(hop.url, body=b"<html></html>", request=hop))
    assert final.url == "https://news.example.org/2014/new-story"
