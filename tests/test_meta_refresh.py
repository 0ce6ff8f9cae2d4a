"""QuickMetaRefreshMiddleware: Scrapy's meta-refresh redirect, without decoding pages that cannot hold the tag."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.scrapy.middlewares.meta_refresh import QuickMetaRefreshMiddleware

REFRESH = '<html><head><meta http-equiv="Refresh" content="0; url=/story-2014"></head><body></body></html>'
PLAIN = "<html><head><title>A page</title></head><body>" + "<p>Nothing moves here.</p>" * 500 + "</body></html>"


@pytest.fixture
def mw():
    return build_from_crawler(QuickMetaRefreshMiddleware, get_crawler(settings_dict={}))


def response(body: bytes, encoding: str | None = None) -> HtmlResponse:
    headers = {"Content-Type": f"text/html; charset={encoding}"} if encoding else {}
    return HtmlResponse("https://news.example.org/old", body=body, headers=headers)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_refresh_tag_is_followed(mw, encoding):
    req = Request("https://news.example.org/old")
    out = mw.process_response(req, response(REFRESH.encode(encoding), encoding))
    assert isinstance(out, Request) and out.url == "https://news.example.org/story-2014"


def test_page_without_the_tag_is_passed_on_undecoded(mw):
    resp = response(PLAIN.encode("utf-8"))
    assert mw.process_response(Request(resp.url), resp) is resp
    assert resp._cached_ubody is None  # Scrapy's decoded-text cache: never filled


def test_tag_beyond_the_scanned_head_is_ignored_as_in_scrapy(mw):
    late = PLAIN.replace("</body>", '<meta http-equiv="refresh" content="0; url=/x"></body>')
    resp = response(late.encode("utf-8"))
    assert mw.process_response(Request(resp.url), resp) is resp
