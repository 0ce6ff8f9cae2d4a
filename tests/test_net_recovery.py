"""crawler.net.recovery: the dead-source recovery chain, step by step, as plain values."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.net import recovery as rc

WB, CCI, CCD = "http://wb.test", "http://cc-index.test", "http://cc-data.test"
# the CDX chain (the nearest-capture lookup first: NEAREST, further down)
ARCHIVES = rc.Archives(wayback=WB, cc_index=CCI, cc_data=CCD, captures_to_try=2, enabled=True, nearest_first=False)
NO_CC = rc.Archives(wayback=WB, cc_index="", cc_data="", captures_to_try=2, enabled=True, nearest_first=False)
OFF = rc.Archives(wayback=WB, cc_index=CCI, cc_data=CCD, captures_to_try=2, enabled=False, nearest_first=False)
NEAREST = rc.Archives(wayback=WB, cc_index=CCI, cc_data=CCD, captures_to_try=2, enabled=True)
URL = "http://news.example.com/2014/02/13/story.html"
DAY = "2014-02-13"


def live_step(**kw) -> rc.Step:
    return rc.start(URL, URL, DAY, ARCHIVES, **kw)


def cdx_body(*timestamps: str) -> bytes:
    rows = [["timestamp", "original", "statuscode", "mimetype"]]
    rows += [[ts, URL, "200", "text/html"] for ts in timestamps]
    return json.dumps(rows).encode()


def test_a_plain_citation_starts_live_and_is_stored_as_fetched():
    step = live_step()
    assert (step.stage, step.url, step.slot, step.headers) == ("live", URL, None, {})
    out = rc.on_response(step.plan, ARCHIVES, url=URL + "?x", status=200, body=b"<html>", content_type="text/html")
    assert out.step is None
    assert (out.record.kind, out.record.final_url, out.record.body, out.record.recovered_from) == (
        "fetched", URL + "?x", b"<html>", None)


def test_known_validators_make_a_conditional_fetch_and_304_is_not_modified():
    step = live_step(validators={"etag": '"v1"', "last_modified": "Thu, 13 Feb 2014 10:00:00 GMT"})
    assert step.headers == {"If-None-Match": '"v1"', "If-Modified-Since": "Thu, 13 Feb 2014 10:00:00 GMT"}
    assert rc.on_response(step.plan, ARCHIVES, url=URL, status=304, body=b"").record.kind == "not_modified"


def test_a_live_404_is_recorded_and_the_wayback_asked_for_captures_around_the_event_day():
    step = live_step()
    out = rc.on_failure(step.plan, ARCHIVES, status="http_error", error="HTTP 404", http_status=404)
    assert (out.record.kind, out.record.status, out.record.error) == ("failed", "http_error", "HTTP 404")
    assert out.step.stage == "cdx" and out.step.slot == "wayback"
    assert out.step.url.startswith(WB + "/cdx/search/cdx?") and "from=20130213" in out.step.url
    assert "to=20150213" in out.step.url and "filter=statuscode%3A200" in out.step.url
    assert out.step.plan.failure == {"failure_status": "http_error", "failure_error": "HTTP 404",
                                     "after_live_failure": True}


@pytest.mark.parametrize("status,http_status", [("robots_denied", None), ("blocked_address", None),
                                                ("http_error", 401), ("not_html", None)])
def test_failures_no_archive_can_mend_end_the_chain(status, http_status):
    out = rc.on_failure(live_step().plan, ARCHIVES, status=status, error="x", http_status=http_status)
    assert out.record.kind == "failed" and out.step is None


def test_with_the_fallback_off_a_failure_ends_the_chain():
    step = rc.start(URL, URL, DAY, OFF)
    out = rc.on_failure(step.plan, OFF, status="http_error", error="HTTP 404", http_status=404)
    assert out.record.kind == "failed" and out.step is None
    assert rc.after_extraction(step.plan, OFF, "soft_404", "soft 404") is None


def test_the_nearest_captures_are_tried_in_turn_then_common_crawl():
    cdx = rc.on_failure(live_step().plan, ARCHIVES, status="timeout", error="t").step
    out = rc.on_response(cdx.plan, ARCHIVES, url=cdx.url, status=200,
                         body=cdx_body("20100101000000", "20140215080000", "20140201000000"))
    first = out.step
    assert first.stage == "capture" and first.url == f"{WB}/web/20140215080000id_/{URL}"
    second = rc.on_failure(first.plan, ARCHIVES, status="http_error", error="HTTP 502", http_status=502).step
    assert second.url == f"{WB}/web/20140201000000id_/{URL}"  # captures_to_try = 2: the third is not tried
    after = rc.on_failure(second.plan, ARCHIVES, status="timeout", error="t").step
    assert after.stage == "cc_collinfo" and after.url == f"{CCI}/collinfo.json" and after.slot == "commoncrawl"


def test_a_capture_is_stored_with_its_provenance_and_the_live_failure():
    cdx = rc.on_failure(live_step().plan, ARCHIVES, status="http_error", error="HTTP 410", http_status=410).step
    cap = rc.on_response(cdx.plan, ARCHIVES, url=cdx.url, status=200, body=cdx_body("20140215080000")).step
    rec = rc.on_response(cap.plan, ARCHIVES, url=cap.url, status=200, body=b"<html>old</html>").record
    assert (rec.kind, rec.recovered_from, rec.archive_timestamp, rec.archive_url, rec.final_url) == (
        "fetched", "wayback", "20140215080000", cap.url, URL)
    assert rec.failure == {"failure_status": "http_error", "failure_error": "HTTP 410", "after_live_failure": True}


@pytest.mark.parametrize("body", [b"", b"[]", b"not json", cdx_body()])
def test_no_usable_capture_gives_up_without_common_crawl(body):
    cdx = rc.on_failure(rc.start(URL, URL, DAY, NO_CC).plan, NO_CC, status="dns_error", error="d").step
    out = rc.on_response(cdx.plan, NO_CC, url=cdx.url, status=200, body=body)
    assert out.step is None and out.record.kind == "archive_miss"
    assert out.record.failure == {"failure_status": "dns_error", "failure_error": "d", "after_live_failure": True}


def test_a_page_without_an_article_goes_to_the_archive_after_extraction():
    step = live_step()
    assert rc.after_extraction(step.plan, ARCHIVES, "ok", None) is None
    nxt = rc.after_extraction(step.plan, ARCHIVES, "soft_404", "soft 404: the page says 'Page not found'")
    assert nxt.stage == "cdx" and nxt.plan.failure_status == "soft_404"
    cap = rc.on_response(nxt.plan, ARCHIVES, url=nxt.url, status=200, body=cdx_body("20140213090000")).step
    assert rc.after_extraction(cap.plan, ARCHIVES, "empty_extraction", "e") is None  # a capture is not re-searched


def test_a_cited_capture_is_fetched_raw_and_others_are_searched_when_it_fails():
    cited = f"https://web.archive.org/web/20140214101010/{URL}"
    step = rc.start(URL, cited, DAY, ARCHIVES)
    assert step.stage == "cited_capture" and step.url == f"{WB}/web/20140214101010id_/{URL}"
    ok = rc.on_response(step.plan, ARCHIVES, url=step.url, status=200, body=b"x").record
    assert ok.recovered_from == "wayback"
    assert ok.failure == {"failure_status": None, "failure_error": None, "after_live_failure": False}
    again = rc.on_failure(step.plan, ARCHIVES, status="http_error", error="HTTP 503", http_status=503).step
    assert again.stage == "cdx" and again.plan.failure_status == "archive_capture_failed"
    assert rc.start(URL, cited, DAY, OFF).stage == "cited_capture"  # fetched raw even with the fallback off


def test_a_dead_link_goes_to_the_archive_first_and_live_after_all_when_nothing_is_archived():
    step = rc.start(URL, URL, DAY, NO_CC, marked_dead=True)
    assert step.stage == "cdx" and step.plan.failure_status == "reported_dead"
    out = rc.on_response(step.plan, NO_CC, url=step.url, status=200, body=b"[]")
    assert out.record is None and out.step.stage == "live" and out.step.url == URL
    assert out.step.plan.failure_status is None
    # searched in vain once: a live failure or an empty page does not search again
    again = rc.on_failure(out.step.plan, NO_CC, status="http_error", error="HTTP 404", http_status=404)
    assert again.record.kind == "failed" and again.step is None
    assert rc.after_extraction(out.step.plan, NO_CC, "soft_404", "s") is None
    # a conditional refetch of a known source skips the archive
    assert rc.start(URL, URL, DAY, NO_CC, marked_dead=True, validators={"etag": "e"}).stage == "live"


def cc_warc(url: str, html: bytes) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=headers))
    return buf.getvalue()


def test_common_crawl_collection_index_and_record():
    cdx = rc.on_failure(live_step().plan, ARCHIVES, status="http_error", error="HTTP 404", http_status=404).step
    coll = rc.on_response(cdx.plan, ARCHIVES, url=cdx.url, status=200, body=b"[]").step
    collections = [{"id": "CC-MAIN-2013-20", "cdx-api": f"{CCI}/CC-MAIN-2013-20-index"},
                   {"id": "CC-MAIN-2014-10", "cdx-api": f"{CCI}/CC-MAIN-2014-10-index"}]
    index = rc.on_response(coll.plan, ARCHIVES, url=coll.url, status=200, body=json.dumps(collections).encode()).step
    assert index.stage == "cc_index" and index.url.startswith(f"{CCI}/CC-MAIN-2014-10-index?")
    line = {"url": URL, "timestamp": "20140307000000", "status": "200", "filename": "crawl/a b.warc.gz",
            "offset": "100", "length": "50"}
    fetch = rc.on_response(index.plan, ARCHIVES, url=index.url, status=200, body=json.dumps(line).encode()).step
    assert fetch.url == f"{CCD}/crawl/a%20b.warc.gz" and fetch.headers == {"Range": "bytes=100-149"}
    rec = rc.on_response(fetch.plan, ARCHIVES, url=fetch.url, status=206, body=cc_warc(URL, b"<p>cc</p>")).record
    assert (rec.recovered_from, rec.body, rec.http_status, rec.archive_url, rec.archive_timestamp) == (
        "commoncrawl", b"<p>cc</p>", 200, f"{fetch.url}#100", "20140307000000")
    assert rec.content_type.startswith("text/html")
    broken = rc.on_response(fetch.plan, ARCHIVES, url=fetch.url, status=206, body=gzip.compress(b"junk"))
    assert broken.record.kind == "archive_miss"


def test_common_crawl_failures_give_up():
    coll = rc.on_failure(rc.on_failure(live_step().plan, ARCHIVES, status="timeout", error="t").step.plan, ARCHIVES,
                         status="timeout", error="t").step
    assert coll.stage == "cc_collinfo"
    assert rc.on_failure(coll.plan, ARCHIVES, status="timeout", error="t").record.kind == "archive_miss"
    assert rc.on_response(coll.plan, ARCHIVES, url=coll.url, status=200, body=b"{}").record.kind == "archive_miss"


def test_a_plan_survives_the_meta_round_trip():
    cdx = rc.on_failure(live_step().plan, ARCHIVES, status="timeout", error="t").step
    cap = rc.on_response(cdx.plan, ARCHIVES, url=cdx.url, status=200, body=cdx_body("20140215080000")).step
    meta = json.loads(json.dumps(cap.plan.to_meta()))  # what a distributed frontier keeps
    assert rc.Plan.from_meta(meta) == cap.plan


# --- the nearest capture first ------------------------------------------------------------------------------

def nearest_step(**kw) -> rc.Step:
    return rc.on_failure(rc.start(URL, URL, DAY, NEAREST).plan, NEAREST, status="http_error", error="HTTP 404",
                         http_status=404, **kw).step


def test_a_failed_source_asks_for_the_capture_nearest_the_event_day_in_one_request():
    step = nearest_step()
    assert step.stage == "nearest" and step.slot == "wayback"
    assert step.url == f"{WB}/web/20140213120000id_/{URL}"  # the Wayback redirects it to the nearest capture
    landed = f"{WB}/web/20140215080000id_/{URL}"
    rec = rc.on_response(step.plan, NEAREST, url=landed, status=200, body=b"<html>old</html>").record
    assert (rec.kind, rec.recovered_from, rec.archive_timestamp, rec.archive_url, rec.final_url) == (
        "fetched", "wayback", "20140215080000", landed, URL)
    assert rec.failure["failure_status"] == "http_error" and rec.failure["after_live_failure"]


def test_a_nearest_capture_outside_the_window_means_none_is_near():
    step = nearest_step()
    far = f"{WB}/web/20160101000000id_/{URL}"  # the nearest capture is ~2 years off: the CDX window has none
    out = rc.on_response(step.plan, NEAREST, url=far, status=200, body=b"x")
    assert out.record is None and out.step.stage == "cc_collinfo"
    edge = f"{WB}/web/20150213110000id_/{URL}"  # 364 days 23 hours after the event day's noon
    assert rc.on_response(step.plan, NEAREST, url=edge, status=200, body=b"x").record.kind == "fetched"


def test_never_archived_skips_the_cdx_index_and_an_archived_error_page_asks_it():
    step = nearest_step()
    never = rc.on_failure(step.plan, NEAREST, status="http_error", error="HTTP 404", http_status=404)
    assert never.step.stage == "cc_collinfo"
    captured_404 = rc.on_failure(step.plan, NEAREST, status="http_error", error="HTTP 404", http_status=404,
                                 archived=True)
    assert captured_404.step.stage == "cdx" and "filter=statuscode%3A200" in captured_404.step.url
    for status, http in (("timeout", None), ("http_error", 503)):  # the lookup itself failed: the index
        assert rc.on_failure(step.plan, NEAREST, status=status, error="e", http_status=http).step.stage == "cdx"


def test_nearest_without_any_other_archive_gives_up_and_a_dead_link_goes_live():
    only_wb = rc.Archives(wayback=WB, cc_index="", cc_data="", captures_to_try=2, enabled=True)
    step = rc.start(URL, URL, DAY, only_wb, marked_dead=True)
    assert step.stage == "nearest"
    out = rc.on_failure(step.plan, only_wb, status="http_error", error="HTTP 404", http_status=404)
    assert out.record is None and out.step.stage == "live" and out.step.url == URL


def test_an_archive_answering_the_nearest_capture_directly_gives_its_memento_time():
    """pywb's default: the capture itself under the asked address, its time in Memento-Datetime (RFC 7089)."""
    step = nearest_step()
    out = rc.on_response(step.plan, NEAREST, url=step.url, status=200, body=b"x",
                         memento="Fri, 14 Feb 2014 09:30:00 GMT")
    assert (out.record.archive_timestamp, out.record.final_url) == ("20140214093000", URL)
    far = rc.on_response(step.plan, NEAREST, url=step.url, status=200, body=b"x", memento="Mon, 01 Feb 2016 00:00:00 GMT")
    assert far.record is None and far.step.stage == "cc_collinfo"
