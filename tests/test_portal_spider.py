"""PortalSpider: API batches of day pages in, DayPage items and source requests out (no download happens)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from types import SimpleNamespace

import pytest
import scrapy
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import DayPage, SourceFetch
from crawler.scrapy.spiders import portal
from crawler.scrapy.spiders.portal import PortalSpider
from crawler.storage.schema import open_db
from crawler.storage.sources import save_source
from tests.conftest import RETRY, project_crawler

API = "http://127.0.0.1:9/w/api.php"
WAYBACK = "https://web.archive.org"
FEB13, FEB14, FEB15 = (
    "Portal:Current events/2014 February 13",
    "Portal:Current events/2014 February 14",
    "Portal:Current events/2014 February 15",
)


def wikitext(day: int, *bullets: str) -> str:
    body = "\n".join(f"*{b}" for b in bullets)
    return (
        f"{{{{Current events|year=2014|month=02|day={day}|content=\n;Politics and elections\n{body}\n}}}}\n"
    )


def make_spider(tmp_path, start="2014-02-13", end=None, **settings):
    values = {
        "NEWSARCHIVE_DB": str(tmp_path / "a.db"),
        "NEWSARCHIVE_WIKI_API": API,
        "NEWSARCHIVE_WAYBACK_URL": WAYBACK,
        "NEWSARCHIVE_COMMONCRAWL_URL": "",
        "NEWSARCHIVE_COMMONCRAWL_DATA_URL": "",
        "NEWSARCHIVE_MAXLAG": 5,
        "NEWSARCHIVE_API_RETRIES": 5,
        "NEWSARCHIVE_RETRY_AFTER_MAX": 120,
        "NEWSARCHIVE_TITLES_PER_REQUEST": 50,
        "NEWSARCHIVE_MAX_BACKLOG": 5000,
        "NEWSARCHIVE_FOLLOW_SOURCES": True,
        "NEWSARCHIVE_ARCHIVE_FALLBACK": True,
        "NEWSARCHIVE_CAPTURES_TO_TRY": 3,
        "NEWSARCHIVE_WAYBACK_NEAREST": False,  # the CDX chain (the nearest-capture lookup: test_source_requests)
        "NEWSARCHIVE_RETRY_DUE_SOURCES": False,
        "NEWSARCHIVE_REFETCH_OK_SOURCES": False,
        "NEWSARCHIVE_REDIS_URL": "",
        **settings,
    }
    crawler = project_crawler(PortalSpider, **values)
    kwargs = {"start": start} if end is None else {"start": start, "end": end}
    spider = PortalSpider.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


async def _collect(agen):
    return [x async for x in agen]


def collect(agen):
    return asyncio.run(_collect(agen))


def first_request(spider) -> scrapy.Request:
    return collect(spider.start())[0]


def page(title, revid, content):
    return {
        "pageid": revid,
        "ns": 100,
        "title": title,
        "revisions": [
            {
                "revid": revid,
                "parentid": revid - 1,
                "timestamp": "2014-02-16T00:00:00Z",
                "slots": {
                    "main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": content}
                },
            }
        ],
    }


def api_answer(request, data, headers=None, status=200, meta=None):
    if meta:
        request.meta.update(meta)
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return TextResponse(
        request.url,
        status=status,
        body=body,
        request=request,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


def answer(*pages, cont=None, normalized=()):
    data = {"batchcomplete": cont is None, "query": {"normalized": list(normalized), "pages": list(pages)}}
    if cont:
        data["continue"] = cont
    return data


@pytest.fixture
def waits(monkeypatch):
    asked: list[float] = []

    async def sleep(seconds, *args, **kwargs):
        asked.append(seconds)

    monkeypatch.setattr(portal.asyncio, "sleep", sleep)
    return asked


def split(out):
    return ([x for x in out if isinstance(x, DayPage)], [x for x in out if isinstance(x, scrapy.Request)])


# --- arguments and the first request ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs", [{}, {"start": "13 Feb 2014"}, {"start": "2014-02-14", "end": "2014-02-13"}]
)
def test_bad_day_arguments_are_refused(tmp_path, kwargs):
    crawler = project_crawler(PortalSpider, NEWSARCHIVE_DB=str(tmp_path / "a.db"))
    with pytest.raises(NotConfigured):
        PortalSpider.from_crawler(crawler, **kwargs)


def test_days_argument_lists_days(tmp_path):
    crawler = project_crawler(PortalSpider, NEWSARCHIVE_DB=str(tmp_path / "a.db"))
    spider = PortalSpider.from_crawler(crawler, days="2014-02-15,2014-02-13")
    assert spider.days == [date(2014, 2, 15), date(2014, 2, 13)]


def test_start_asks_the_api_for_one_batch(tmp_path):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-15", NEWSARCHIVE_TITLES_PER_REQUEST=2)
    out = collect(spider.start())
    assert len(out) == 1
    req = out[0]
    assert req.url.startswith(API + "?")
    assert req.meta["titles"] == [FEB13, FEB14]
    assert (
        "titles=Portal%3ACurrent+events%2F2014+February+13%7CPortal%3ACurrent+events%2F2014+February+14"
        in req.url
    )
    assert "maxlag=5" in req.url and "formatversion=2" in req.url
    assert req.meta["download_slot"] == "wiki-api"
    assert req.meta["dont_obey_robotstxt"] is True
    assert req.callback == spider.parse_api and req.errback == spider.api_failed


# --- answers ------------------------------------------------------------------------------------------------


def test_a_day_page_becomes_an_item_with_its_events(tmp_path, waits):
    spider = make_spider(tmp_path)
    req = first_request(spider)
    text = wikitext(13, "Parliament passes the budget. [https://news.example.org/budget (Example News)]")
    days, requests = split(collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, text))))))
    assert len(days) == 1
    dp = days[0]
    assert (dp.day, dp.title, dp.status, dp.revision_id) == (date(2014, 2, 13), FEB13, "ok", 501)
    assert dp.api_url == req.url and dp.wikitext == text
    assert [e.text for e in dp.events] == ["Parliament passes the budget."]
    assert [r.url for r in requests] == ["https://news.example.org/budget"]


def test_one_request_per_new_source_for_its_earliest_citing_day(tmp_path, waits):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14")
    req = first_request(spider)
    shared = "[https://news.example.org/budget (Example News)]"
    data = answer(
        page(FEB14, 502, wikitext(14, f"Budget signed. {shared} [https://other.example.com/a (Other)]")),
        page(FEB13, 501, wikitext(13, f"Budget passes. {shared}")),
    )  # the API's order: not by date
    out = collect(spider.parse_api(api_answer(req, data)))
    days, requests = split(out)
    assert [d.day for d in days] == [date(2014, 2, 13), date(2014, 2, 14)]
    assert sorted(r.url for r in requests) == [
        "https://news.example.org/budget",
        "https://other.example.com/a",
    ]
    by_url = {r.url: r for r in requests}
    assert by_url["https://news.example.org/budget"].meta["recovery"]["event_day"] == "2014-02-13"
    assert by_url["https://other.example.com/a"].meta["recovery"]["event_day"] == "2014-02-14"
    # each day's sources go out right after that day's page
    assert out.index(by_url["https://news.example.org/budget"]) < out.index(days[1])


def test_a_source_the_archive_has_ok_is_not_requested(tmp_path, waits):
    spider = make_spider(tmp_path)
    db = open_db(tmp_path / "a.db")
    save_source(
        db,
        SourceFetch(
            url="https://news.example.org/budget",
            status="fetched",
            http_status=200,
            fetched_at="2014-02-14T00:00:00+00:00",
            body=b"<html></html>",
        ),
        {"status": "ok", "text": "Budget passes.", "title": "Budget"},
        RETRY,
    )
    db.close()
    req = first_request(spider)
    text = wikitext(
        13, "Budget passes. [https://news.example.org/budget (A)] [https://new.example.org/x (B)]"
    )
    _days, requests = split(collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, text))))))
    assert [r.url for r in requests] == ["https://new.example.org/x"]
    assert spider.crawler.stats.get_value("newsarchive/sources/skipped_known") == 1


def test_a_source_is_requested_once_per_run(tmp_path, waits):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14", NEWSARCHIVE_TITLES_PER_REQUEST=1)
    req = first_request(spider)
    cite = "[https://news.example.org/budget (A)]"
    out1 = collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, wikitext(13, f"One. {cite}"))))))
    next_batch = [r for r in out1 if isinstance(r, scrapy.Request) and r.callback == spider.parse_api]
    assert len(next_batch) == 1 and next_batch[0].meta["titles"] == [FEB14]
    out2 = collect(
        spider.parse_api(api_answer(next_batch[0], answer(page(FEB14, 502, wikitext(14, f"Two. {cite}")))))
    )
    assert [r for r in out2 if isinstance(r, scrapy.Request)] == []


def test_a_dead_link_goes_to_the_archive_first(tmp_path, waits):
    spider = make_spider(tmp_path)
    req = first_request(spider)
    text = wikitext(
        13, "Old news. [http://gone.example.com/story (Gone Times)] {{Dead link|date=March 2015}}"
    )
    _days, requests = split(collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, text))))))
    assert len(requests) == 1
    r = requests[0]
    assert r.url.startswith(WAYBACK + "/cdx/search/cdx?url=http%3A%2F%2Fgone.example.com%2Fstory")
    assert r.meta["download_slot"] == "wayback"
    assert r.meta["recovery"]["live_url"] == "http://gone.example.com/story"


def test_sources_are_not_followed_when_switched_off(tmp_path, waits):
    spider = make_spider(tmp_path, NEWSARCHIVE_FOLLOW_SOURCES=False)
    req = first_request(spider)
    text = wikitext(13, "Budget passes. [https://news.example.org/budget (A)]")
    days, requests = split(collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, text))))))
    assert len(days) == 1 and requests == []


def test_missing_pages_and_pages_absent_from_the_answer(tmp_path, waits):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14")
    req = first_request(spider)
    data = answer({"ns": 100, "title": FEB13, "missing": True})  # February 14 is not in the answer at all
    days, _ = split(collect(spider.parse_api(api_answer(req, data))))
    assert [(d.title, d.status) for d in days] == [(FEB13, "missing"), (FEB14, "api_error")]
    assert days[1].error == "api_error: page absent from the API answer"


def test_a_normalised_title_is_stored_for_the_requested_day(tmp_path, waits):
    spider = make_spider(tmp_path)
    req = first_request(spider)
    canonical = "Portal:Current events/2014 February 13"
    data = answer(
        page(canonical, 501, wikitext(13, "Budget passes.")), normalized=[{"from": FEB13, "to": canonical}]
    )
    days, _ = split(collect(spider.parse_api(api_answer(req, data))))
    assert [(d.day, d.status) for d in days] == [(date(2014, 2, 13), "ok")]


def test_the_answers_warc_record_goes_with_its_day_pages(tmp_path, waits):
    spider = make_spider(tmp_path)
    req = first_request(spider)
    resp = api_answer(
        req,
        answer(page(FEB13, 501, wikitext(13, "Budget passes."))),
        meta={"warc_record": ("a.warc.gz", 1234)},
    )
    days, _ = split(collect(spider.parse_api(resp)))
    assert days[0].warc == ("a.warc.gz", 1234)


def test_a_continued_answer_holds_its_sources_until_the_last_part(tmp_path, waits):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14")
    req = first_request(spider)
    part1 = answer(
        page(FEB14, 502, wikitext(14, "Two. [https://news.example.org/budget (A)]")),
        {"ns": 100, "title": FEB13},
        cont={"rvcontinue": "1", "continue": "||"},
    )
    days1, requests1 = split(collect(spider.parse_api(api_answer(req, part1))))
    assert [d.title for d in days1] == [FEB14]
    assert len(requests1) == 1
    follow = requests1[0]
    assert follow.callback == spider.parse_api and "rvcontinue=1" in follow.url
    assert follow.meta["seen"] == [FEB14]
    part2 = answer(
        {"ns": 100, "title": FEB14},
        page(FEB13, 501, wikitext(13, "One. [https://news.example.org/budget (A)]")),
    )
    days2, requests2 = split(collect(spider.parse_api(api_answer(follow, part2))))
    assert [d.title for d in days2] == [FEB13]
    assert [r.url for r in requests2] == ["https://news.example.org/budget"]
    assert requests2[0].meta["recovery"]["event_day"] == "2014-02-13"  # the earliest, from the later part


def test_the_next_batch_follows_the_answer(tmp_path, waits):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-15", NEWSARCHIVE_TITLES_PER_REQUEST=2)
    req = first_request(spider)
    data = answer(page(FEB13, 501, wikitext(13, "One.")), page(FEB14, 502, wikitext(14, "Two.")))
    _, requests = split(collect(spider.parse_api(api_answer(req, data))))
    assert [r.meta["titles"] for r in requests] == [[FEB15]]


# --- API errors ---------------------------------------------------------------------------------------------

MAXLAG = {"error": {"code": "maxlag", "info": "Waiting for a database server: 6 seconds lagged.", "lag": 6}}


def test_maxlag_is_retried_after_retry_after(tmp_path, waits):
    spider = make_spider(tmp_path)
    req = first_request(spider)
    out = collect(spider.parse_api(api_answer(req, MAXLAG, headers={"Retry-After": "3"})))
    assert len(out) == 1
    retry = out[0]
    assert isinstance(retry, scrapy.Request)
    assert retry.url == req.url and retry.meta["titles"] == [FEB13]
    assert retry.meta["retry_times"] == 1 and retry.dont_filter
    assert retry.callback == spider.parse_api
    assert waits == [3.0]
    assert spider.crawler.stats.get_value("newsarchive/api_retries/count") == 1


def test_maxlag_without_retry_after_waits_longer_each_time(tmp_path, waits):
    spider = make_spider(tmp_path)
    req = first_request(spider)
    first = collect(spider.parse_api(api_answer(req, MAXLAG)))[0]
    collect(spider.parse_api(api_answer(first, MAXLAG)))
    assert waits == [5.0, 10.0]


def test_maxlag_wait_is_capped(tmp_path, waits):
    spider = make_spider(tmp_path, NEWSARCHIVE_RETRY_AFTER_MAX=4)
    req = first_request(spider)
    collect(spider.parse_api(api_answer(req, MAXLAG, headers={"Retry-After": "600"})))
    assert waits == [4.0]


def test_maxlag_retries_used_up_give_api_error_day_pages(tmp_path, waits):
    spider = make_spider(tmp_path, NEWSARCHIVE_API_RETRIES=2)
    req = first_request(spider)
    req.meta["retry_times"] = 2
    days, requests = split(collect(spider.parse_api(api_answer(req, MAXLAG, headers={"Retry-After": "1"}))))
    assert requests == [] and waits == []
    assert [(d.title, d.status) for d in days] == [(FEB13, "api_error")]
    assert days[0].error.startswith("api_error: MediaWiki API error maxlag")
    assert spider.crawler.stats.get_value("newsarchive/api_retries/max_reached") == 1


def test_an_error_that_is_not_retryable_gives_api_error_day_pages(tmp_path, waits):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14")
    req = first_request(spider)
    data = {"error": {"code": "badvalue", "info": "Unrecognized value for parameter."}}
    days, requests = split(collect(spider.parse_api(api_answer(req, data))))
    assert requests == [] and waits == []
    assert [(d.title, d.status) for d in days] == [(FEB13, "api_error"), (FEB14, "api_error")]
    assert days[0].error == "api_error: MediaWiki API error badvalue: Unrecognized value for parameter."


@pytest.mark.parametrize("body", [b"<html>Gateway busy</html>", b"[1, 2]", b'{"query": "not pages"}'])
def test_an_unreadable_answer_gives_api_error_day_pages_and_the_next_batch(tmp_path, waits, body):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14", NEWSARCHIVE_TITLES_PER_REQUEST=1)
    req = first_request(spider)
    days, requests = split(collect(spider.parse_api(api_answer(req, body))))
    assert [(d.title, d.status) for d in days] == [(FEB13, "api_error")]
    assert days[0].error.startswith("api_error: unreadable answer: ")
    assert "\n" not in days[0].error
    assert [r.meta["titles"] for r in requests] == [[FEB14]]


def test_a_failed_api_request_gives_api_error_day_pages_and_the_next_batch(tmp_path):
    spider = make_spider(tmp_path, "2014-02-13", "2014-02-14", NEWSARCHIVE_TITLES_PER_REQUEST=1)
    req = first_request(spider)
    failure = Failure(HttpError(TextResponse(req.url, status=503, body=b"busy", request=req), "Ignoring"))
    failure.request = req
    out = spider.api_failed(failure)
    days, requests = split(out)
    assert [(d.title, d.status, d.error) for d in days] == [(FEB13, "api_error", "api_error: HTTP 503")]
    assert [r.meta["titles"] for r in requests] == [[FEB14]]
    assert spider.crawler.stats.get_value("newsarchive/api_failures") == 1


# --- signals ------------------------------------------------------------------------------------------------


def test_a_stored_soft_404_sends_the_source_to_the_archive(tmp_path, waits):
    spider = make_spider(tmp_path)
    crawled = []
    spider.crawler.engine = SimpleNamespace(crawl=crawled.append)
    req = first_request(spider)
    text = wikitext(13, "Budget passes. [https://news.example.org/budget (A)]")
    _, (source_req,) = split(collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, text))))))
    resp = TextResponse(
        source_req.url,
        body=b"<html>Page not found</html>",
        request=source_req,
        headers={"Content-Type": "text/html"},
    )
    (item,) = spider.parse_source(resp)
    item.article = {"status": "soft_404", "error": "title says not found"}
    item.stored_status = "soft_404"
    spider.crawler.signals.send_catch_log(
        signal=scrapy.signals.item_scraped, item=item, response=resp, spider=spider
    )
    assert len(crawled) == 1
    assert crawled[0].url.startswith(WAYBACK + "/cdx/search/cdx?url=https%3A%2F%2Fnews.example.org%2Fbudget")
    assert crawled[0].meta["recovery"]["failure_status"] == "soft_404"


# --- long backfills: the next batch waits while the scheduler holds many requests ---------------------------


def backlog(spider, n):
    stats = spider.crawler.stats
    stats.set_value("scheduler/enqueued", n + 10)
    stats.set_value("scheduler/dequeued", 10)


def held_spider(tmp_path, waits):
    spider = make_spider(
        tmp_path, "2014-02-13", "2014-02-14", NEWSARCHIVE_TITLES_PER_REQUEST=1, NEWSARCHIVE_MAX_BACKLOG=100
    )
    crawled = []
    spider.crawler.engine = SimpleNamespace(crawl=crawled.append)
    req = first_request(spider)
    backlog(spider, 101)
    _, requests = split(
        collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, wikitext(13, "One."))))))
    )
    assert requests == []  # held
    return spider, crawled


def test_the_next_batch_is_held_while_the_backlog_is_long_and_released_when_it_drains(tmp_path, waits):
    spider, crawled = held_spider(tmp_path, waits)
    signals = spider.crawler.signals
    some = scrapy.Request("https://news.example.org/a")
    backlog(spider, 60)  # above half the bound: still held
    signals.send_catch_log(
        scrapy.signals.response_received, response=Response(some.url), request=some, spider=spider
    )
    assert crawled == []
    backlog(spider, 50)
    signals.send_catch_log(
        scrapy.signals.response_received, response=Response(some.url), request=some, spider=spider
    )
    assert [r.meta["titles"] for r in crawled] == [[FEB14]]
    assert spider.crawler.stats.get_value("newsarchive/api_batches_held") == 1


def test_a_held_batch_is_released_when_the_crawl_goes_idle(tmp_path, waits):
    spider, crawled = held_spider(tmp_path, waits)
    results = spider.crawler.signals.send_catch_log(
        scrapy.signals.spider_idle, spider=spider, dont_log=DontCloseSpider
    )
    assert any(isinstance(r, Failure) and r.check(DontCloseSpider) for _, r in results)
    assert [r.meta["titles"] for r in crawled] == [[FEB14]]


def test_without_a_bound_the_next_batch_goes_at_once(tmp_path, waits):
    spider = make_spider(
        tmp_path, "2014-02-13", "2014-02-14", NEWSARCHIVE_TITLES_PER_REQUEST=1, NEWSARCHIVE_MAX_BACKLOG=0
    )
    req = first_request(spider)
    backlog(spider, 10_000)
    _, requests = split(
        collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, wikitext(13, "One."))))))
    )
    assert [r.meta["titles"] for r in requests] == [[FEB14]]


# --- update runs and distributed workers --------------------------------------------------------------------


def test_due_sources_of_the_archive_are_requested_at_start(tmp_path):
    from crawler.portal.wikitext import parse_wikitext
    from crawler.storage.days import save_day

    db = open_db(tmp_path / "a.db")
    save_day(
        db,
        DayPage(
            day=date(2014, 2, 1),
            title="Portal:Current events/2014 February 1",
            status="ok",
            revision_id=1,
            events=parse_wikitext(
                wikitext(1, "Old. [https://old.example.org/story (Old)]"), date(2014, 2, 1)
            ),
        ),
    )
    db.close()
    spider = make_spider(tmp_path, NEWSARCHIVE_RETRY_DUE_SOURCES=True)
    api, source = collect(spider.start())
    assert api.meta["titles"] == [FEB13]
    assert source.url == "https://old.example.org/story" and source.callback == spider.parse_source
    assert source.meta["recovery"]["event_day"] == "2014-02-01"


def test_due_sources_wait_for_an_update_run(tmp_path):
    from crawler.portal.wikitext import parse_wikitext
    from crawler.storage.days import save_day

    db = open_db(tmp_path / "a.db")
    save_day(
        db,
        DayPage(
            day=date(2014, 2, 1),
            title="Portal:Current events/2014 February 1",
            status="ok",
            revision_id=1,
            events=parse_wikitext(
                wikitext(1, "Old. [https://old.example.org/story (Old)]"), date(2014, 2, 1)
            ),
        ),
    )
    db.close()
    out = collect(make_spider(tmp_path).start())
    assert [r.meta["titles"] for r in out] == [[FEB13]]


class SeedRedis:
    def __init__(self, seeds=(), seen=()):
        self.seeds, self.seen = list(seeds), set(seen)

    def lpop(self, key, count):
        out, self.seeds = self.seeds[:count], self.seeds[count:]
        return out or None

    def sadd(self, key, member):
        if member in self.seen:
            return 0
        self.seen.add(member)
        return 1


def test_a_worker_turns_shared_seeds_into_requests(tmp_path):
    spider = make_spider(tmp_path)
    spider.redis = SeedRedis(
        [
            json.dumps({"kind": "days", "titles": [FEB13, FEB14]}),
            json.dumps(
                {
                    "kind": "source",
                    "url": "https://news.example.org/a",
                    "cited_url": "https://news.example.org/a?ref=x",
                    "day": "2014-02-13",
                }
            ),
        ]
    )
    api, source = spider.seed_requests(limit=5)
    assert api.meta["titles"] == [FEB13, FEB14] and api.dont_filter and api.callback == spider.parse_api
    assert source.url == "https://news.example.org/a?ref=x" and source.callback == spider.parse_source
    assert spider.seed_requests(limit=5) == []


def test_a_worker_skips_sources_another_worker_took(tmp_path, waits):
    spider = make_spider(tmp_path)
    spider.redis = SeedRedis(seen={"https://news.example.org/budget"})
    req = first_request(spider)
    text = wikitext(13, "Budget. [https://news.example.org/budget (A)] [https://new.example.org/x (B)]")
    _, requests = split(collect(spider.parse_api(api_answer(req, answer(page(FEB13, 501, text))))))
    assert [r.url for r in requests] == ["https://new.example.org/x"]


def test_archive_requests_count_apart_in_the_backlog(tmp_path):
    """Days are held back while live requests pile up, or while archive requests do past their own bound; a
    backlog of archive requests alone does not hold them (live hosts would idle behind the slowest slot)."""
    spider = make_spider(tmp_path, NEWSARCHIVE_MAX_BACKLOG=50, NEWSARCHIVE_MAX_ARCHIVE_BACKLOG=400)
    stats = spider.crawler.stats
    stats.set_value("scheduler/enqueued", 340)
    stats.set_value("scheduler/dequeued", 40)
    spider.sources.archive_waiting = 280  # 300 waiting, 280 of them for the archives
    assert spider._backlog() == 20 and not spider._backlog_full()
    spider.sources.archive_waiting = 401
    assert spider._backlog_full()
    spider.sources.archive_waiting = 150
    stats.set_value("scheduler/enqueued", 240)  # 200 waiting, 50 of them live
    assert spider._backlog() == 50 and not spider._backlog_full() and spider._backlog_full(0.5)
