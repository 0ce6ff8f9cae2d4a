"""The spider's entity resolution and Wikidata requests (crawler.scrapy.entity_requests), driven with fake API
responses through a crawler made with the project's settings (no server, no engine)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy.exceptions import DontCloseSpider
from scrapy.http import TextResponse
from twisted.python.failure import Failure

from crawler.items import DayPage, EntityBatch, EntityResolution, WikidataBatch
from crawler.scrapy.spiders.portal import PortalSpider
from crawler.storage.entities import save_resolutions
from crawler.storage.schema import open_db
from tests.conftest import project_crawler

API = "http://wiki.test/w/api.php"
WIKIDATA = "http://wikidata.test/w/api.php"
DAY = """{{Current events|year=2014|month=02|day=12|content=
;International relations
*[[Egypt–Russia relations]]:
**Ministers arrive in [[Moscow]] for talks with [[Sergey Lavrov]] and [[Sergey Shoygu]]. [http://a.example/1 (A)]
*[[China]] and [[Taiwan]] meet in [[Nanjing]]; [[Moscow]] watches. [http://a.example/2 (A)]
}}"""
# the day's titles in page order: the story name, then each link once
TITLES = ["Egypt–Russia relations", "Moscow", "Sergey Lavrov", "Sergey Shoygu", "China", "Taiwan", "Nanjing"]


@pytest.fixture
def spider(tmp_path):
    return make_spider(tmp_path)


def make_spider(tmp_path, **settings):
    crawler = project_crawler(PortalSpider, NEWSARCHIVE_DB=str(tmp_path / "a.db"), NEWSARCHIVE_WIKI_API=API,
                              NEWSARCHIVE_WIKIDATA_API=WIKIDATA, NEWSARCHIVE_RETRY_AFTER_MAX=0,
                              NEWSARCHIVE_FOLLOW_SOURCES=False, **settings)
    spider = PortalSpider.from_crawler(crawler, date="2014-02-12")
    spider._days_done = False
    return spider


def respond(request: scrapy.Request, data, headers=None) -> TextResponse:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return TextResponse(request.url, body=body, encoding="utf-8", request=request, headers=headers)


def collect(agen) -> list:
    async def run():
        return [x async for x in agen]
    return asyncio.run(run())


def day_answer(request):
    return respond(request, {"batchcomplete": True, "query": {"pages": [
        {"pageid": 1, "ns": 100, "title": "Portal:Current events/2014 February 12",
         "revisions": [{"revid": 77, "timestamp": "2014-02-13T00:00:00Z",
                        "slots": {"main": {"content": DAY}}}]}]}})


def titles_of(request) -> list[str]:
    return parse_qs(urlsplit(request.url).query)["titles"][0].split("|")


def test_titles_batched_and_the_last_batch_sent_when_the_days_end(tmp_path):
    spider = make_spider(tmp_path, NEWSARCHIVE_TITLES_PER_REQUEST=3)
    out = collect(spider.parse_api(day_answer(spider._api_request(["Portal:Current events/2014 February 12"]))))
    requests = [o for o in out if isinstance(o, scrapy.Request)]
    assert [type(o) for o in out[:1]] == [DayPage]
    assert [titles_of(r) for r in requests] == [TITLES[0:3], TITLES[3:6], TITLES[6:7]]  # ceil(7 / 3) = 3
    for r in requests:
        q = parse_qs(urlsplit(r.url).query)
        assert r.url.startswith(API) and q["prop"] == ["pageprops|coordinates|info"] and q["maxlag"] == ["5"]
        assert r.meta["download_slot"] == "wiki-api" and r.meta["dont_obey_robotstxt"]
        assert r.meta["autothrottle_dont_adjust_delay"] and r.callback == spider.parse_entities
    assert spider.crawler.stats.get_value("newsarchive/entities/requests") == 3


def test_titles_resolved_recently_are_not_asked_again(tmp_path):
    db = open_db(tmp_path / "a.db")
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    save_resolutions(db, EntityBatch([EntityResolution("Moscow", "ok", canonical_title="Moscow"),
                                      EntityResolution("China", "ok", canonical_title="China")], now))
    save_resolutions(db, EntityBatch([EntityResolution("Taiwan", "ok", canonical_title="Taiwan")],
                                     "2020-01-01T00:00:00+00:00"))  # older than 90 days: asked again
    db.close()
    spider = make_spider(tmp_path)
    out = collect(spider.parse_api(day_answer(spider._api_request(["Portal:Current events/2014 February 12"]))))
    (request,) = [o for o in out if isinstance(o, scrapy.Request)]
    assert titles_of(request) == [t for t in TITLES if t not in ("Moscow", "China")]


def test_resolution_off_sends_nothing(tmp_path):
    spider = make_spider(tmp_path, NEWSARCHIVE_RESOLVE_ENTITIES=False)
    out = collect(spider.parse_api(day_answer(spider._api_request(["Portal:Current events/2014 February 12"]))))
    assert not [o for o in out if isinstance(o, scrapy.Request)]


def test_continued_answer_then_one_batch_item(spider):
    request = spider.entities.resolve_request(["Moscow", "Sergey Shoygu", "Red"])
    first = {"continue": {"cocontinue": "5|0", "continue": "||pageprops|info"}, "query": {
        "redirects": [{"from": "Sergey Shoygu", "to": "Sergei Shoigu"}],
        "pages": [{"pageid": 4, "ns": 0, "title": "Sergei Shoigu", "lastrevid": 40,
                   "pageprops": {"wikibase_item": "Q193509"}},
                  {"pageid": 5, "ns": 0, "title": "Moscow", "lastrevid": 50, "pageprops": {"wikibase_item": "Q649"}},
                  {"ns": 0, "title": "Red", "missing": True}]}}
    (cont,) = collect(spider.parse_entities(respond(request, first)))
    assert isinstance(cont, scrapy.Request) and parse_qs(urlsplit(cont.url).query)["cocontinue"] == ["5|0"]
    assert cont.meta["entity_titles"] == ["Moscow", "Sergey Shoygu", "Red"] and cont.meta["entity_parts"] == 1
    second = {"batchcomplete": True, "query": {
        "redirects": [{"from": "Sergey Shoygu", "to": "Sergei Shoigu"}],
        "pages": [{"pageid": 4, "ns": 0, "title": "Sergei Shoigu"},
                  {"pageid": 5, "ns": 0, "title": "Moscow",
                   "coordinates": [{"lat": 55.75, "lon": 37.62, "primary": True, "globe": "earth"}]},
                  {"ns": 0, "title": "Red", "missing": True}]}}
    (batch,) = collect(spider.parse_entities(respond(cont, second)))
    assert isinstance(batch, EntityBatch)
    got = {r.title: r for r in batch.resolutions}
    assert (got["Moscow"].qid, got["Moscow"].lat, got["Moscow"].revision_id) == ("Q649", 55.75, 50)
    assert (got["Sergey Shoygu"].canonical_title, got["Sergey Shoygu"].qid) == ("Sergei Shoigu", "Q193509")
    assert got["Red"].status == "missing"


def test_maxlag_is_retried_and_other_errors_recorded(spider):
    request = spider.entities.resolve_request(["Moscow", "Cairo"])
    lag = {"error": {"code": "maxlag", "info": "Waiting for db: 7 seconds lagged.", "lag": 7}}
    (retry,) = collect(spider.parse_entities(respond(request, lag, {"Retry-After": "0"})))
    assert isinstance(retry, scrapy.Request) and retry.url == request.url and retry.meta["retry_times"] == 1
    (batch,) = collect(spider.parse_entities(respond(request, {"error": {"code": "badvalue", "info": "No."}})))
    assert [(r.title, r.status) for r in batch.resolutions] == [("Moscow", "api_error"), ("Cairo", "api_error")]
    assert batch.resolutions[0].error == "api_error: MediaWiki API error badvalue: No."
    (batch,) = collect(spider.parse_entities(respond(request, b"<html>oops</html>")))
    assert batch.resolutions[0].status == "api_error" and "unreadable answer" in batch.resolutions[0].error


def test_a_failed_request_records_api_error(spider):
    request = spider.entities.resolve_request(["Moscow"])
    failure = Failure(ConnectionRefusedError("Connection was refused"))
    failure.request = request
    (batch,) = spider.entities_failed(failure)
    assert batch.resolutions[0].status == "api_error" and "refused" in batch.resolutions[0].error


def test_wikidata_items_then_labels_at_idle(tmp_path):
    spider = make_spider(tmp_path, NEWSARCHIVE_WIKIDATA=True)
    scheduled = []
    spider.crawler.engine = SimpleNamespace(crawl=scheduled.append)
    request = spider.entities.resolve_request(["Cairo", "Moscow"])
    answer = {"query": {"pages": [
        {"pageid": 1, "title": "Cairo", "pageprops": {"wikibase_item": "Q85"}},
        {"pageid": 2, "title": "Moscow", "pageprops": {"wikibase_item": "Q649"}}]}}
    out = collect(spider.parse_entities(respond(request, answer)))
    assert [type(o) for o in out] == [EntityBatch]  # 2 item ids: less than a batch, they wait
    spider._idle_entities()  # the days are not all read yet: nothing goes
    assert scheduled == []
    spider._days_done = True
    with pytest.raises(DontCloseSpider):
        spider._idle_entities()
    (items_request,) = scheduled
    q = parse_qs(urlsplit(items_request.url).query)
    assert items_request.url.startswith(WIKIDATA) and q["ids"] == ["Q85|Q649"]
    assert q["props"] == ["labels|descriptions|claims"] and items_request.meta["download_slot"] == "wikidata"
    claim = {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "Q515"}}}, "rank": "normal"}
    wd = {"entities": {"Q85": {"id": "Q85", "labels": {"en": {"value": "Cairo"}},
                               "claims": {"P31": [claim], "P17": [dict(claim, mainsnak={
                                   "snaktype": "value", "datavalue": {"value": {"id": "Q79"}}})],
                                          "P625": [{}]}},
                       "Q649": {"id": "Q649", "missing": ""}}}
    (batch,) = collect(spider.parse_wikidata(respond(items_request, wd)))
    assert isinstance(batch, WikidataBatch) and [(i.qid, i.status) for i in batch.items] == [
        ("Q85", "ok"), ("Q649", "missing")]
    assert batch.items[0].types == ["Q515"] and batch.items[0].country == "Q79"
    with pytest.raises(DontCloseSpider):
        spider._idle_entities()
    labels_request = scheduled[-1]
    assert parse_qs(urlsplit(labels_request.url).query)["ids"] == ["Q515|Q79"]
    assert parse_qs(urlsplit(labels_request.url).query)["props"] == ["labels"]
    (labels,) = collect(spider.parse_wikidata(respond(labels_request, {"error": {"code": "x", "info": "y"}})))
    assert [(x.qid, x.status) for x in labels.labels] == [("Q515", "api_error"), ("Q79", "api_error")]
    spider._idle_entities()  # nothing left: the spider may close
    assert len(scheduled) == 2
