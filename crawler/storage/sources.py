"""Writes of fetched sources, and which sources a crawl should (re)fetch (pure: sqlite-utils in, rows out)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlite_utils

from crawler.items import SourceFetch
from crawler.storage.blobs import pack, unpack
from crawler.storage.days import stable_id, utcnow
from crawler.storage.duplicates import pack_signature, place_source
from crawler.net.urls import source_url

# Failures worth another try later, with exponential backoff: attempts 1,2,3,… wait 1h, 4h, 16h, …
RETRYABLE = {"timeout", "dns_error", "connection_refused", "connection_lost", "truncated", "fetch_error",
             "robots_unreachable"}

ARTICLE_FIELDS = ("title", "description", "language", "site_name", "published", "published_at",
                  "date_source", "date_confidence", "date_flag", "text", "word_count", "extractor",
                  "extractor_version", "outlet_rule")


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for failed sources: wait base × factor^(attempts-1), at most max_attempts fetches."""

    base: timedelta
    factor: float
    max_attempts: int

    @classmethod
    def from_settings(cls, s) -> RetryPolicy:
        """From NEWSARCHIVE_SOURCE_RETRY_* of ``s`` (anything with ``getfloat``/``getint``: Scrapy's Settings)."""
        return cls(base=timedelta(seconds=s.getfloat("NEWSARCHIVE_SOURCE_RETRY_BASE")),
                   factor=s.getfloat("NEWSARCHIVE_SOURCE_RETRY_FACTOR"),
                   max_attempts=s.getint("NEWSARCHIVE_SOURCE_MAX_ATTEMPTS"))


def is_retryable(status: str, http_status: int | None) -> bool:
    if status == "http_error":
        return http_status is None or http_status >= 500 or http_status in (408, 425, 429)
    return status in RETRYABLE


def next_attempt(status: str, http_status: int | None, attempts: int, now: datetime,
                 policy: RetryPolicy) -> str | None:
    """When a failed source may be tried again (None: don't, or no more attempts)."""
    if status == "ok" or attempts >= policy.max_attempts or not is_retryable(status, http_status):
        return None
    wait = policy.base * (policy.factor ** max(0, attempts - 1))
    return (now + wait).replace(microsecond=0).isoformat()


def save_source(db: sqlite_utils.Database, fetch: SourceFetch, result: dict | None, policy: RetryPolicy,
                compressed_body: bytes | None = None) -> str:
    """Upsert one fetched source by normalised URL; returns its status.

    A source that was ``ok`` keeps its content when a later refetch fails or answers 304 Not Modified:
    only the check time (and the failure, in ``error``) is recorded. ``compressed_body`` is
    ``crawler.storage.blobs.pack(fetch.body)`` when the caller has it already (the extraction workers
    compress it, off the reactor thread).
    """
    url = source_url(fetch.url)
    now = datetime.now(timezone.utc)
    result = result or {}
    status = result.get("status") or fetch.status
    error = result.get("error") if "status" in result else fetch.error
    prev = next(db.query("SELECT status, error, attempts, fetched_at, archive_url FROM sources WHERE url = ?", [url]),
                None)
    if (prev is not None and fetch.fetched_at and prev["fetched_at"] == fetch.fetched_at
            and prev["archive_url"] == fetch.archive_url and prev["status"] == status):
        return status  # the same fetch delivered twice (a distributed ingest replaying its batch)
    attempts = (prev["attempts"] if prev else 0) + (0 if fetch.recovered_from or status == "archive_miss" else 1)
    fetched_at = fetch.fetched_at or utcnow()
    if status == "archive_miss" or (fetch.recovered_from and status != "ok" and (fetch.failure or {}).get(
            "failure_status")):
        # archives searched, nothing usable: the failure stays, the search is recorded
        failure = fetch.failure or {}
        if prev is None:
            _insert(db, url, fetch.url, failure.get("failure_status") or "archive_miss")
        if prev is None or prev["status"] == "pending":  # no live fetch recorded a status (a cited capture)
            status = failure.get("failure_status") or "archive_miss"
            db.execute("UPDATE sources SET status = ?, error = ?, fetched_at = ?, archive_checked_at = ? "
                       "WHERE url = ?", [status, failure.get("failure_error"), fetched_at, utcnow(), url])
            return status
        db.execute("UPDATE sources SET archive_checked_at = ? WHERE url = ?", [utcnow(), url])
        return prev["status"]
    if prev is not None and prev["status"] == "ok" and status != "ok":
        note = None if status == "not_modified" else f"refetch failed ({status}): {error}"
        db.execute("UPDATE sources SET fetched_at = ?, attempts = ?, error = ? WHERE url = ?",
                   [fetched_at, attempts, note, url])
        return "ok"
    row = {
        "final_url": fetch.final_url, "http_status": fetch.http_status, "content_type": fetch.content_type,
        "fetched_at": fetched_at, "status": status, "error": error, "attempts": attempts,
        "next_attempt_at": next_attempt(status, fetch.http_status, attempts, now, policy),
        "etag": fetch.headers.get("etag"), "last_modified": fetch.headers.get("last-modified"),
        "event_day": fetch.event_day.isoformat() if fetch.event_day else None,
    }
    if fetch.recovered_from:
        failure = fetch.failure or {}
        row.update(archive_url=fetch.archive_url, archive_timestamp=fetch.archive_timestamp,
                   recovered_from=fetch.recovered_from, archive_checked_at=utcnow(), next_attempt_at=None,
                   failure_status=failure.get("failure_status") or (
                       prev["status"] if prev and prev["status"] not in ("pending", "ok") else None),
                   failure_error=failure.get("failure_error") or (
                       prev["error"] if prev and prev["status"] not in ("pending", "ok") else None))
    if fetch.body is not None:  # a new body: point at its record, or at none (no stale pointer)
        row["warc_file"], row["warc_offset"] = fetch.warc or (None, None)
    elif fetch.warc:
        row.update(warc_file=fetch.warc[0], warc_offset=fetch.warc[1])
    if fetch.body is not None and status != "too_large":
        row["html"] = compressed_body if compressed_body is not None else pack(fetch.body)
    if result and "text" in result:
        for key in ARTICLE_FIELDS:
            row[key] = result.get(key)
        row["authors"] = json.dumps(result.get("authors") or [], ensure_ascii=False)
        row["extracted_at"] = utcnow()
    with db.atomic():
        if prev is None:
            _insert(db, url, fetch.url, status)
        # SQL rather than db["sources"].update(): that one reads the table's schema and the row first, twice the
        # CPU of this write, which runs on the crawl's reactor thread for every source.
        cols = list(row)
        db.execute(f"UPDATE sources SET {', '.join(f'{c} = ?' for c in cols)} WHERE url = ?",
                   [row[c] for c in cols] + [url])
        if result and "text" in result:
            _place(db, stable_id(url), result)
    return status


def _place(db: sqlite_utils.Database, source_id: int, result: dict) -> None:
    """(Re)place an extracted source among the near-duplicate groups (``crawler.storage.duplicates``)."""
    ok = result.get("status") == "ok"
    place_source(db, source_id, pack_signature(result.get("minhash")) if ok else None, result.get("canonical_url"),
                 article=ok)


def _insert(db: sqlite_utils.Database, url: str, cited_url: str, status: str) -> None:
    db.execute("INSERT OR IGNORE INTO sources (id, url, cited_url, status, created_at) VALUES (?, ?, ?, ?, ?)",
               [stable_id(url), url, cited_url, status, utcnow()])


def due_sources(db: sqlite_utils.Database, now: str | None = None, limit: int | None = None) -> list[dict]:
    """Sources never fetched, or failed and due again: url, cited_url, first_cited_day, validators."""
    now = now or utcnow()
    sql = ("SELECT url, cited_url, first_cited_day, etag, last_modified FROM sources "
           "WHERE status IN ('pending', 'not_in_replay') OR (status != 'ok' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?) "
           "ORDER BY first_cited_day, url")
    if limit:
        sql += f" LIMIT {int(limit)}"
    return list(db.query(sql, [now]))


def sources_to_fetch(db: sqlite_utils.Database, urls: list[str], now: str | None = None,
                     refetch_ok: bool = False) -> dict[str, dict]:
    """The normalised URLs among ``urls`` that need a fetch — never fetched, failed and due again, or (with
    ``refetch_ok``) already ok — mapped to their stored validators {etag, last_modified} for a conditional GET."""
    if not urls:
        return {}
    now = now or utcnow()
    wanted = list(dict.fromkeys(urls))
    known = {}
    for i in range(0, len(wanted), 500):
        part = wanted[i : i + 500]
        marks = ",".join("?" for _ in part)
        for r in db.query("SELECT url, status, next_attempt_at, fetched_at, etag, last_modified FROM sources "
                          f"WHERE url IN ({marks})", part):
            known[r["url"]] = r
    out = {}
    for url in wanted:
        r = known.get(url)
        if r is None or r["status"] in ("pending", "not_in_replay") or r["fetched_at"] is None:
            out[url] = {}
        elif r["status"] == "ok":
            if refetch_ok:
                out[url] = {"etag": r["etag"], "last_modified": r["last_modified"]}
        elif r["next_attempt_at"] and r["next_attempt_at"] <= now:
            out[url] = {}
    return out


def settled_source_urls(db: sqlite_utils.Database) -> list[str]:
    """Sources a crawl need not fetch again now: ok, or failed for good (no next attempt)."""
    return [r[0] for r in db.execute(
        "SELECT url FROM sources WHERE status != 'pending' AND (status = 'ok' OR next_attempt_at IS NULL)")]


def pending_sources(db: sqlite_utils.Database, start: str, end: str) -> list[dict]:
    """Sources never fetched that events of ``start``…``end`` cite: {url, cited_url, day} (earliest citing day)."""
    return list(db.query(
        "SELECT s.url, s.cited_url, MIN(e.day) AS day FROM sources s JOIN event_sources es ON es.source_id = s.id "
        "JOIN events e ON e.id = es.event_id WHERE s.status = 'pending' AND e.day BETWEEN ? AND ? "
        "GROUP BY s.id ORDER BY day", [start, end]))


def stored_html(db: sqlite_utils.Database, source_id: int) -> bytes | None:
    row = next(db.query("SELECT html FROM sources WHERE id = ?", [source_id]), None)
    return unpack(row["html"]) if row and row["html"] is not None else None


def stored_body(db: sqlite_utils.Database, source_id: int) -> dict | None:
    """{html (compressed), warc_file, warc_offset} of a source (the WARC pointers None on an archive that lacks
    them), or None for an unknown id."""
    from crawler.storage.warc import has_warc_columns

    cols = ["html"] + (["warc_file", "warc_offset"] if has_warc_columns(db, "sources") else [])
    row = db.execute(f"SELECT {', '.join(cols)} FROM sources WHERE id = ?", [source_id]).fetchone()
    return dict(zip(cols, row)) if row is not None else None


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
    with db.atomic():
        db.execute(f"UPDATE sources SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                   [row[c] for c in cols] + [source_id])
        _place(db, source_id, result)
