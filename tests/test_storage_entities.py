"""Entity resolutions in the archive (crawler.storage.entities): what is left to resolve, canonical links, the
migration of an archive made before resolution existed, the counts `status` shows."""

from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.items import DayPage, Entity, EntityBatch, EntityResolution, Event
from crawler.storage.days import day_events, save_day, stable_id
from crawler.storage.entities import entity_summary, save_resolutions, titles_to_resolve
from crawler.storage.events import day_rows, entity_events
from crawler.storage.schema import migrations, open_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "a.db")


def save(db, day, *events):
    d = date.fromisoformat(day)
    evs = [Event(d, None, [], text, entities=[Entity(t, t) for t in titles], position=i)
           for i, (text, titles) in enumerate(events, 1)]
    save_day(db, DayPage(day=d, title=f"Portal:Current events/{day}", status="ok", revision_id=1, events=evs))


def resolve(db, *resolutions, when=NOW):
    return save_resolutions(db, EntityBatch(list(resolutions), when.replace(microsecond=0).isoformat()))


def shoigu(title):
    return EntityResolution(title, "ok", canonical_title="Sergei Shoigu", qid="Q193509", page_id=11,
                            revision_id=900)


def links(db):
    return sorted(db.execute("SELECT ee.event_id, en.title, c.title FROM event_entities ee JOIN entities en ON "
                             "en.id = ee.entity_id JOIN entities c ON c.id = ee.canonical_id").fetchall())


def test_redirects_make_one_canonical_entity_and_links_follow(db):
    save(db, "2014-02-13", ("Shoigu speaks.", ["Sergey Shoigu", "Moscow"]))
    save(db, "2014-02-14", ("Shoygu visits.", ["Sergey Shoygu"]), ("Cairo event.", ["Cairo"]))
    counts = resolve(db, shoigu("Sergey Shoigu"), shoigu("Sergey Shoygu"),
                     EntityResolution("Moscow", "ok", canonical_title="Moscow", qid="Q649", lat=55.75, lon=37.62,
                                      coord_type="city"))
    assert counts == {"ok": 3}
    rows = {r["title"]: r for r in db.query("SELECT * FROM entities")}
    assert set(rows) == {"Sergey Shoigu", "Sergey Shoygu", "Sergei Shoigu", "Moscow", "Cairo"}
    target = stable_id("Sergei Shoigu")
    for t in ("Sergey Shoigu", "Sergey Shoygu", "Sergei Shoigu"):
        assert rows[t]["canonical_id"] == target and rows[t]["qid"] == "Q193509"
        assert rows[t]["canonical_title"] == "Sergei Shoigu" and rows[t]["resolved_at"] == "2026-12-01T12:00:00+00:00"
        assert rows[t]["page_id"] == 11 and rows[t]["page_revision_id"] == 900 and rows[t]["resolve_status"] == "ok"
    assert rows["Moscow"]["extent_m"] == 10_000 and rows["Moscow"]["lat"] == 55.75
    assert rows["Cairo"]["resolved_at"] is None and rows["Cairo"]["canonical_id"] is None
    # both spellings' events now count under the canonical entity
    assert sorted(r[0] for r in entity_events(db, [target])) == [target, target]
    _, ents, _ = day_rows(db, "2014-02-14")
    assert [t for ev in ents.values() for _, t in ev if "Sh" in t] == ["Sergei Shoigu"]
    assert [(e["title"], e["canonical_title"], e["qid"]) for e in day_events(db, "2014-02-13")[0]["entities"]] == \
        [("Sergey Shoigu", "Sergei Shoigu", "Q193509"), ("Moscow", "Moscow", "Q649")]


def test_a_day_stored_after_resolution_links_the_canonical_entity_at_once(db):
    resolve(db, shoigu("Sergey Shoygu"))
    save(db, "2015-01-01", ("Later event.", ["Sergey Shoygu"]))
    assert links(db) == [(db.execute("SELECT id FROM events").fetchone()[0], "Sergey Shoygu", "Sergei Shoigu")]


def test_a_renamed_canonical_page_takes_its_variants_along(db):
    save(db, "2014-01-01", ("Event.", ["A title"]), ("Other.", ["B title"]))
    resolve(db, EntityResolution("A title", "ok", canonical_title="B title"))
    # later the page B is moved to C: B resolves to C, and A's links (pointing at B) move too
    resolve(db, EntityResolution("B title", "ok", canonical_title="C title"))
    assert {r[1]: r[2] for r in links(db)} == {"A title": "C title", "B title": "C title"}
    assert db.execute("SELECT canonical_id FROM entities WHERE title = 'A title'").fetchone()[0] == \
        stable_id("C title")


def test_what_is_left_to_resolve_and_max_age(db):
    save(db, "2014-01-01", ("Event.", ["Fresh", "Old", "Never", "Failed"]))
    resolve(db, EntityResolution("Fresh", "ok", canonical_title="Fresh"), when=NOW - timedelta(days=10))
    resolve(db, EntityResolution("Old", "missing", canonical_title="Old"), when=NOW - timedelta(days=91))
    resolve(db, EntityResolution("Failed", "api_error", error="api_error: HTTP 503"))
    todo = titles_to_resolve(db, ["Never", "Fresh", "Old", "Failed", "Never", "Unknown"], 90, now=NOW)
    assert todo == ["Never", "Old", "Failed", "Unknown"]
    assert titles_to_resolve(db, ["Fresh", "Old"], 5, now=NOW) == ["Fresh", "Old"]


def test_a_failed_answer_keeps_the_earlier_resolution(db):
    save(db, "2014-01-01", ("Event.", ["Cairo"]))
    resolve(db, EntityResolution("Cairo", "ok", canonical_title="Cairo", qid="Q85", lat=30.0, lon=31.0),
            when=NOW - timedelta(days=100))
    assert resolve(db, EntityResolution("Cairo", "api_error", error="api_error: maxlag")) == {"api_error": 1}
    row = db["entities"].get(stable_id("Cairo"))
    assert (row["qid"], row["lat"], row["resolve_status"], row["resolve_error"]) == \
        ("Q85", 30.0, "api_error", "api_error: maxlag")
    assert row["resolved_at"] == (NOW - timedelta(days=100)).isoformat()  # still due again


def test_entity_summary_counts(db):
    save(db, "2014-01-01", ("Event.", ["A", "Red", "Bad", "Never", "Err"]))
    resolve(db, EntityResolution("A", "ok", canonical_title="A", qid="Q1", lat=1.0, lon=2.0),
            EntityResolution("Red", "missing", canonical_title="Red"),
            EntityResolution("Bad", "bad_qid", canonical_title="Bad", error="bad wikibase_item 'x'"),
            EntityResolution("Err", "api_error", error="api_error: HTTP 500"))
    assert entity_summary(db) == {"total": 5, "resolved": 2, "missing": 1, "unresolved": 2, "with_qid": 1,
                                  "located": 1,
                                  "by_status": {"api_error": 1, "bad_qid": 1, "missing": 1, "ok": 1}}


def test_migration_upgrades_an_archive_made_before_resolution(tmp_path):
    path = tmp_path / "old.db"
    old = open_db(path, migrate=False)
    migrations.apply(old, stop_before="0009_entities")
    assert "canonical_id" not in old["event_entities"].columns_dict
    old.execute("INSERT INTO days (day, title, status) VALUES ('2014-02-13', 'P', 'ok')")
    old.execute("INSERT INTO events (id, day, position, text) VALUES ('e1', '2014-02-13', 1, 'One'), "
                "('e2', '2014-02-13', 2, 'Two')")
    ids = {t: stable_id(t) for t in ("Sergey Shoigu", "Sergei Shoigu")}
    old.execute("INSERT INTO entities (id, title) VALUES (?, 'Sergey Shoigu'), (?, 'Sergei Shoigu')",
                [ids["Sergey Shoigu"], ids["Sergei Shoigu"]])
    old.execute("INSERT INTO event_entities (event_id, entity_id, label, position) VALUES ('e1', ?, 'S', 1), "
                "('e2', ?, 'S', 1)", [ids["Sergey Shoigu"], ids["Sergei Shoigu"]])
    old.conn.commit()
    old.close()

    db = open_db(path)
    assert {"canonical_id", "qid", "lat", "lon", "resolved_at"} <= set(db["entities"].columns_dict)
    assert {"qid", "label", "country_qid"} <= set(db["wikidata_items"].columns_dict)
    assert sorted(db.execute("SELECT event_id, entity_id = canonical_id FROM event_entities").fetchall()) == \
        [("e1", 1), ("e2", 1)]
    assert entity_summary(db)["unresolved"] == 2
    assert titles_to_resolve(db, ["Sergey Shoigu", "Sergei Shoigu"], 90) == ["Sergey Shoigu", "Sergei Shoigu"]
    resolve(db, shoigu("Sergey Shoigu"), shoigu("Sergei Shoigu"), when=datetime.now(timezone.utc))
    assert titles_to_resolve(db, ["Sergey Shoigu", "Sergei Shoigu"], 90) == []
    assert {r[0] for r in entity_events(db, [ids["Sergei Shoigu"]])} == {ids["Sergei Shoigu"]}
    assert len(list(entity_events(db, [ids["Sergei Shoigu"]]))) == 2
    assert "idx_event_entities_canonical" in {i.name for i in db["event_entities"].indexes}
