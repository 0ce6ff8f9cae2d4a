"""The aggregates behind ``newsarchive report`` (pure: a sqlite-utils Database in, plain rows out).

Every query is one grouped pass over a table or an index, never a query per row. With no range the counts are
those of ``newsarchive status`` (``crawler.storage.runs.status_summary``); with ``start``/``end`` (ISO days,
inclusive) days and events are those of the range, and sources those cited by its events.
"""

from __future__ import annotations

from contextlib import contextmanager

import sqlite_utils

from crawler.storage.exports import LOCATIONS

# date_confidence buckets, lowest first: (label, lower bound inclusive)
CONFIDENCE_BUCKETS = (("< 0.5", 0.0), ("0.5–0.8", 0.5), ("0.8–0.9", 0.8), ("≥ 0.9", 0.9))
NOT_OK_DAY = "status <> 'ok'"
# Created by migration 0008. A source row holds its article text and compressed page in overflow pages, and a
# column stored after them (recovered_from, failure_status…) is reached only by reading the whole chain; these
# indexes hold every column the source aggregates read, so those queries scan a few MiB of index instead.
INDEXES = (
    ("CREATE INDEX IF NOT EXISTS idx_sources_report ON sources(status, recovered_from, first_cited_day, "
     "failure_status, event_day, published, date_source, date_confidence, extractor_version)"),
    "CREATE INDEX IF NOT EXISTS idx_sources_stored ON sources(extractor_version) WHERE html IS NOT NULL",
)


class Range:
    """SQL fragments restricting days, events and sources to ``start``…``end`` (either may be None)."""

    def __init__(self, start: str | None = None, end: str | None = None):
        self.start, self.end = start, end
        self.bounded = bool(start or end)

    def days(self, col: str = "day") -> tuple[str, list]:
        where, params = [], []
        if self.start:
            where.append(f"{col} >= ?")
            params.append(self.start)
        if self.end:
            where.append(f"{col} <= ?")
            params.append(self.end)
        return (" AND ".join(where) or "1"), params

    def sources(self, col: str = "s.id") -> tuple[str, list]:
        """Sources cited by the range's events (all sources when unbounded). The unary + keeps SQLite from
        fetching each source row by id: it scans a covering index and tests membership instead."""
        if not self.bounded:
            return "1", []
        where, params = self.days("e.day")
        return (f"+{col} IN (SELECT es.source_id FROM event_sources es JOIN events e ON e.id = es.event_id "
                f"WHERE {where})"), params


def _rows(db: sqlite_utils.Database, sql: str, params=()) -> list[dict]:
    return list(db.query(sql, list(params)))


def _one(db: sqlite_utils.Database, sql: str, params=()):
    return db.execute(sql, list(params)).fetchone()[0]


def overview(db: sqlite_utils.Database, rng: Range) -> dict:
    """The headline counts, keyed and defined as in ``newsarchive status --json``."""
    dw, dp = rng.days()
    sw, sp = rng.sources("id")
    first, last, n = db.execute(f"SELECT MIN(day), MAX(day), COUNT(*) FROM days WHERE {dw}", dp).fetchone()
    in_events = f"event_id IN (SELECT id FROM events WHERE {dw})" if rng.bounded else "1"
    return {
        "days": n, "first_day": first, "last_day": last,
        "days_by_status": {r["status"]: r["n"] for r in _rows(
            db, f"SELECT status, COUNT(*) AS n FROM days WHERE {dw} GROUP BY status ORDER BY status", dp)},
        "events": _one(db, f"SELECT COUNT(*) FROM events WHERE {dw}", dp),
        "entities": (_one(db, f"SELECT COUNT(DISTINCT entity_id) FROM event_entities WHERE {in_events}", dp)
                     if rng.bounded else _one(db, "SELECT COUNT(*) FROM entities")),
        "sources": _one(db, f"SELECT COUNT(*) FROM sources WHERE {sw}", sp),
        "event_sources": _one(db, f"SELECT COUNT(*) FROM event_sources WHERE {in_events}", dp),
        "sources_by_status": {r["status"]: r["n"] for r in _rows(
            db, f"SELECT status, COUNT(*) AS n FROM sources WHERE {sw} GROUP BY status "
                "ORDER BY n DESC, status", sp)},
        "sources_recovered": {r["recovered_from"]: r["n"] for r in _rows(
            db, f"SELECT recovered_from, COUNT(*) AS n FROM sources WHERE {sw} "
                "AND recovered_from IS NOT NULL AND status = 'ok' GROUP BY recovered_from ORDER BY recovered_from",
            sp)},
    }


def events_per_month(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """Per month (``YYYY-MM``) with a stored day: events, days stored, days missing, days failed."""
    dw, dp = rng.days()
    months: dict[str, dict] = {}
    for r in _rows(db, "SELECT substr(day, 1, 7) AS month, COUNT(*) AS days, SUM(status = 'missing') AS missing, "
                       f"SUM(status NOT IN ('ok', 'missing')) AS failed FROM days WHERE {dw} GROUP BY month",
                   dp):
        months[r["month"]] = {**r, "events": 0}
    for r in _rows(db, f"SELECT substr(day, 1, 7) AS month, COUNT(*) AS events FROM events WHERE {dw} "
                       "GROUP BY month", dp):
        empty = {"month": r["month"], "days": 0, "missing": 0, "failed": 0}
        months.setdefault(r["month"], empty)["events"] = r["events"]
    return [months[m] for m in sorted(months)]


def days_not_ok(db: sqlite_utils.Database, rng: Range, limit: int = 500) -> list[dict]:
    """Days whose page is missing or failed (oldest first, at most ``limit``), with the recorded error."""
    dw, dp = rng.days()
    return _rows(db, f"SELECT day, status, error FROM days WHERE {dw} AND {NOT_OK_DAY} ORDER BY day LIMIT ?",
                 [*dp, int(limit)])


def sources_per_event(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """How many events cite 0, 1, 2, … sources."""
    dw, dp = rng.days("e.day")
    return _rows(db, "SELECT n AS sources, COUNT(*) AS events FROM (SELECT e.id, COUNT(es.source_id) AS n "
                     "FROM events e LEFT JOIN event_sources es ON es.event_id = e.id "
                     f"WHERE {dw} GROUP BY e.id) GROUP BY n ORDER BY n", dp)


def source_status_by_year(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """Sources per year of first citation (NULL: never cited), status and archive of recovery."""
    sw, sp = rng.sources("id")
    return _rows(db, "SELECT substr(first_cited_day, 1, 4) AS year, status, "
                     "CASE WHEN status = 'ok' THEN recovered_from END AS recovered_from, COUNT(*) AS sources "
                     f"FROM sources WHERE {sw} GROUP BY year, status, 3 ORDER BY year, status, 3", sp)


def recovered_failures(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """Recovered sources by the archive they came from and the live failure they stand in for."""
    sw, sp = rng.sources("id")
    return _rows(db, "SELECT recovered_from, COALESCE(failure_status, '') AS failure_status, "
                     f"COUNT(*) AS sources FROM sources WHERE {sw} AND status = 'ok' AND recovered_from IS NOT NULL "
                     "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2", sp)


def top_outlets(db: sqlite_utils.Database, rng: Range, limit: int = 100) -> list[dict]:
    """Outlet labels by citations, with their sources' outcome per citation (ok live, recovered, failed,
    pending) and distinct sources; a bare [URL] citation has the outlet ''."""
    dw, dp = rng.days("e.day")
    join = "JOIN events e ON e.id = es.event_id " if rng.bounded else ""
    # CROSS JOIN keeps sources outside: read from idx_sources_report, never from their rows
    return _rows(db, "SELECT COALESCE(es.outlet, '') AS outlet, COUNT(*) AS citations, "
                     "COUNT(DISTINCT es.source_id) AS sources, "
                     "SUM(s.status = 'ok' AND s.recovered_from IS NULL) AS ok, "
                     "SUM(s.status = 'ok' AND s.recovered_from IS NOT NULL) AS recovered, "
                     "SUM(s.status NOT IN ('ok', 'pending')) AS failed, SUM(s.status = 'pending') AS pending "
                     "FROM sources s CROSS JOIN event_sources es "
                     f"ON es.source_id = s.id {join}WHERE {dw} "
                     "GROUP BY 1 ORDER BY citations DESC, outlet LIMIT ?", [*dp, int(limit)])


def publication_lag(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """Sources with a publication day, by days between it and their event day (``lag`` NULL: a date SQLite
    cannot read)."""
    sw, sp = rng.sources("id")
    return _rows(db, "SELECT CAST(round(julianday(substr(published, 1, 10)) - "
                     "julianday(COALESCE(event_day, first_cited_day))) AS INTEGER) AS lag, "
                     f"COUNT(*) AS sources FROM sources WHERE {sw} AND status = 'ok' AND published IS NOT NULL GROUP BY lag "
                     "ORDER BY lag", sp)


def date_provenance(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """``ok`` sources by the cascade step that gave the date ('' for none) and date_confidence bucket."""
    sw, sp = rng.sources("id")
    whens = " ".join(f"WHEN date_confidence >= {low} THEN '{label}'" for label, low in reversed(CONFIDENCE_BUCKETS))
    bucket = f"CASE WHEN date_confidence IS NULL THEN NULL {whens} END"
    return _rows(db, f"SELECT COALESCE(date_source, '') AS date_source, {bucket} AS confidence, "
                     f"COUNT(*) AS sources FROM sources WHERE {sw} AND status = 'ok' GROUP BY 1, 2 "
                     "ORDER BY 3 DESC, 1, 2", sp)


def extraction_versions(db: sqlite_utils.Database, rng: Range) -> list[dict]:
    """Extractor versions ('' for none) with their sources and how many of them keep the page (``reextract``
    re-runs those)."""
    sw, sp = rng.sources("id")
    stored = {r["version"]: r["n"] for r in _rows(  # idx_sources_stored: the partial index of kept pages
        db, "SELECT COALESCE(extractor_version, '') AS version, COUNT(*) AS n FROM sources "
            f"WHERE {sw} AND html IS NOT NULL GROUP BY 1", sp)}
    versions = {r["version"]: r["n"] for r in _rows(
        db, "SELECT extractor_version AS version, COUNT(*) AS n FROM sources "
            f"WHERE {sw} AND extractor_version IS NOT NULL GROUP BY 1", sp)}
    return [{"version": v, "sources": versions.get(v, 0) + (stored.get("", 0) if v == "" else 0),
             "stored": stored.get(v, 0)} for v in sorted(set(versions) | set(stored))]


def has_locations(db: sqlite_utils.Database) -> bool:
    """Whether any entity carries coordinates (written by entity resolution)."""
    return db.execute("SELECT 1 FROM entities WHERE lat IS NOT NULL AND lon IS NOT NULL LIMIT 1").fetchone() is not None


def event_locations(db: sqlite_utils.Database, rng: Range, limit: int = 1000) -> dict | None:
    """Events placed at their location (``crawler.storage.exports.LOCATIONS``: the located entity of smallest
    extent), grouped by place: the ``limit`` busiest places, how many events were placed, at how many places;
    None when no entity has coordinates."""
    if not has_locations(db):
        return None
    dw, dp = rng.days("ev.day")
    rows = _rows(db, f"WITH loc AS ({LOCATIONS.format(where=dw)}) SELECT title, lat, lon, COUNT(*) AS events "
                     "FROM loc GROUP BY entity_id ORDER BY events DESC, title", dp)
    return {"places": rows[:limit], "events": sum(r["events"] for r in rows), "place_count": len(rows)}


def last_runs(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    """The last ``limit`` runs, newest first, with the columns of ``status --json``'s last_runs."""
    return _rows(db, "SELECT id, command, started_at, finished_at, finish_reason, days, days_missing, "
                     "days_failed, events, sources_fetched, sources_ok, sources_failed FROM runs "
                     "ORDER BY id DESC LIMIT ?",
                 [int(limit)])


@contextmanager
def snapshot(db: sqlite_utils.Database):
    """One read transaction around the queries: consistent counts while a crawl writes."""
    own = not db.conn.in_transaction
    if own:
        db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        if own:
            db.conn.execute("ROLLBACK")


def collect(db: sqlite_utils.Database, start: str | None = None, end: str | None = None, *, runs: int = 20,
            outlets: int = 100, places: int = 1000) -> dict:
    """Every aggregate of the report, from one snapshot."""
    rng = Range(start, end)
    with snapshot(db):
        return {
            "range": {"start": start, "end": end},
            "overview": overview(db, rng),
            "months": events_per_month(db, rng),
            "days_not_ok": days_not_ok(db, rng),
            "sources_per_event": sources_per_event(db, rng),
            "status_by_year": source_status_by_year(db, rng),
            "recovered": recovered_failures(db, rng),
            "outlets": top_outlets(db, rng, outlets),
            "lag": publication_lag(db, rng),
            "provenance": date_provenance(db, rng),
            "confidence_buckets": [label for label, _ in CONFIDENCE_BUCKETS],
            "versions": extraction_versions(db, rng),
            "locations": event_locations(db, rng, places),
            "runs": last_runs(db, runs),
        }
