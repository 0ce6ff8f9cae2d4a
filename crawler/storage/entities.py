"""Entity resolutions: which titles still need one, storing a batch of them with the links to the canonical
entity kept in step, and the counts ``status`` shows (pure: a sqlite-utils Database in, rows out).

An entity row is a title as linked (or a story name, or the page a redirect led to). Once resolved,
``canonical_id`` names the row of the page it stands for (a redirect's target, or itself), and every
``event_entities`` link of it carries that id, so reads rank and show canonical entities.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import sqlite_utils

from crawler.items import EntityBatch, EntityResolution
from crawler.portal.entities import extent_m
from crawler.storage.days import stable_id

CHUNK = 500  # titles per IN (…) query


def max_age_cutoff(max_age_days: float, now: datetime | None = None) -> str:
    """The oldest ``resolved_at`` / ``fetched_at`` still fresh: ``max_age_days`` before ``now`` (ISO, UTC)."""
    now = now or datetime.now(timezone.utc)
    return (now - timedelta(days=max_age_days)).replace(microsecond=0).isoformat()


def fresh_keys(db: sqlite_utils.Database, table: str, key: str, stamp: str, values: list[str],
               cutoff: str) -> set[str]:
    """Which of ``values`` (``table.key``) hold an answer stamped ``cutoff`` or later."""
    fresh: set[str] = set()
    for i in range(0, len(values), CHUNK):
        part = values[i:i + CHUNK]
        marks = ",".join("?" * len(part))
        fresh.update(r[0] for r in db.execute(
            f"SELECT {key} FROM {table} WHERE {key} IN ({marks}) AND {stamp} >= ?", [*part, cutoff]))
    return fresh


def titles_to_resolve(db: sqlite_utils.Database, titles: Iterable[str], max_age_days: float | None,
                      now: datetime | None = None) -> list[str]:
    """``titles`` (in order, once each) that have no resolution, or one older than ``max_age_days`` (None: any
    resolution will do)."""
    titles = list(dict.fromkeys(titles))
    cutoff = max_age_cutoff(max_age_days, now) if max_age_days is not None else ""
    fresh = fresh_keys(db, "entities", "title", "resolved_at", titles, cutoff)
    return [t for t in titles if t not in fresh]


def range_titles(db: sqlite_utils.Database, start: str, end: str) -> tuple[list[str], list[str]]:
    """(link targets, story names as stored) of the events of ``start``…``end``."""
    links = [r[0] for r in db.execute(
        "SELECT DISTINCT en.title FROM event_entities ee JOIN events ev ON ev.id = ee.event_id "
        "JOIN entities en ON en.id = ee.entity_id WHERE ev.day BETWEEN ? AND ? ORDER BY en.title", [start, end])]
    stories = [r[0] for r in db.execute(
        "SELECT DISTINCT j.value FROM events ev, json_each(ev.stories) j WHERE ev.day BETWEEN ? AND ? "
        "ORDER BY j.value", [start, end])]
    return links, stories


def _row(res: EntityResolution, canonical: str, canonical_id: int, resolved_at: str) -> dict:
    located = res.lat is not None and res.lon is not None
    return {"canonical_title": canonical, "canonical_fragment": res.fragment, "canonical_id": canonical_id,
            "qid": res.qid, "lat": res.lat, "lon": res.lon, "coord_type": res.coord_type,
            "coord_dim": res.coord_dim, "extent_m": extent_m(res.coord_type, res.coord_dim) if located else None,
            "missing": int(res.status == "missing"), "page_id": res.page_id, "page_revision_id": res.revision_id,
            "resolved_at": resolved_at, "resolve_status": res.status, "resolve_error": res.error}


# A failed answer records its status and message and keeps what an earlier answer stored.
_FAILED = ("INSERT INTO entities (id, title, resolve_status, resolve_error) VALUES (?, ?, ?, ?) "
           "ON CONFLICT(id) DO UPDATE SET resolve_status = excluded.resolve_status, "
           "resolve_error = excluded.resolve_error")


def save_resolutions(db: sqlite_utils.Database, batch: EntityBatch) -> dict[str, int]:
    """Store one request's resolutions in one transaction; returns counts by status.

    A resolved title's row gets the answer and ``canonical_id``; a redirect's target gets a row of its own with
    the same answer (it is the canonical entity), and links and rows that pointed at the redirect's title move
    to the target. A redirect to a section keeps the section in ``canonical_fragment``.
    """
    counts: dict[str, int] = {}
    with db.atomic():
        for res in batch.resolutions:
            counts[res.status] = counts.get(res.status, 0) + 1
            entity_id = stable_id(res.title)
            if res.status == "api_error":
                db.execute(_FAILED, [entity_id, res.title, res.status, res.error])
                continue
            canonical = res.canonical_title or res.title
            canonical_id = stable_id(canonical)
            row = _row(res, canonical, canonical_id, batch.resolved_at)
            db["entities"].upsert({"id": entity_id, "title": res.title, **row}, pk="id")
            if canonical_id != entity_id:
                db["entities"].upsert({"id": canonical_id, "title": canonical, **row, "canonical_fragment": None},
                                      pk="id")
                for table in ("entities", "event_entities"):
                    db.execute(f"UPDATE {table} SET canonical_id = ? WHERE canonical_id = ?",
                               [canonical_id, entity_id])
            db.execute("UPDATE event_entities SET canonical_id = ? WHERE entity_id = ? AND canonical_id <> ?",
                       [canonical_id, entity_id, canonical_id])
    return counts


def entity_summary(db: sqlite_utils.Database) -> dict:
    """Entities resolved (to an existing page), missing (red links), unresolved (never answered), those with a
    Wikidata id and with coordinates, and the last attempt's status counts."""
    row = db.execute(
        "SELECT COUNT(*), coalesce(SUM(resolved_at IS NOT NULL AND missing = 0), 0), coalesce(SUM(missing), 0), "
        "coalesce(SUM(resolved_at IS NULL), 0), coalesce(SUM(qid IS NOT NULL), 0), "
        "coalesce(SUM(lat IS NOT NULL), 0) FROM entities").fetchone()
    return {
        **dict(zip(("total", "resolved", "missing", "unresolved", "with_qid", "located"), row)),
        "by_status": dict(db.execute(
            "SELECT resolve_status, COUNT(*) FROM entities WHERE resolve_status IS NOT NULL "
            "GROUP BY resolve_status ORDER BY resolve_status").fetchall()),
    }
