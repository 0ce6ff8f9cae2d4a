"""Pure helpers for polite fetching: Retry-After parsing, User-Agent building."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: bytes | str | None, default: float | None = None, now=None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); ``default`` if absent/bad."""
    if value is None:
        return default
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def user_agent(contact: str, version: str) -> str:
    """A descriptive User-Agent as Wikimedia's policy asks: tool/version (purpose; contact)."""
    return f"newsarchive/{version} (research news-event archive; +{contact}) Scrapy"
