"""Reads of stored events for the rendered archive: a day's events with their entities and sources, the events
linked to an entity, the days that share entities (pure: a sqlite-utils Database in, rows out). Entities are
canonical entities (``event_entities.canonical_id``): the spellings and redirects of one page count as one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlite_utils


def days_with_events(db: sqlite_utils.Database) -> list[str]:
    """Every day that has at least one event, in order."""
    return [r[0] for r in db.execute("SELECT DISTINCT day FROM events ORDER BY day")]


def day_span(db: sqlite_utils.Database) -> tuple[str | None, str | None]:
    """(first, last) day the archive holds a page for; (None, None) when empty."""
    return tuple(db.execute("SELECT MIN(day), MAX(day) FROM days").fetchone())


def day_page_meta(db: sqlite_utils.Database, day: str) -> dict | None:
    """{title, revision_id, api_url} of the day's stored portal page, or None."""
    return next(db.query("SELECT title, revision_id, api_url FROM days WHERE day = ?", [day]), None)


def event_texts(db: sqlite_utils.Database, day: str) -> list[tuple[int, str, list[str], str]]:
    """(rowid, id, stories, text) of the day's events in page order."""
    return [(rowid, event_id, json.loads(stories or "[]"), text) for rowid, event_id, stories, text in db.execute(
        "SELECT rowid, id, stories, text FROM events WHERE day = ? ORDER BY position", [day])]


def day_rows(db: sqlite_utils.Database, day: str) -> tuple[list[dict], dict, dict]:
    """The day's events ({rowid, id, category} in page order), their canonical entities ({event id: [(canonical
    id, canonical title)]}, in link order) and their sources ({event id: [{outlet, cited_url, site_name,
    description}]}, in citation order)."""
    events = [dict(zip(("rowid", "id", "category"), r)) for r in db.execute(
        "SELECT rowid, id, category FROM events WHERE day = ? ORDER BY position", [day])]
    entities: dict[str, list[tuple[int, str]]] = {}
    for event_id, entity_id, title in db.execute(
            "SELECT ee.event_id, ee.canonical_id, coalesce(c.title, en.title) FROM event_entities ee "
            "JOIN events ev ON ev.id = ee.event_id JOIN entities en ON en.id = ee.entity_id "
            "LEFT JOIN entities c ON c.id = ee.canonical_id WHERE ev.day = ? ORDER BY ee.event_id, ee.position",
            [day]):
        entities.setdefault(event_id, []).append((entity_id, title))
    sources: dict[str, list[dict]] = {}
    for row in db.execute(
            "SELECT es.event_id, es.outlet, es.cited_url, s.site_name, s.description FROM event_sources es "
            "JOIN events ev ON ev.id = es.event_id JOIN sources s ON s.id = es.source_id "
            "WHERE ev.day = ? ORDER BY es.event_id, es.position", [day]):
        sources.setdefault(row[0], []).append(dict(zip(("outlet", "cited_url", "site_name", "description"), row[1:])))
    return events, entities, sources


def entity_events(db: sqlite_utils.Database, entity_ids: list[int]) -> Iterable[tuple[int, int, str]]:
    """(canonical entity id, event rowid, event day) for every event linking one of ``entity_ids`` (canonical)."""
    for i in range(0, len(entity_ids), 500):
        part = entity_ids[i:i + 500]
        marks = ",".join("?" * len(part))
        yield from db.execute("SELECT o.canonical_id, ev.rowid, ev.day FROM event_entities o "
                              f"JOIN events ev ON ev.id = o.event_id WHERE o.canonical_id IN ({marks})", part)


def days_sharing_entities(db: sqlite_utils.Database, days: Iterable[str]) -> list[str]:
    """Days outside ``days`` with an event sharing a (canonical) entity with an event of ``days``."""
    chosen = json.dumps(sorted(set(days)))
    rows = db.execute(
        "SELECT DISTINCT e2.day FROM events e1 JOIN event_entities a ON a.event_id = e1.id "
        "JOIN event_entities b ON b.canonical_id = a.canonical_id JOIN events e2 ON e2.id = b.event_id "
        "WHERE e1.day IN (SELECT value FROM json_each(?)) AND e2.day NOT IN (SELECT value FROM json_each(?)) "
        "ORDER BY e2.day", [chosen, chosen])
    return [r[0] for r in rows]


@contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One read transaction (a consistent view while a crawl writes), unless the caller already holds one."""
    own = not db.conn.in_transaction
    if own:
        db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        if own:
            db.conn.execute("ROLLBACK")
