"""WarcCaptureMiddleware: each exchange that reaches the network written to WARC, with pointers for
storage."""

from __future__ import annotations

import ipaddress

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler
from twisted.internet.error import TimeoutError as TxTimeoutError
from warcio.archiveiterator import ArchiveIterator

from crawler.scrapy.middlewares.warc_capture import WarcCaptureMiddleware
from crawler.scrapy.middlewares.warc_replay import REPLAY_FLAG
from crawler.warc.reader import WarcIndex, read_record
from tests.conftest import project_crawler

PAGE = b"<html><head><title>Flood plan</title></head><body><p>The council approved it.</p></body></html>"
MIRROR = "http://127.0.0.1:8999"


def make_mw(directory, **settings):
    crawler = project_crawler(
        **{
            "NEWSARCHIVE_WARC_DIR": str(directory),
            "NEWSARCHIVE_MIRROR": "",
            "NEWSARCHIVE_CONTACT": "mailto:ops@example.org",
            **settings,
        }
    )
    return build_from_crawler(WarcCaptureMiddleware, crawler), crawler.stats


def records(directory):
    """(type, target URI, record) of every record in the directory's WARC files, in order."""
    out = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                body = rec.content_stream().read()
                out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"), rec, body))
    return out


def exchange(mw, request, response):
    assert mw.process_request(request) is None
    return mw.process_response(request, response)


def test_not_configured_without_a_directory(tmp_path):
    with pytest.raises(NotConfigured):
        make_mw("")


def test_a_response_and_its_request_are_recorded(tmp_path):
    mw, stats = make_mw(tmp_path)
    req = Request("https://news.example.org/flood?x=1", headers={"User-Agent": "test-agent"})
    resp = HtmlResponse(
        req.url, status=200, body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"}, request=req
    )
    assert exchange(mw, req, resp) is resp
    mw.close()
    recs = [r for r in records(tmp_path) if r[0] != "warcinfo"]
    assert [(kind, uri) for kind, uri, _, _ in recs] == [
        ("response", "https://news.example.org/flood?x=1"),
        ("request", "https://news.example.org/flood?x=1"),
    ]
    response_rec, request_rec = recs[0][2], recs[1][2]
    assert recs[0][3] == PAGE
    assert response_rec.http_headers.get_statuscode() == "200"
    assert (request_rec.http_headers.protocol, request_rec.http_headers.statusline) == (
        "GET",
        "/flood?x=1 HTTP/1.1",
    )
    assert request_rec.http_headers.get_header("User-Agent") == "test-agent"
    assert stats.get_value("newsarchive/warc/exchanges") == 1


def test_the_request_points_at_its_response_record(tmp_path):
    mw, _stats = make_mw(tmp_path)
    req = Request("https://news.example.org/a")
    exchange(mw, req, HtmlResponse(req.url, status=404, body=b"gone", request=req))
    mw.close()
    name, offset = req.meta["warc_record"]
    stored = read_record(tmp_path / name, offset)
    assert stored.url == "https://news.example.org/a"
    assert stored.status == 404 and stored.body == b"gone"


def test_each_hop_is_recorded(tmp_path):
    mw, stats = make_mw(tmp_path)
    first = Request("http://news.example.org/old")
    exchange(
        mw,
        first,
        Response(first.url, status=301, headers={"Location": "https://news.example.org/new"}, request=first),
    )
    second = first.replace(url="https://news.example.org/new")  # the redirect's copy carries the meta along
    exchange(mw, second, HtmlResponse(second.url, body=PAGE, request=second))
    mw.close()
    responses = [
        (uri, rec.http_headers.get_statuscode())
        for kind, uri, rec, _ in records(tmp_path)
        if kind == "response"
    ]
    assert responses == [("http://news.example.org/old", "301"), ("https://news.example.org/new", "200")]
    assert read_record(tmp_path / second.meta["warc_record"][0], second.meta["warc_record"][1]).status == 200
    assert stats.get_value("newsarchive/warc/exchanges") == 2


def test_the_mirror_url_is_recorded_as_the_original(tmp_path):
    mw, _stats = make_mw(tmp_path, NEWSARCHIVE_MIRROR=MIRROR)
    req = Request(
        MIRROR + "/mirror/https/news.example.org/world/story?id=7",
        meta={"mirror_original": "https://news.example.org/world/story?id=7"},
    )
    resp = HtmlResponse(req.url, body=PAGE, request=req, ip_address=ipaddress.ip_address("127.0.0.1"))
    exchange(mw, req, resp)
    mw.close()
    recs = [r for r in records(tmp_path) if r[0] in ("response", "request")]
    assert {uri for _, uri, _, _ in recs} == {"https://news.example.org/world/story?id=7"}
    # the mirror's loopback address is not the origin's: no IP is recorded
    assert recs[0][2].rec_headers.get_header("WARC-IP-Address") is None
    info = next(r for r in records(tmp_path) if r[0] == "warcinfo")[3].decode()
    assert "newsarchive-mirror" in info


def test_the_server_address_is_recorded(tmp_path):
    mw, _stats = make_mw(tmp_path)
    req = Request("https://news.example.org/a")
    exchange(
        mw,
        req,
        HtmlResponse(req.url, body=PAGE, request=req, ip_address=ipaddress.ip_address("93.184.216.34")),
    )
    mw.close()
    response_rec = next(r for r in records(tmp_path) if r[0] == "response")[2]
    assert response_rec.rec_headers.get_header("WARC-IP-Address") == "93.184.216.34"


def test_warcinfo_names_the_operator_and_the_robots_policy(tmp_path):
    mw, _stats = make_mw(tmp_path)
    req = Request("https://news.example.org/a")
    exchange(mw, req, HtmlResponse(req.url, body=PAGE, request=req))
    mw.close()
    kind, _, _, body = records(tmp_path)[0]
    assert kind == "warcinfo"
    fields = dict(line.split(": ", 1) for line in body.decode().splitlines() if ": " in line)
    assert fields["operator"] == "mailto:ops@example.org"
    assert fields["robots"] == "obey"


@pytest.mark.parametrize("flag", [REPLAY_FLAG, "cached"])
def test_replayed_and_cached_responses_are_not_recorded(tmp_path, flag):
    mw, stats = make_mw(tmp_path)
    req = Request("https://news.example.org/a")
    resp = HtmlResponse(req.url, body=PAGE, request=req, flags=[flag])
    assert exchange(mw, req, resp) is resp
    mw.close()
    assert records(tmp_path) == []
    assert "warc_record" not in req.meta
    assert stats.get_value("newsarchive/warc/exchanges") is None


def test_a_failure_after_sending_is_recorded_as_metadata(tmp_path):
    mw, stats = make_mw(tmp_path)
    req = Request("https://slow.example.org/story")
    assert mw.process_request(req) is None
    assert mw.process_exception(req, TxTimeoutError("User timeout caused connection failure.")) is None
    mw.close()
    kinds = [(kind, uri) for kind, uri, _, _ in records(tmp_path) if kind != "warcinfo"]
    assert kinds == [
        ("metadata", "https://slow.example.org/story"),
        ("request", "https://slow.example.org/story"),
    ]
    status, error = WarcIndex.build([tmp_path]).failure("https://slow.example.org/story")
    assert status == "timeout"
    assert "User timeout" in error
    assert req.meta["warc_record"][0].endswith(".warc.gz")
    assert stats.get_value("newsarchive/warc/failures") == 1


def test_ignore_request_is_not_recorded(tmp_path):
    mw, _stats = make_mw(tmp_path)
    req = Request("https://news.example.org/private")
    mw.process_request(req)
    assert mw.process_exception(req, IgnoreRequest("Forbidden by robots.txt")) is None
    mw.close()
    assert records(tmp_path) == []
    assert "warc_record" not in req.meta


def test_a_request_stopped_before_the_network_is_not_recorded(tmp_path):
    """process_exception of a request that never reached this middleware's process_request (an exception
    raised by a middleware before it) leaves no record, nor does a retried copy of a sent request."""
    mw, _stats = make_mw(tmp_path)
    never_sent = Request("https://news.example.org/a")
    assert mw.process_exception(never_sent, TxTimeoutError()) is None
    sent = Request("https://news.example.org/b")
    mw.process_request(sent)
    retry = sent.copy()  # its meta still carries the mark of the request that was sent
    assert mw.process_exception(retry, TxTimeoutError()) is None
    mw.close()
    assert records(tmp_path) == []


def test_a_write_error_is_counted_and_the_crawl_goes_on(tmp_path, monkeypatch):
    mw, stats = make_mw(tmp_path)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mw.writer, "write_exchange", full_disk)
    req = Request("https://news.example.org/a")
    resp = HtmlResponse(req.url, body=PAGE, request=req)
    assert exchange(mw, req, resp) is resp
    assert "warc_record" not in req.meta
    assert stats.get_value("newsarchive/warc/errors") == 1
    assert stats.get_value("newsarchive/warc/exchanges") is None


def test_close_lists_the_files_written(tmp_path):
    mw, stats = make_mw(tmp_path)
    req = Request("https://news.example.org/a")
    exchange(mw, req, HtmlResponse(req.url, body=PAGE, request=req))
    mw.close()
    files = stats.get_value("newsarchive/warc/files")
    assert files == [p.name for p in tmp_path.glob("*.warc.gz")] and len(files) == 1
    assert files[0].startswith("newsarchive-")
