"""robots.txt answers kept between runs (pure: sqlite-utils in, bytes out).

RFC 9309 §2.4 lets a crawler cache robots.txt for up to 24 hours. A daily ``update`` meets most hosts of the day
before again; with the cache it asks each for robots.txt at most once a day. Only answers that say something
about the site are kept (2xx, and 4xx other than 408/429, which mean "no rules"); a transient answer (5xx, 408,
429) is asked again next time. While a host's robots.txt answers only transiently, RFC 9309 §2.3.1.4 says assume
complete disallow, or keep using a cached copy: the last kept answer serves for up to ``STALE_LIMIT`` (30 days).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlite_utils


STALE_LIMIT = timedelta(days=30)  # how long a kept answer stands in for a robots.txt that answers 5xx


def transient(status: int) -> bool:
    """An answer that says nothing about the rules: a server error, or "try again later" (408, 429)."""
    return status >= 500 or status in (408, 429)


def cacheable(status: int) -> bool:
    return (200 <= status < 300 or 400 <= status < 500) and not transient(status)


def cached_robots(db: sqlite_utils.Database, netloc: str, max_age: timedelta,
                  now: datetime | None = None) -> bytes | None:
    """The robots.txt body fetched for ``netloc`` less than ``max_age`` ago (b"" for a 4xx: no rules), or None."""
    row = next(db.query("SELECT fetched_at, http_status, body FROM robots_txt WHERE netloc = ?", [netloc]), None)
    if row is None:
        return None
    now = now or datetime.now(timezone.utc)
    try:
        fetched = datetime.fromisoformat(row["fetched_at"])
    except ValueError:
        return None
    if fetched.tzinfo is None:
        fetched = fetched.replace(tzinfo=timezone.utc)
    if not timedelta(0) <= now - fetched < max_age:
        return None
    return bytes(row["body"]) if 200 <= row["http_status"] < 300 else b""


def save_robots(db: sqlite_utils.Database, netloc: str, url: str, status: int, body: bytes,
                fetched_at: datetime | None = None) -> bool:
    """Keep a robots.txt answer (True) unless it is transient (5xx, 408, 429)."""
    if not cacheable(status):
        return False
    when = (fetched_at or datetime.now(timezone.utc)).replace(microsecond=0).isoformat()
    db["robots_txt"].upsert({"netloc": netloc, "url": url, "fetched_at": when, "http_status": int(status),
                             "body": bytes(body or b"")}, pk="netloc")
    return True
