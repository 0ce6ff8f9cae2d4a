"""storage.repo: one transaction per day, stable ids, shared sources, idempotent re-saves."""

from datetime import date

import pytest

from crawler.items import DayPage, Entity, Event, SourceRef
from crawler.storage.days import day_events, event_ids, save_day
from crawler.storage.schema import open_db

D = date(2014, 2, 13)


def ev(text, pos, sources=(), entities=(), stories=(), category="International relations"):
    return Event(day=D, category=category, stories=list(stories), text=text, position=pos,
                 entities=[Entity(t, t) for t in entities], sources=list(sources))


def page(events, rev=1):
    return DayPage(day=D, title="Portal:Current events/2014 February 13", status="ok", revision_id=rev,
                   revision_timestamp="2022-08-04T13:45:42Z", events=events)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "a.db")


def table_dump(db):
    return {t: list(db.query(f"SELECT * FROM {t} ORDER BY 1, 2")) for t in
            ("events", "entities", "event_entities", "sources", "event_sources")}


def test_schema_pragmas(db):
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"days", "events", "entities", "event_entities", "sources", "event_sources", "runs"} <= set(db.table_names())


def test_save_and_read_back(db):
    a = SourceRef("http://example.org/a?utm_source=x", "Example")
    saved = save_day(db, page([ev("One.", 1, [a], ["Cairo", "Moscow"], ["Egypt–Russia relations"]),
                               ev("Two.", 2, [SourceRef("http://example.org/a", None)], ["Cairo"])]), "wikitext")
    assert saved.changed and saved.events == 2
    rows = day_events(db, D.isoformat())
    assert [r["text"] for r in rows] == ["One.", "Two."]
    assert rows[0]["stories"] == ["Egypt–Russia relations"]
    assert [e["title"] for e in rows[0]["entities"]] == ["Cairo", "Moscow"]
    # one source row for both citations (normalised URL), two links
    assert db["sources"].count == 1
    assert db["event_sources"].count == 2
    assert rows[0]["sources"][0]["cited_url"] == "http://example.org/a?utm_source=x"
    assert db["entities"].count == 2


def test_resave_same_revision_changes_nothing(db):
    events = [ev("One.", 1, [SourceRef("http://e.org/1", "E")], ["Cairo"])]
    save_day(db, page(events))
    before = table_dump(db)
    saved = save_day(db, page(events))
    assert not saved.changed
    assert table_dump(db) == before


def test_new_revision_replaces_the_day(db):
    save_day(db, page([ev("Old one.", 1, entities=["Cairo"]), ev("Kept.", 2)], rev=1))
    kept_id = event_ids([ev("Kept.", 2)])[0]
    save_day(db, page([ev("Kept.", 1), ev("New.", 2)], rev=2))
    texts = [r["text"] for r in day_events(db, D.isoformat())]
    assert texts == ["Kept.", "New."]
    assert db["event_entities"].count == 0
    # ids are content-based: the surviving bullet keeps its id though its position moved
    assert next(db.query("SELECT id FROM events WHERE text = 'Kept.'"))["id"] == kept_id


def test_duplicate_bullets_get_distinct_ids():
    ids = event_ids([ev("Same.", 1), ev("Same.", 2)])
    assert len(set(ids)) == 2


def test_missing_day_recorded_with_zero_events(db):
    save_day(db, DayPage(day=D, title="t", status="missing"))
    row = db["days"].get(D.isoformat())
    assert row["status"] == "missing" and row["event_count"] == 0


def test_failure_keeps_earlier_events(db):
    save_day(db, page([ev("Good.", 1)], rev=1))
    save_day(db, DayPage(day=D, title="t", status="parse_error", revision_id=2, error="line 3: unclosed"))
    row = db["days"].get(D.isoformat())
    assert row["status"] == "parse_error" and row["error"] == "line 3: unclosed"
    assert [r["text"] for r in day_events(db, D.isoformat())] == ["Good."]


def test_failed_write_rolls_back(db, monkeypatch):
    import crawler.storage.days as repo
    save_day(db, page([ev("Good.", 1)], rev=1))
    before = table_dump(db)

    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(repo, "source_url", boom)
    with pytest.raises(RuntimeError):
        save_day(db, page([ev("Other.", 1, [SourceRef("http://e.org/x", "E")])], rev=2))
    assert table_dump(db) == before
    assert db["days"].get(D.isoformat())["revision_id"] == 1


def test_a_source_fetched_only_from_the_archives_gets_their_answer_as_status(tmp_path):
    """A cited capture that failed, with no other capture usable: the source is not left `pending` (it would be
    fetched again by every run and counted as lost)."""
    from datetime import date

    from crawler.items import DayPage, Event, SourceFetch, SourceRef
    from crawler.storage.days import save_day
    from crawler.storage.sources import save_source
    from tests.conftest import RETRY

    db = open_db(tmp_path / "a.db")
    cited = "https://web.archive.org/web/20140213000000/http://gone.example/story"
    save_day(db, DayPage(day=date(2014, 2, 13), title="t", status="ok", revision_id=1, events=[
        Event(day=date(2014, 2, 13), category=None, stories=[], text="x", sources=[SourceRef(cited, "Gone")])]))
    assert next(db.query("SELECT status FROM sources"))["status"] == "pending"
    status = save_source(db, SourceFetch(url="http://gone.example/story", status="archive_miss",
                                         fetched_at="2026-12-07T00:00:00+00:00", failure={
                                             "failure_status": "archive_capture_failed",
                                             "failure_error": "HTTP 503"}), None, RETRY)
    row = next(db.query("SELECT status, error, archive_checked_at, fetched_at FROM sources"))
    assert status == row["status"] == "archive_capture_failed" and row["error"] == "HTTP 503"
    assert row["archive_checked_at"] and row["fetched_at"] == "2026-12-07T00:00:00+00:00"
