"""Pure helpers for web-archive recovery: Wayback CDX queries, capture choice, Common Crawl index records."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote, urlencode, urlsplit

WAYBACK_URL = re.compile(
    r"^https?://(?:web\.)?archive\.org/web/(?P<ts>\d{4,14})(?:[a-z]{2}_)?/(?P<url>.+)$", re.I)

# Failures after which an archived copy is looked for.
RECOVERABLE = {"http_error", "timeout", "dns_error", "connection_refused", "connection_lost", "truncated",
               "empty_extraction", "soft_404", "fetch_error", "redirect_loop", "reported_dead"}


def unwrap_archive_url(url: str) -> tuple[str, str] | None:
    """``https://web.archive.org/web/20120222014306/http://x/y`` → (``http://x/y``, ``20120222014306``)."""
    m = WAYBACK_URL.match(url.strip())
    if not m:
        return None
    original = m.group("url")
    if original.startswith("//"):
        original = "http:" + original
    elif not re.match(r"^[a-z][a-z0-9+.-]*:", original, re.I):
        original = "http://" + original
    original = re.sub(r"^(https?):/(?!/)", r"\1://", original)  # archive.org collapses "//" in some links
    return original, m.group("ts")


CAPTURE_PATH = re.compile(r"/web/(?P<ts>\d{14})(?:[a-z]{2}_)?/(?P<url>.+)$", re.I)


def capture_timestamp(url: str) -> tuple[str, str] | None:
    """(14-digit timestamp, original URL) of a capture's address on any Wayback server
    (``<base>/web/20140215080000id_/http://x/y``); None for another address."""
    parts = urlsplit(url)
    m = CAPTURE_PATH.search(parts.path + (f"?{parts.query}" if parts.query else ""))
    if not m:
        return None
    wrapped = unwrap_archive_url(f"https://web.archive.org/web/{m.group('ts')}/{m.group('url')}")
    return (m.group("ts"), wrapped[0]) if wrapped else None


def memento_timestamp(value: str | bytes | None) -> str | None:
    """The 14-digit timestamp of a ``Memento-Datetime`` header (an HTTP date, RFC 7089; 14 digits accepted too)."""
    from email.utils import parsedate_to_datetime

    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = (value or "").strip()
    if re.fullmatch(r"\d{14}", value):
        return value
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y%m%d%H%M%S")


def within_days(timestamp: str, day: date | None, days: int) -> bool:
    """Whether a capture's timestamp lies within ``days`` of the event day (noon)."""
    gap = ts_to_datetime(timestamp) - ts_to_datetime(day_timestamp(day))
    return abs(gap) <= timedelta(days=days)


def is_recoverable(status: str, http_status: int | None = None) -> bool:
    """Whether a failed source is worth an archive lookup (a 404/410/5xx, a dead host, an empty page…)."""
    if status == "http_error":
        return http_status is None or http_status in (404, 410, 451) or http_status >= 500 or http_status == 403
    return status in RECOVERABLE


def day_timestamp(day: date | None) -> str:
    """14-digit Wayback timestamp at noon of the day (today when unknown)."""
    day = day or datetime.now(timezone.utc).date()
    return day.strftime("%Y%m%d") + "120000"


def cdx_query_url(base: str, url: str, day: date | None, window_days: int = 365, limit: int = 200) -> str:
    """CDX query for 200 captures of ``url`` within ``window_days`` around the event day."""
    day = day or datetime.now(timezone.utc).date()
    params = {
        "url": url,
        "output": "json",
        "fl": "timestamp,original,statuscode,mimetype,length",
        "filter": "statuscode:200",
        "from": (day - timedelta(days=window_days)).strftime("%Y%m%d"),
        "to": (day + timedelta(days=window_days)).strftime("%Y%m%d"),
        "limit": str(limit),
    }
    return f"{base.rstrip('/')}/cdx/search/cdx?{urlencode(params)}"


def read_cdx(body: str) -> list[dict]:
    """Rows of a CDX ``output=json`` answer (first row is the header) as dicts; [] for an empty answer."""
    body = body.strip()
    if not body:
        return []
    rows = json.loads(body)
    if not rows or not isinstance(rows, list):
        return []
    header, *data = rows
    return [dict(zip(header, row)) for row in data if isinstance(row, list)]


def ts_to_datetime(ts: str) -> datetime:
    ts = (ts + "00000000000000")[:14]
    return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def rank_captures(rows: list[dict], day: date | None) -> list[dict]:
    """Usable captures (status 200, HTML or unknown type), nearest the event day first; ties → earlier."""
    target = ts_to_datetime(day_timestamp(day))
    usable = [r for r in rows if str(r.get("statuscode", "200")) in ("200", "-")
              and "html" in (r.get("mimetype") or "text/html")]
    return sorted(usable, key=lambda r: (abs((ts_to_datetime(r["timestamp"]) - target).total_seconds()),
                                         r["timestamp"]))


def capture_url(base: str, timestamp: str, url: str) -> str:
    """The raw capture (``id_``: the archived bytes, without the Wayback banner or rewritten links)."""
    return f"{base.rstrip('/')}/web/{timestamp}id_/{url}"


# --- Common Crawl -----------------------------------------------------------------------------------------

def nearest_collection(collections: list[dict], day: date | None) -> dict | None:
    """The Common Crawl collection (from collinfo.json) whose id/name year-week is nearest the event day."""
    day = day or datetime.now(timezone.utc).date()
    best, best_gap = None, None
    for c in collections:
        m = re.search(r"CC-MAIN-(\d{4})-(\d{2})", c.get("id", ""))
        if not m:
            continue
        year, week = int(m.group(1)), int(m.group(2))
        when = date.fromisocalendar(year, max(1, min(week, 52)), 1)
        gap = abs((when - day).days)
        if when >= day and (best_gap is None or gap < best_gap):  # captured at or after the event
            best, best_gap = c, gap
    if best is None and collections:
        best = collections[0]
    return best


def cc_index_query(api: str, url: str) -> str:
    return f"{api}?{urlencode({'url': url, 'output': 'json', 'filter': 'status:200'})}"


def read_cc_index(body: str) -> list[dict]:
    """Lines of a CC index JSON answer (one JSON object per line)."""
    out = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def cc_range(record: dict) -> tuple[str, str]:
    """(path under the data URL, Range header) for a CC index record."""
    offset, length = int(record["offset"]), int(record["length"])
    return quote(record["filename"]), f"bytes={offset}-{offset + length - 1}"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
