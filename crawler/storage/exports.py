"""The reads behind dataset exports: events with their entities and sources in batches, the flat tables, and the
facts a data card reports (pure: a sqlite-utils Database in, rows out; streamed with cursors)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import sqlite_utils


def _range_sql(start, end, col: str = "day") -> tuple[str, list]:
    where, params = [], []
    if start:
        where.append(f"{col} >= ?")
        params.append(str(start))
    if end:
        where.append(f"{col} <= ?")
        params.append(str(end))
    return (" AND ".join(where) or "1"), params


def event_batches(db: sqlite_utils.Database, start, end, source_columns: list[str],
                  batch: int) -> Iterator[list[dict]]:
    """Batches of events ``{id, day, position, category, stories, text, revision_id, entities: [{title, label,
    canonical_title, qid, lat, lon}], location: {title, qid, lat, lon} | None, sources: [{position, outlet,
    cited_url, reported_dead, <source_columns>…}]}`` in day and page order (entity facts from the canonical
    entity; ``location``: ``LOCATIONS``)."""
    where, params = _range_sql(start, end)
    sel = ", ".join(f"s.{c}" for c in source_columns)
    cur = db.conn.execute(
        f"SELECT id, day, position, category, stories, text, revision_id FROM events WHERE {where} "
        "ORDER BY day, position", params)
    while rows := cur.fetchmany(batch):
        events = {r[0]: {"id": r[0], "day": r[1], "position": r[2], "category": r[3],
                         "stories": json.loads(r[4] or "[]"), "text": r[5], "revision_id": r[6],
                         "entities": [], "location": None, "sources": []} for r in rows}
        marks = ",".join("?" * len(events))
        for event_id, *entity in db.conn.execute(
                "SELECT ee.event_id, en.title, ee.label, c.canonical_title, c.qid, c.lat, c.lon FROM event_entities ee "
                "JOIN entities en ON en.id = ee.entity_id LEFT JOIN entities c ON c.id = ee.canonical_id "
                f"WHERE ee.event_id IN ({marks}) ORDER BY ee.event_id, ee.position", list(events)):
            events[event_id]["entities"].append(dict(zip(ENTITY_FIELDS, entity)))
        for event_id, _, *place in db.conn.execute(LOCATIONS.format(where=f"ee.event_id IN ({marks})"),
                                                   list(events)):
            events[event_id]["location"] = dict(zip(("title", "qid", "lat", "lon"), place))
        for r in db.conn.execute(
                f"SELECT es.event_id, es.position, es.outlet, es.cited_url, es.reported_dead, {sel} "
                "FROM event_sources es JOIN sources s ON s.id = es.source_id "
                f"WHERE es.event_id IN ({marks}) ORDER BY es.event_id, es.position", list(events)):
            src = dict(zip(["position", "outlet", "cited_url", "reported_dead", *source_columns], r[1:]))
            src["reported_dead"] = bool(src["reported_dead"])
            src["authors"] = json.loads(src["authors"]) if src.get("authors") else []
            events[r[0]]["sources"].append(src)
        yield list(events.values())


ENTITY_FIELDS = ("title", "label", "canonical_title", "qid", "lat", "lon")

# An event's location: of its linked entities whose canonical entity has coordinates, the one of smallest extent
# (``entities.extent_m``: the page's ``dim``, else its coordinates' type), the first linked among equals.
LOCATIONS = ("SELECT event_id, entity_id, title, qid, lat, lon FROM (SELECT ee.event_id, c.id AS entity_id, "
             "c.title, c.qid, c.lat, c.lon, ev.day, ev.position, row_number() OVER (PARTITION BY ee.event_id "
             "ORDER BY c.extent_m, ee.position) AS n FROM event_entities ee JOIN entities c "
             "ON c.id = ee.canonical_id JOIN events ev ON ev.id = ee.event_id "
             "WHERE {where} AND c.lat IS NOT NULL AND c.lon IS NOT NULL) WHERE n = 1")

TABLES = {
    "events": ("SELECT ev.id, ev.day, ev.position, ev.category, ev.stories, ev.text, ev.revision_id "
               "FROM events ev WHERE {where} ORDER BY ev.day, ev.position"),
    "entities": ("WITH linked AS (SELECT ee.entity_id, ee.canonical_id FROM event_entities ee JOIN events ev "
                 "ON ev.id = ee.event_id WHERE {where}) SELECT id, title, canonical_id, canonical_title, qid, lat, "
                 "lon, missing, resolved_at FROM entities WHERE id IN (SELECT entity_id FROM linked UNION "
                 "SELECT canonical_id FROM linked) ORDER BY id"),
    "event_entities": ("SELECT ee.event_id, ee.entity_id, ee.canonical_id, ee.label, ee.position "
                       "FROM event_entities ee "
                       "JOIN events ev ON ev.id = ee.event_id WHERE {where} ORDER BY ev.day, ev.position, "
                       "ee.position"),
    "sources": ("SELECT {cols} FROM sources WHERE id IN (SELECT es.source_id FROM event_sources es "
                "JOIN events ev ON ev.id = es.event_id WHERE {where}) ORDER BY id"),
    "event_sources": ("SELECT es.event_id, es.source_id, es.position, es.outlet, es.cited_url, "
                      "es.reported_dead FROM event_sources es JOIN events ev ON ev.id = es.event_id "
                      "WHERE {where} ORDER BY ev.day, ev.position, es.position"),
    "event_locations": LOCATIONS + " ORDER BY day, position",
}


def table_rows(db: sqlite_utils.Database, table: str, start, end, source_columns: list[str],
               batch: int = 5000) -> tuple[list[str], Iterator[list[tuple]]]:
    """(column names, batches of rows) of one flat table of the range: ``TABLES``' keys; ``sources`` with
    ``source_columns``."""
    where, params = _range_sql(start, end, "ev.day")
    cur = db.conn.execute(TABLES[table].format(where=where, cols=", ".join(source_columns)), params)

    def batches():
        while rows := cur.fetchmany(batch):
            yield rows

    return [d[0] for d in cur.description], batches()


def export_facts(db: sqlite_utils.Database, start=None, end=None) -> dict:
    """Counts and provenance of the range, for a data card."""
    where, params = _range_sql(start, end, "ev.day")
    one = lambda sql: db.conn.execute(sql, params).fetchone()  # noqa: E731
    in_range = f"IN (SELECT ev.id FROM events ev WHERE {where})"
    ev = one(f"SELECT COUNT(*), COUNT(DISTINCT day), MIN(day), MAX(day) FROM events ev WHERE {where}")
    src = f"SELECT DISTINCT source_id FROM event_sources WHERE event_id {in_range}"
    return {
        "events": ev[0], "days": ev[1], "first_day": ev[2], "last_day": ev[3],
        "entities": one(f"SELECT COUNT(DISTINCT entity_id) FROM event_entities WHERE event_id {in_range}")[0],
        "canonical_entities": one("SELECT COUNT(DISTINCT ee.canonical_id), COUNT(DISTINCT c.qid) FROM "
                                  "event_entities ee LEFT JOIN entities c ON c.id = ee.canonical_id "
                                  f"WHERE ee.event_id {in_range}"),
        "events_located": one(f"SELECT COUNT(*) FROM ({LOCATIONS.format(where=where)})")[0],
        "sources": one(f"SELECT COUNT(*) FROM ({src})")[0],
        "sources_by_status": db.conn.execute(
            f"SELECT status, COUNT(*) FROM sources WHERE id IN ({src}) GROUP BY status ORDER BY 2 DESC",
            params).fetchall(),
        "sources_with_text": one(f"SELECT COUNT(*) FROM sources WHERE id IN ({src}) AND text <> ''")[0],
        "extractors": [r[0] for r in db.conn.execute(
            f"SELECT DISTINCT extractor_version FROM sources WHERE id IN ({src}) "
            "AND extractor_version IS NOT NULL ORDER BY 1", params)],
        "pages": db.conn.execute(
            f"SELECT status, COUNT(*), MIN(revision_timestamp), MAX(revision_timestamp), "
            f"COUNT(DISTINCT revision_id) FROM days ev WHERE {where} GROUP BY status", params).fetchall(),
        "runs": db.conn.execute("SELECT COUNT(*), MIN(started_at), MAX(finished_at) FROM runs").fetchone(),
        "last_runs": db.conn.execute(
            "SELECT id, command, started_at, finished_at, finish_reason, days, events, sources_fetched, "
            "software_version FROM runs ORDER BY id DESC LIMIT 10").fetchall(),
    }


# -- dataset exports (WCEP shape, splits by time) ---------------------------------------------------------------

def events_per_day(db: sqlite_utils.Database, start=None, end=None) -> list[tuple[str, int]]:
    """(day, events) of the days of the range that have events, in day order (what a split by time cuts)."""
    where, params = _range_sql(start, end)
    return db.conn.execute(f"SELECT day, COUNT(*) FROM events WHERE {where} GROUP BY day ORDER BY day",
                           params).fetchall()


def has_column(db: sqlite_utils.Database, table: str, column: str) -> bool:
    return any(row[1] == column for row in db.conn.execute(f"PRAGMA table_info({table})"))


def entity_qids(db: sqlite_utils.Database, titles: list[str]) -> dict[str, str]:
    """Wikidata ids of the given entity titles, where the archive has resolved them (``entities.qid``; an archive
    without that column resolves none)."""
    if not titles or not has_column(db, "entities", "qid"):
        return {}
    out = {}
    for i in range(0, len(titles), 500):
        part = titles[i : i + 500]
        out.update(db.conn.execute(f"SELECT title, qid FROM entities WHERE qid IS NOT NULL AND title IN "
                                   f"({','.join('?' * len(part))})", part).fetchall())
    return out


def duplicate_facts(db: sqlite_utils.Database, start=None, end=None) -> dict:
    """Near-duplicate, dead and recovered counts over the distinct sources the range's events cite."""
    where, params = _range_sql(start, end, "ev.day")
    src = f"SELECT DISTINCT es.source_id FROM event_sources es JOIN events ev ON ev.id = es.event_id WHERE {where}"
    row = db.conn.execute(
        "SELECT COUNT(*), SUM(status = 'ok'), SUM(status = 'ok' AND duplicate_group IS NOT NULL), "
        "SUM(status = 'ok' AND duplicate_of IS NOT NULL), COUNT(DISTINCT duplicate_group), "
        "SUM(status NOT IN ('ok', 'pending')), SUM(status = 'pending'), SUM(status = 'ok' AND recovered_from "
        f"IS NOT NULL), SUM(canonical_url IS NOT NULL) FROM sources WHERE id IN ({src})", params).fetchone()
    keys = ("sources", "ok", "grouped", "duplicates", "groups", "failed", "pending", "recovered", "canonical")
    facts = dict(zip(keys, (v or 0 for v in row)))
    facts["date_sources"] = db.conn.execute(
        f"SELECT COALESCE(date_source, 'none'), COUNT(*) FROM sources WHERE status = 'ok' AND id IN ({src}) "
        "GROUP BY 1 ORDER BY 2 DESC", params).fetchall()
    facts["recovered_from"] = db.conn.execute(
        f"SELECT recovered_from, COUNT(*) FROM sources WHERE status = 'ok' AND recovered_from IS NOT NULL "
        f"AND id IN ({src}) GROUP BY 1 ORDER BY 2 DESC", params).fetchall()
    return facts
