"""Idempotent writes of day pages, events, entities and cited sources (pure: plain values in, rows out)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlite_utils

from crawler.items import DayPage, Event
from crawler.storage.blobs import pack_text, unpack_text
from crawler.net.urls import source_url


def utcnow() -> str:
    """Current UTC time as ISO-8601 with seconds precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class DaySaved:
    """What save_day did: whether the day's events were replaced, and the sources it cited."""

    day: str
    status: str
    changed: bool
    events: int
    source_urls: list[str] = field(default_factory=list)


def event_ids(events: list[Event]) -> list[str]:
    """Stable ids: a content hash of day+stories+text, suffixed when a day repeats a bullet."""
    seen: dict[str, int] = {}
    ids = []
    for ev in events:
        key = ev.key()
        n = seen.get(key, 0) + 1
        seen[key] = n
        ids.append(key if n == 1 else f"{key}-{n}")
    return ids


def stable_id(text: str) -> int:
    """A 60-bit integer key derived from a natural key (URL, title): equal across runs and machines."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:15], 16)


_compress = pack_text
decompress_text = unpack_text  # stored wikitext back to text (zstd, or zlib from older versions)


def save_day(db: sqlite_utils.Database, page: DayPage, wikitext: str | None = None) -> DaySaved:
    """Store one fetched day page in a single transaction.

    ``ok``: the day's events are replaced (unless the stored revision is the same, then nothing changes).
    ``missing``: the page does not exist, the day keeps zero events.
    ``parse_error``/``api_error``: the error is recorded; events of an earlier good revision are kept.
    """
    day = page.day.isoformat()
    fetched_at = page.fetched_at or utcnow()
    with db.atomic():
        prev = next(db.query("SELECT status, revision_id FROM days WHERE day = ?", [day]), None)
        unchanged = (
            page.status == "ok"
            and prev is not None
            and prev["status"] == "ok"
            and page.revision_id is not None
            and prev["revision_id"] == page.revision_id
        )
        if unchanged:
            db.execute("UPDATE days SET fetched_at = ? WHERE day = ?", [fetched_at, day])
            return DaySaved(day, "ok", False, len(page.events))
        row = {
            "day": day,
            "title": page.title,
            "status": page.status,
            "revision_id": page.revision_id,
            "revision_timestamp": page.revision_timestamp,
            "fetched_at": fetched_at,
            "parsed_at": utcnow() if page.status == "ok" else None,
            "error": page.error,
            "api_url": page.api_url,
            "wikitext": _compress(wikitext),
        }
        if page.warc:
            row["warc_file"], row["warc_offset"] = page.warc
        if page.status in ("ok", "missing"):
            row["event_count"] = len(page.events)
            _upsert_day(db, row)
            db.execute("DELETE FROM events WHERE day = ?", [day])
            urls = _insert_events(db, page) if page.events else []
            return DaySaved(day, page.status, True, len(page.events), urls)
        # A failure keeps what an earlier good revision gave us.
        if prev is None:
            row["event_count"] = 0
        _upsert_day(db, row)
        return DaySaved(day, page.status, True, 0)


def _upsert_day(db: sqlite_utils.Database, row: dict) -> None:
    db["days"].upsert(row, pk="day")


# sqlite-utils' upsert cannot keep the earlier of the stored and the new first citing day: this one stays SQL.
_SOURCE_CITED = ("INSERT INTO sources (id, url, cited_url, first_cited_day, status, created_at) "
                 "VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT(url) DO UPDATE SET first_cited_day = "
                 "min(coalesce(first_cited_day, excluded.first_cited_day), excluded.first_cited_day)")


def _insert_events(db: sqlite_utils.Database, page: DayPage) -> list[str]:
    """Insert the page's events with their entities and citations; returns the cited source URLs."""
    day = page.day.isoformat()
    now = utcnow()
    events, entities, links, sources, citations, cited = [], {}, [], {}, [], []
    for event_id, ev in zip(event_ids(page.events), page.events):
        events.append({"id": event_id, "day": day, "position": ev.position, "category": ev.category,
                       "stories": json.dumps(ev.stories, ensure_ascii=False), "text": ev.text,
                       "revision_id": page.revision_id})
        for pos, ent in enumerate(ev.entities, 1):
            entity_id = stable_id(ent.title)
            entities[entity_id] = ent.title
            links.append({"event_id": event_id, "entity_id": entity_id, "label": ent.label, "position": pos})
        for pos, src in enumerate(ev.sources, 1):
            url = source_url(src.url)
            sources.setdefault(url, (stable_id(url), url, src.url, day, now))
            citations.append({"event_id": event_id, "source_id": sources[url][0], "position": pos,
                              "outlet": src.outlet, "cited_url": src.url, "reported_dead": int(src.reported_dead)})
            cited.append(url)
    db["events"].insert_all(events)
    db["entities"].insert_all(({"id": k, "title": v} for k, v in entities.items()), ignore=True)
    canonical = _canonical_ids(db, list(entities))  # a resolved entity's links go to its canonical entity
    for link in links:
        link["canonical_id"] = canonical.get(link["entity_id"], link["entity_id"])
    db["event_entities"].insert_all(links, ignore=True)
    db.conn.executemany(_SOURCE_CITED, list(sources.values()))
    db["event_sources"].insert_all(citations)
    return cited


def _canonical_ids(db: sqlite_utils.Database, entity_ids: list[int]) -> dict[int, int]:
    """{entity id: canonical id} for the resolved ones among ``entity_ids``."""
    out: dict[int, int] = {}
    for i in range(0, len(entity_ids), 500):
        part = entity_ids[i:i + 500]
        out.update(db.execute(f"SELECT id, canonical_id FROM entities WHERE id IN ({','.join('?' * len(part))}) "
                              "AND canonical_id IS NOT NULL", part).fetchall())
    return out


def day_events(db: sqlite_utils.Database, day: str) -> list[dict]:
    """The stored events of a day with their entities (as linked, with the canonical entity's title, Wikidata id
    and coordinates) and sources, in page order (for checks and the demo)."""
    out = []
    for ev in db.query("SELECT * FROM events WHERE day = ? ORDER BY position", [day]):
        ev["stories"] = json.loads(ev["stories"])
        ev["entities"] = list(db.query(
            "SELECT e.title, ee.label, c.title AS canonical_title, c.qid, c.lat, c.lon, e.missing "
            "FROM event_entities ee JOIN entities e ON e.id = ee.entity_id "
            "LEFT JOIN entities c ON c.id = ee.canonical_id WHERE ee.event_id = ? ORDER BY ee.position", [ev["id"]]))
        ev["sources"] = list(db.query(
            "SELECT s.url, es.outlet, es.cited_url, es.reported_dead, s.status FROM event_sources es "
            "JOIN sources s ON s.id = es.source_id WHERE es.event_id = ? ORDER BY es.position", [ev["id"]]))
        out.append(ev)
    return out


def days_stored(db: sqlite_utils.Database, start: str, end: str, *, complete: bool = False) -> set[str]:
    """ISO days between ``start`` and ``end`` the archive holds a page record for (``complete``: only days whose
    page was read or is known to be missing, not failed ones)."""
    where = " AND status IN ('ok', 'missing')" if complete else ""
    return {r[0] for r in db.execute(f"SELECT day FROM days WHERE day BETWEEN ? AND ?{where}", [start, end])}
