"""Writes of fetched sources, and which sources a crawl should (re)fetch (pure: sqlite-utils in, rows out)."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta, timezone

import sqlite_utils

from crawler.items import SourceFetch
from crawler.storage.repo import utcnow
from crawler.urls import normalize_url

# Failures worth another try later, with exponential backoff: attempts 1,2,3,… wait 1h, 4h, 16h, …
RETRYABLE = {"timeout", "dns_error", "connection_refused", "connection_lost", "truncated", "fetch_error",
             "http_error_retryable"}
BACKOFF_BASE = timedelta(hours=1)
BACKOFF_FACTOR = 4
MAX_ATTEMPTS = 5

ARTICLE_FIELDS = ("title", "description", "language", "site_name", "published", "published_at",
                  "date_source", "date_confidence", "date_flag", "text", "word_count", "extractor",
                  "extractor_version", "outlet_rule")


def is_retryable(status: str, http_status: int | None) -> bool:
    if status == "http_error":
        return http_status is None or http_status >= 500 or http_status in (408, 425, 429)
    return status in RETRYABLE


def next_attempt(status: str, http_status: int | None, attempts: int, now: datetime) -> str | None:
    """When a failed source may be tried again (None: don't, or no more attempts)."""
    if status == "ok" or attempts >= MAX_ATTEMPTS or not is_retryable(status, http_status):
        return None
    wait = BACKOFF_BASE * (BACKOFF_FACTOR ** max(0, attempts - 1))
    return (now + wait).replace(microsecond=0).isoformat()


def save_source(db: sqlite_utils.Database, fetch: SourceFetch, result: dict | None = None) -> str:
    """Upsert one fetched source by normalised URL; returns its status."""
    url = normalize_url(fetch.url)
    now = datetime.now(timezone.utc)
    result = result or {}
    status = result.get("status") or fetch.status
    error = result.get("error") if "status" in result else fetch.error
    prev = next(db.query("SELECT attempts FROM sources WHERE url = ?", [url]), None)
    attempts = (prev["attempts"] if prev else 0) + 1
    row = {
        "final_url": fetch.final_url, "http_status": fetch.http_status, "content_type": fetch.content_type,
        "fetched_at": fetch.fetched_at or utcnow(), "status": status, "error": error, "attempts": attempts,
        "next_attempt_at": next_attempt(status, fetch.http_status, attempts, now),
        "etag": fetch.headers.get("etag"), "last_modified": fetch.headers.get("last-modified"),
        "event_day": fetch.event_day.isoformat() if fetch.event_day else None,
    }
    if fetch.body is not None and status != "too_large":
        row["html"] = zlib.compress(fetch.body, 6)
    if result and "text" in result:
        for key in ARTICLE_FIELDS:
            row[key] = result.get(key)
        row["authors"] = json.dumps(result.get("authors") or [], ensure_ascii=False)
        row["extracted_at"] = utcnow()
    with db.atomic():
        if prev is None:
            db.execute("INSERT INTO sources (url, cited_url, status, created_at) VALUES (?, ?, ?, ?)",
                       [url, fetch.url, status, utcnow()])
        cols = list(row)
        db.execute(f"UPDATE sources SET {', '.join(f'{c} = ?' for c in cols)} WHERE url = ?",
                   [row[c] for c in cols] + [url])
    return status


def sources_to_fetch(db: sqlite_utils.Database, urls: list[str], now: str | None = None) -> set[str]:
    """The normalised URLs among ``urls`` that need a fetch: never fetched, or failed and due again."""
    if not urls:
        return set()
    now = now or utcnow()
    wanted = set(urls)
    known = {}
    chunk = 500
    listed = list(wanted)
    for i in range(0, len(listed), chunk):
        part = listed[i : i + chunk]
        marks = ",".join("?" for _ in part)
        for r in db.query(f"SELECT url, status, next_attempt_at, fetched_at FROM sources WHERE url IN ({marks})", part):
            known[r["url"]] = r
    out = set()
    for url in wanted:
        r = known.get(url)
        if r is None or r["status"] == "pending" or r["fetched_at"] is None:
            out.add(url)
        elif r["status"] != "ok" and r["next_attempt_at"] and r["next_attempt_at"] <= now:
            out.add(url)
    return out


def stored_html(db: sqlite_utils.Database, source_id: int) -> bytes | None:
    row = next(db.query("SELECT html FROM sources WHERE id = ?", [source_id]), None)
    return zlib.decompress(row["html"]) if row and row["html"] is not None else None


def select_for_reextract(db: sqlite_utils.Database, outlet: str | None = None, since: str | None = None,
                         statuses: tuple[str, ...] = ()) -> list[dict]:
    """Sources with a stored body, filtered by citing outlet, fetch time and status."""
    where, params = ["s.html IS NOT NULL"], []
    if outlet:
        where.append("s.id IN (SELECT source_id FROM event_sources WHERE outlet = ? COLLATE NOCASE)")
        params.append(outlet)
    if since:
        where.append("s.fetched_at >= ?")
        params.append(since)
    if statuses:
        where.append(f"s.status IN ({','.join('?' for _ in statuses)})")
        params.extend(statuses)
    sql = ("SELECT s.id, s.url, s.final_url, s.content_type, s.event_day FROM sources s WHERE "
           + " AND ".join(where) + " ORDER BY s.id")
    return list(db.query(sql, params))


def update_extraction(db: sqlite_utils.Database, source_id: int, result: dict) -> None:
    """Write a re-run extraction over a source's article fields (the fetch record stays as it was)."""
    row = {key: result.get(key) for key in ARTICLE_FIELDS}
    row["authors"] = json.dumps(result.get("authors") or [], ensure_ascii=False)
    row["status"] = result.get("status")
    row["error"] = result.get("error")
    row["extracted_at"] = utcnow()
    cols = list(row)
    db.execute(f"UPDATE sources SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
               [row[c] for c in cols] + [source_id])
