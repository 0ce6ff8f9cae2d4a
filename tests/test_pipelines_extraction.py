"""ExtractionPipeline: fetched bodies extracted off the reactor thread (a thread pool here, not processes)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from crawler.items import DayPage, SourceFetch
from crawler.storage.blobs import unpack
from pipelines import extraction
from pipelines.extraction import ExtractionPipeline
from tests.conftest import project_crawler

PARAGRAPH = (
    "<p>The city council of Riverton approved the long-debated flood defence plan on Thursday evening, "
    "after six hours of discussion about its cost, the route of the new embankment and the homes it "
    "will protect along the eastern bank of the river.</p>"
)
PAGE = (
    "<html lang='en'><head><title>Riverton council approves flood defence plan</title>"
    "<meta name='author' content='Jane Reporter'></head><body><article>"
    "<h1>Riverton council approves flood defence plan</h1>" + PARAGRAPH * 5 + "</article></body></html>"
).encode()


@pytest.fixture
def pools():
    made = []
    yield made
    for pool in made:
        pool.shutdown(wait=True)


def make_pipeline(pools, **settings):
    crawler = project_crawler(
        **{"NEWSARCHIVE_DB": "output/unused.db", "NEWSARCHIVE_FOLLOW_SOURCES": True, **settings}
    )
    p = build_from_crawler(ExtractionPipeline, crawler)
    p.pool = ThreadPoolExecutor(1)  # open_spider would start a process pool
    pools.append(p.pool)
    return p


def fetched(**kw):
    fields = {
        "url": "https://news.example.org/riverton-flood",
        "final_url": "https://news.example.org/riverton-flood",
        "http_status": 200,
        "content_type": "text/html; charset=utf-8",
        "status": "fetched",
        "body": PAGE,
        "event_day": date(2014, 2, 13),
    }
    fields.update(kw)
    return SourceFetch(**fields)


def run(p, item):
    return asyncio.run(p.process_item(item))


def test_not_configured_when_sources_are_not_followed(pools):
    with pytest.raises(NotConfigured):
        make_pipeline(pools, NEWSARCHIVE_FOLLOW_SOURCES=False)


def test_workers_from_the_setting(pools):
    assert make_pipeline(pools, NEWSARCHIVE_EXTRACT_WORKERS=3).workers == 3


def test_a_fetched_item_gets_its_article_and_compressed_body(pools):
    p = make_pipeline(pools)
    item = fetched()
    out = run(p, item)
    assert out is item
    assert item.article["status"] == "ok"
    assert item.article["title"] == "Riverton council approves flood defence plan"
    assert "flood defence plan" in item.article["text"]
    assert unpack(item.compressed_body) == PAGE
    assert item.body == PAGE  # the storage pipeline frees it once stored
    assert p.stats.get_value("newsarchive/sources/extracted") == 1


def test_no_compression_without_an_archive(pools):
    """A distributed worker has no archive: the ingest compresses the body itself."""
    p = make_pipeline(pools, NEWSARCHIVE_DB="")
    item = run(p, fetched())
    assert item.article["status"] == "ok"
    assert item.compressed_body is None


def test_an_empty_body_is_recorded_as_empty_extraction(pools):
    p = make_pipeline(pools)
    item = run(p, fetched(body=b""))
    assert item.article["status"] == "empty_extraction"


@pytest.mark.parametrize(
    "item",
    [
        SourceFetch(url="https://slow.example.org/a", status="timeout", error="TimeoutError: took too long"),
        SourceFetch(url="https://news.example.org/a", status="not_modified", http_status=304),
        DayPage(day=date(2014, 2, 13), title="Portal:Current events/2014 February 13", status="ok"),
    ],
    ids=["failed-source", "not-modified", "day-page"],
)
def test_other_items_pass_untouched(pools, item):
    p = make_pipeline(pools)
    p.pool = None  # any use of the pool would fail the item
    assert run(p, item) is item
    assert getattr(item, "article", None) is None
    assert p.stats.get_value("newsarchive/sources/extracted") is None


def test_a_crashing_extraction_is_recorded_in_one_line(pools, monkeypatch):
    def crash(*args, **kwargs):
        raise ValueError("worker died\n  while parsing\tthe page")

    monkeypatch.setattr(extraction, "extract_source", crash)
    p = make_pipeline(pools)
    item = run(p, fetched())
    assert item.article == {
        "status": "extraction_error",
        "error": "ValueError: worker died while parsing the page",
    }
    assert item.compressed_body is None
    assert p.stats.get_value("newsarchive/sources/extracted") == 1


def test_a_broken_pool_is_recorded_and_the_run_goes_on(pools):
    p = make_pipeline(pools)
    p.pool.shutdown()
    first, second = run(p, fetched()), run(p, fetched(url="https://news.example.org/other"))
    for item in (first, second):
        assert item.article["status"] == "extraction_error"
        assert item.article["error"].startswith("RuntimeError: ")
        assert "\n" not in item.article["error"]


def test_close_spider_shuts_the_pool_down(pools):
    p = make_pipeline(pools)
    p.close_spider()
    with pytest.raises(RuntimeError):
        p.pool.submit(print)
