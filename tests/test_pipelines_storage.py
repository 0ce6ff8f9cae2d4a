"""StoragePipeline: day pages and sources written to the archive, counted in the crawl's stats."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from crawler.items import DayPage, Event, SourceFetch, SourceRef
from crawler.storage.blobs import pack, unpack
from crawler.storage.schema import open_db
from pipelines.storage import StoragePipeline
from tests.conftest import project_crawler

DAY = date(2014, 2, 13)
TITLE = "Portal:Current events/2014 February 13"
PAGE = b"<html><body><article><p>The council approved the flood plan.</p></article></body></html>"
ARTICLE = {
    "status": "ok",
    "error": None,
    "title": "Council approves flood plan",
    "text": "The council approved it.",
    "word_count": 4,
    "authors": ["A. Writer"],
    "language": "en",
}


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "a.db"


@pytest.fixture
def pipeline(db_path):
    crawler = project_crawler(NEWSARCHIVE_DB=str(db_path))
    p = build_from_crawler(StoragePipeline, crawler)
    p.open_spider()
    yield p
    p.close_spider()


def stat(p, key):
    return p.stats.get_value(key)


def day_page(revision=100, status="ok", events=None, error=None):
    if events is None:
        events = [
            Event(
                day=DAY,
                category="Politics",
                stories=[],
                text="Parliament passes the budget.",
                sources=[SourceRef("https://news.example.org/budget", "Example News")],
                position=1,
            )
        ]
    return DayPage(
        day=DAY,
        title=TITLE,
        status=status,
        revision_id=revision if status == "ok" else None,
        revision_timestamp="2014-02-14T00:00:00Z",
        fetched_at="2014-02-14T01:00:00+00:00",
        events=events if status == "ok" else [],
        wikitext="* Parliament passes the budget.",
        error=error,
    )


def fetched(url="https://news.example.org/budget", **kw):
    fields = {
        "final_url": url,
        "http_status": 200,
        "content_type": "text/html",
        "fetched_at": "2014-02-14T02:00:00+00:00",
        "status": "fetched",
        "body": PAGE,
        "event_day": DAY,
        "article": dict(ARTICLE),
    }
    fields.update(kw)
    return SourceFetch(url=url, **fields)


def row(db_path, url):
    db = open_db(db_path)
    try:
        return next(db.query("SELECT * FROM sources WHERE url = ?", [url]), None)
    finally:
        db.close()


def test_not_configured_without_a_database():
    with pytest.raises(NotConfigured):
        build_from_crawler(StoragePipeline, project_crawler(NEWSARCHIVE_DB=""))


def test_a_day_page_is_saved_with_its_events(pipeline, db_path):
    page = day_page()
    assert pipeline.process_item(page) is page
    db = open_db(db_path)
    days = list(db.query("SELECT day, status, revision_id, event_count FROM days"))
    events = list(db.query("SELECT day, text FROM events"))
    db.close()
    assert days == [{"day": "2014-02-13", "status": "ok", "revision_id": 100, "event_count": 1}]
    assert events == [{"day": "2014-02-13", "text": "Parliament passes the budget."}]
    assert stat(pipeline, "newsarchive/days/ok") == 1
    assert stat(pipeline, "newsarchive/events") == 1


def test_the_same_revision_again_is_counted_unchanged(pipeline):
    pipeline.process_item(day_page())
    pipeline.process_item(day_page())
    assert stat(pipeline, "newsarchive/days/ok") == 2
    assert stat(pipeline, "newsarchive/days/unchanged") == 1
    assert stat(pipeline, "newsarchive/events") == 1


def test_missing_and_failed_days_are_counted_apart(pipeline, db_path):
    pipeline.process_item(DayPage(day=DAY, title=TITLE, status="missing"))
    pipeline.process_item(
        DayPage(
            day=date(2014, 2, 14),
            title="Portal:Current events/2014 February 14",
            status="api_error",
            error="api_error: HTTP 500",
        )
    )
    pipeline.process_item(
        DayPage(
            day=date(2014, 2, 15),
            title="Portal:Current events/2014 February 15",
            status="parse_error",
            error="no content template",
        )
    )
    assert stat(pipeline, "newsarchive/days/missing") == 1
    assert stat(pipeline, "newsarchive/days/failed") == 2
    assert stat(pipeline, "newsarchive/days/ok") is None
    db = open_db(db_path)
    statuses = {r["day"]: r["status"] for r in db.query("SELECT day, status FROM days")}
    db.close()
    assert statuses == {"2014-02-13": "missing", "2014-02-14": "api_error", "2014-02-15": "parse_error"}


def test_a_fetched_source_is_saved_with_its_article(pipeline, db_path):
    item = fetched(compressed_body=pack(PAGE))
    out = pipeline.process_item(item)
    assert out is item
    assert item.stored_status == "ok"
    assert item.body is None and item.compressed_body is None  # freed: the archive holds it
    r = row(db_path, "https://news.example.org/budget")
    assert r["status"] == "ok" and r["http_status"] == 200
    assert r["title"] == "Council approves flood plan"
    assert unpack(r["html"]) == PAGE
    assert stat(pipeline, "newsarchive/sources/fetched") == 1
    assert stat(pipeline, "newsarchive/sources/ok") == 1
    assert stat(pipeline, "newsarchive/sources/failed") is None
    assert stat(pipeline, "newsarchive/sources/status/ok") == 1


def test_a_body_without_compressed_copy_is_stored_too(pipeline, db_path):
    pipeline.process_item(fetched())
    assert unpack(row(db_path, "https://news.example.org/budget")["html"]) == PAGE


def test_a_page_without_an_article_counts_as_failed(pipeline, db_path):
    item = fetched(article={"status": "soft_404", "error": "title says not found"})
    pipeline.process_item(item)
    assert item.stored_status == "soft_404"
    assert row(db_path, "https://news.example.org/budget")["status"] == "soft_404"
    assert stat(pipeline, "newsarchive/sources/fetched") == 1
    assert stat(pipeline, "newsarchive/sources/failed") == 1
    assert stat(pipeline, "newsarchive/sources/status/soft_404") == 1


def test_a_failed_fetch_is_saved_and_counted_failed(pipeline, db_path):
    item = SourceFetch(
        url="https://slow.example.org/a",
        status="timeout",
        error="TimeoutError: took too long",
        fetched_at="2014-02-14T02:00:00+00:00",
        event_day=DAY,
    )
    pipeline.process_item(item)
    assert item.stored_status == "timeout"
    r = row(db_path, "https://slow.example.org/a")
    assert r["status"] == "timeout" and r["error"] == "TimeoutError: took too long"
    assert r["next_attempt_at"] is not None  # retried later
    assert stat(pipeline, "newsarchive/sources/fetched") == 1
    assert stat(pipeline, "newsarchive/sources/failed") == 1


def test_a_recovered_capture_turns_the_failed_count_into_ok(pipeline, db_path):
    url = "http://gone.example.com/story"
    pipeline.process_item(
        SourceFetch(
            url=url,
            status="http_error",
            http_status=404,
            error="HTTP 404",
            fetched_at="2014-02-14T02:00:00+00:00",
            event_day=DAY,
        )
    )
    assert stat(pipeline, "newsarchive/sources/failed") == 1
    capture = fetched(
        url,
        final_url=url,
        archive_url=f"https://web.archive.org/web/20140213id_/{url}",
        archive_timestamp="20140213000000",
        recovered_from="wayback",
        failure={"failure_status": "http_error", "failure_error": "HTTP 404", "after_live_failure": True},
        fetched_at="2014-02-14T02:01:00+00:00",
    )
    pipeline.process_item(capture)
    assert capture.stored_status == "ok"
    assert stat(pipeline, "newsarchive/sources/fetched") == 1  # the capture is no second fetch
    assert stat(pipeline, "newsarchive/sources/ok") == 1
    assert stat(pipeline, "newsarchive/sources/failed") == 0
    assert stat(pipeline, "newsarchive/sources/recovered") == 1
    r = row(db_path, url)
    assert (r["status"], r["recovered_from"], r["failure_status"]) == ("ok", "wayback", "http_error")


def test_an_archive_miss_keeps_the_failure_and_counts_no_fetch(pipeline, db_path):
    url = "http://gone.example.com/story"
    pipeline.process_item(
        SourceFetch(
            url=url,
            status="http_error",
            http_status=404,
            error="HTTP 404",
            fetched_at="2014-02-14T02:00:00+00:00",
            event_day=DAY,
        )
    )
    miss = SourceFetch(
        url=url,
        status="archive_miss",
        fetched_at="2014-02-14T02:01:00+00:00",
        failure={"failure_status": "http_error", "failure_error": "HTTP 404"},
    )
    pipeline.process_item(miss)
    assert miss.stored_status == "http_error"
    assert stat(pipeline, "newsarchive/sources/fetched") == 1
    assert stat(pipeline, "newsarchive/sources/failed") == 1
    assert stat(pipeline, "newsarchive/sources/ok") is None
    r = row(db_path, url)
    assert r["status"] == "http_error" and r["archive_checked_at"] is not None


def test_other_items_pass_untouched(pipeline):
    item = {"something": "else"}
    assert pipeline.process_item(item) is item


@pytest.mark.parametrize(
    "failure",
    [
        {
            "failure_status": "reported_dead",
            "failure_error": "marked {{Dead link}} on the portal",
        },  # {{Dead link}}
        {"failure_status": None, "failure_error": None},  # a cited web.archive.org capture
    ],
    ids=["dead-link", "cited-capture"],
)
def test_a_capture_fetched_without_a_live_failure_leaves_the_failed_count_alone(pipeline, failure):
    """A {{Dead link}} source goes to the archive first, and a cited capture is fetched raw: no live fetch
    failed before them, so there is no failed count to turn into ok (the run's summary must not show -1)."""
    url = "http://gone.example.com/story"
    capture = fetched(
        url,
        archive_url=f"https://web.archive.org/web/20140213id_/{url}",
        archive_timestamp="20140213000000",
        recovered_from="wayback",
        failure=failure,
    )
    pipeline.process_item(capture)
    assert capture.stored_status == "ok"
    assert stat(pipeline, "newsarchive/sources/ok") == 1
    assert (stat(pipeline, "newsarchive/sources/failed") or 0) == 0
