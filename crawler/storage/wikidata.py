"""Wikidata items, their P31 types and the labels of type and country items (pure: a sqlite-utils Database in,
rows out). A failed answer records its status and message and keeps what an earlier answer stored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlite_utils

from crawler.items import WikidataBatch
from crawler.storage.entities import fresh_keys, max_age_cutoff


def qids_to_describe(db: sqlite_utils.Database, qids: Iterable[str], max_age_days: float,
                     now: datetime | None = None) -> list[str]:
    """``qids`` (in order, once each) without a stored item, or with one older than ``max_age_days``."""
    qids = list(dict.fromkeys(qids))
    fresh = fresh_keys(db, "wikidata_items", "qid", "fetched_at", qids, max_age_cutoff(max_age_days, now))
    return [q for q in qids if q not in fresh]


def labels_to_fetch(db: sqlite_utils.Database, qids: Iterable[str], max_age_days: float,
                    now: datetime | None = None) -> list[str]:
    """``qids`` of types and countries without a stored label answer, or with one older than ``max_age_days``."""
    qids = list(dict.fromkeys(qids))
    fresh = fresh_keys(db, "wikidata_labels", "qid", "fetched_at", qids, max_age_cutoff(max_age_days, now))
    return [q for q in qids if q not in fresh]


_ITEM_FAILED = ("INSERT INTO wikidata_items (qid, status, error) VALUES (?, ?, ?) ON CONFLICT(qid) DO UPDATE "
                "SET status = excluded.status, error = excluded.error")
_LABEL_FAILED = ("INSERT INTO wikidata_labels (qid, status, error) VALUES (?, ?, ?) ON CONFLICT(qid) DO UPDATE "
                 "SET status = excluded.status, error = excluded.error")


def save_wikidata(db: sqlite_utils.Database, batch: WikidataBatch) -> dict[str, int]:
    """Store one ``wbgetentities`` answer (items with their types, or labels) in one transaction; returns counts
    by status."""
    counts: dict[str, int] = {}
    with db.atomic():
        for item in batch.items:
            counts[item.status] = counts.get(item.status, 0) + 1
            if item.status == "api_error":
                db.execute(_ITEM_FAILED, [item.qid, item.status, item.error])
                continue
            db["wikidata_items"].upsert({
                "qid": item.qid, "status": item.status, "label": item.label, "description": item.description,
                "country_qid": item.country, "merged_into": item.merged_into, "revision_id": item.revision_id,
                "modified": item.modified, "fetched_at": batch.fetched_at, "error": item.error}, pk="qid")
            db.execute("DELETE FROM wikidata_types WHERE qid = ?", [item.qid])
            db["wikidata_types"].insert_all(
                {"qid": item.qid, "type_qid": t, "position": i} for i, t in enumerate(item.types, 1))
        for label in batch.labels:
            counts[label.status] = counts.get(label.status, 0) + 1
            if label.status == "api_error":
                db.execute(_LABEL_FAILED, [label.qid, label.status, label.error])
                continue
            db["wikidata_labels"].upsert({"qid": label.qid, "status": label.status, "label": label.label,
                                          "fetched_at": batch.fetched_at, "error": label.error}, pk="qid")
    return counts


def wikidata_summary(db: sqlite_utils.Database) -> dict:
    """Wikidata items by the last answer's status, and items with at least one type."""
    return {
        "items_by_status": dict(db.execute(
            "SELECT status, COUNT(*) FROM wikidata_items GROUP BY status ORDER BY status").fetchall()),
        "typed": db.execute("SELECT COUNT(DISTINCT qid) FROM wikidata_types").fetchone()[0],
    }


def entity_types(db: sqlite_utils.Database, qids: list[str]) -> dict[str, list[dict]]:
    """{qid: [{qid, label}, …]} — the P31 types of stored items, in statement order, with their labels."""
    out: dict[str, list[dict]] = {}
    for i in range(0, len(qids), 500):
        part = qids[i:i + 500]
        marks = ",".join("?" * len(part))
        for qid, type_qid, label in db.execute(
                "SELECT t.qid, t.type_qid, l.label FROM wikidata_types t LEFT JOIN wikidata_labels l "
                f"ON l.qid = t.type_qid WHERE t.qid IN ({marks}) ORDER BY t.qid, t.position", part):
            out.setdefault(qid, []).append({"qid": type_qid, "label": label})
    return out
