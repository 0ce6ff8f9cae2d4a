"""Full-text search (crawler.storage.fts, migration 0003_fts): indexes follow the tables through triggers."""

import json
import re
from datetime import date

import sqlite_utils
from sqlite_utils.db import quote_identifier

from crawler.archive.datasette import metadata, write_metadata
from crawler.items import DayPage, Event, SourceFetch, SourceRef
from crawler.storage.fts import enable_fts, rebuild_fts, search_events
from crawler.storage.days import save_day
from crawler.storage.schema import migrations, open_db
from crawler.storage.sources import save_source, update_extraction
from tests.conftest import RETRY

DAY = date(2019, 4, 15)


def day_page(texts, rev):
    events = [Event(day=DAY, category="Disasters", stories=[], text=t, position=i,
                    sources=[SourceRef(f"https://example.com/{i}", "Ex")]) for i, t in enumerate(texts, 1)]
    return DayPage(day=DAY, title="Portal:Current events/2019 April 15", status="ok", revision_id=rev, events=events)


def match(db, table, query):
    return [r[0] for r in db.execute(
        f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH ? ORDER BY rowid", [query]).fetchall()]


def stored_source(tmp_path):
    """An archive with one fetched source ("Blaze in Paris"): (db, its id)."""
    db = open_db(tmp_path / "a.db")
    save_day(db, day_page(["Fire."], rev=1))
    save_source(db, SourceFetch(url="https://example.com/1", status="ok"),
                {"status": "ok", "title": "Blaze in Paris", "text": "Firefighters saved the belfry."}, RETRY)
    (sid,) = [r[0] for r in db.execute("SELECT id FROM sources")]
    return db, sid


def test_event_text_searchable_and_kept_in_sync(tmp_path):
    db = open_db(tmp_path / "a.db")
    save_day(db, day_page(["A fire damages the roof of Notre-Dame cathedral.", "Floods hit Iran."], rev=1))
    assert [r["text"] for r in search_events(db, "cathedral")] == ["A fire damages the roof of Notre-Dame cathedral."]
    assert db["events"].detect_fts() == "events_fts"
    assert [r["day"] for r in db["events"].search("roof")] == ["2019-04-15"]  # sqlite-utils / Datasette find it
    save_day(db, day_page(["A fire damages the spire of Notre-Dame basilica.", "Floods hit Iran."], rev=2))
    assert search_events(db, "cathedral") == []
    assert [r["text"] for r in search_events(db, "spire")] == ["A fire damages the spire of Notre-Dame basilica."]
    assert len(search_events(db, "floods")) == 1  # re-inserted once, not twice
    save_day(db, DayPage(day=DAY, title="t", status="missing", revision_id=3))
    assert search_events(db, "spire OR floods") == []


def test_source_title_and_text_searchable(tmp_path):
    db, sid = stored_source(tmp_path)
    assert match(db, "sources", "belfry") == [sid] and match(db, "sources", "blaze") == [sid]
    update_extraction(db, sid, {"status": "ok", "title": "Blaze in Paris", "text": "The towers were saved."})
    assert match(db, "sources", "belfry") == [] and match(db, "sources", "towers") == [sid]


def test_migration_recorded_idempotent_and_fills_existing_rows(tmp_path):
    db = open_db(tmp_path / "a.db", migrate=False)
    migrations.apply(db, stop_before="0003_fts")
    save_day(db, day_page(["Older rows get indexed too."], rev=1))
    assert "events_fts" not in db.table_names()
    migrations.apply(db)
    assert "0003_fts" in [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations")]
    assert len(search_events(db, "older")) == 1
    enable_fts(db)
    enable_fts(db)
    rebuild_fts(db)
    assert len(search_events(db, "older")) == 1
    assert {t.name for t in db["events"].triggers} >= {"events_ai", "events_ad", "events_au"}
    # the very index and triggers sqlite-utils would make (so Datasette and table.search() recognise them)
    ref = sqlite_utils.Database(memory=True)
    ref["events"].create({"id": str, "text": str}, pk="id")
    ref["events"].enable_fts(["text"], fts_version="FTS5", create_triggers=True)
    assert db["events_fts"].schema == ref["events_fts"].schema
    # …but for the update trigger, which fires only when an indexed column is set
    cols = quote_identifier("text")
    expected = [t.sql.replace("AFTER UPDATE ON", f"AFTER UPDATE OF {cols} ON") for t in ref["events"].triggers]
    assert sorted(t.sql for t in db["events"].triggers) == sorted(expected)


def _index_written(db, table, sql, params):
    """Whether one statement (its own transaction) wrote to the table's full-text index (its segments table)."""
    def segments():
        return db.execute(f"SELECT id, block FROM {table}_fts_data ORDER BY id").fetchall()

    before = segments()
    with db.conn:
        db.execute(sql, params)
    return segments() != before


def test_bookkeeping_update_leaves_the_index_alone(tmp_path):
    db, sid = stored_source(tmp_path)
    # a 304 re-check of an ok source: its text is not taken out of the index and put back
    assert not _index_written(db, "sources", "UPDATE sources SET fetched_at = ?, attempts = attempts + 1 WHERE id = ?",
                              ["2026-11-30T00:00:00+00:00", sid])
    assert _index_written(db, "sources", "UPDATE sources SET text = ? WHERE id = ?", ["The towers stood.", sid])
    assert match(db, "sources", "belfry") == [] and match(db, "sources", "towers") == [sid]


def test_older_archive_gets_the_narrow_update_trigger(tmp_path):
    db = open_db(tmp_path / "a.db")
    save_day(db, day_page(["A fire damages the roof."], rev=1))
    # an archive made before migration 0007: its update triggers fire on any column
    for table in ("events", "sources"):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [f"{table}_au"]).fetchone()[0]
        db.execute(f"DROP TRIGGER {table}_au")
        older = re.sub(r"AFTER UPDATE OF .*? ON", "AFTER UPDATE ON", sql, count=1)
        assert older != sql
        db.execute(older)
    db.execute("DELETE FROM _sqlite_migrations WHERE name = '0007_fts_update_of'")
    assert _index_written(db, "events", "UPDATE events SET position = position WHERE 1", [])  # out and back in
    db.conn.close()
    db = open_db(tmp_path / "a.db")
    assert not _index_written(db, "events", "UPDATE events SET position = position WHERE 1", [])
    assert _index_written(db, "events", "UPDATE events SET text = text || ' Floods.' WHERE 1", [])
    assert [r["text"] for r in search_events(db, "floods")] == ["A fire damages the roof. Floods."]
    assert search_events(db, "roof") and not search_events(db, "cathedral")


def test_datasette_metadata(tmp_path):
    path = write_metadata(tmp_path / "m.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == metadata()
    tables = data["databases"]["archive"]["tables"]
    assert set(tables) == {"days", "events", "entities", "event_entities", "sources", "event_sources", "runs",
                           "wikidata_items", "wikidata_types", "wikidata_labels"}
    assert tables["events"]["fts_table"] == "events_fts"
    queries = data["databases"]["archive"]["queries"]
    assert {"events_by_entity", "sources_by_status"} <= set(queries)
    assert "CC BY-SA 4.0" in data["license"]
    db = open_db(tmp_path / "a.db")
    save_day(db, day_page(["Fire in Paris."], rev=1))
    for q in queries.values():  # every canned query runs against the live schema
        params = {p: "x" for p in ("title", "status", "event_id", "qid")} | {"q": "fire"}
        list(db.query(q["sql"], {k: v for k, v in params.items() if f":{k}" in q["sql"]}))
