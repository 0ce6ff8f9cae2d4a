"""The runs table and the coverage summary behind ``newsarchive status`` (pure)."""

from __future__ import annotations

import json

import sqlite_utils

from crawler import __version__
from crawler.storage.days import utcnow
from crawler.storage.entities import entity_summary
from crawler.storage.wikidata import wikidata_summary

RUN_COUNTERS = ("days", "days_missing", "days_failed", "events", "sources_fetched", "sources_ok", "sources_failed")


def start_run(db: sqlite_utils.Database, command: str, args: dict) -> int:
    """Record a run's start; returns its id."""
    return db["runs"].insert({"command": command, "args": json.dumps(args, default=str, sort_keys=True),
                              "started_at": utcnow(), "software_version": __version__}).last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, reason: str, counts: dict) -> None:
    """Record a run's end, its finish reason and counters."""
    db["runs"].update(run_id, {"finished_at": utcnow(), "finish_reason": reason,
                               **{c: int(counts[c] or 0) for c in RUN_COUNTERS if c in counts}})


def status_summary(db: sqlite_utils.Database, last_runs: int = 5) -> dict:
    """Counts, covered range, days per year, entities resolved / unresolved / missing, sources by status and the
    last runs."""
    one = lambda sql: next(db.query(sql))  # noqa: E731
    rng = one("SELECT MIN(day) AS first, MAX(day) AS last, COUNT(*) AS n FROM days")
    return {
        "days": rng["n"],
        "first_day": rng["first"],
        "last_day": rng["last"],
        "days_by_status": {r["status"]: r["n"] for r in db.query(
            "SELECT status, COUNT(*) AS n FROM days GROUP BY status ORDER BY status")},
        "days_by_year": {r["year"]: {"days": r["n"], "events": r["events"]} for r in db.query(
            "SELECT substr(day, 1, 4) AS year, COUNT(*) AS n, SUM(event_count) AS events "
            "FROM days GROUP BY year ORDER BY year")},
        "events": one("SELECT COUNT(*) AS n FROM events")["n"],
        "entities": one("SELECT COUNT(*) AS n FROM entities")["n"],
        "entity_resolution": entity_summary(db),
        "wikidata": wikidata_summary(db),
        "sources": one("SELECT COUNT(*) AS n FROM sources")["n"],
        "event_sources": one("SELECT COUNT(*) AS n FROM event_sources")["n"],
        "sources_recovered": {r["recovered_from"]: r["n"] for r in db.query(
            "SELECT recovered_from, COUNT(*) AS n FROM sources WHERE recovered_from IS NOT NULL AND status = 'ok' "
            "GROUP BY recovered_from")},
        "sources_by_status": {r["status"]: r["n"] for r in db.query(
            "SELECT status, COUNT(*) AS n FROM sources GROUP BY status ORDER BY n DESC")},
        "last_runs": list(db.query(
            f"SELECT id, command, started_at, finished_at, finish_reason, days, days_missing, days_failed, "
            f"events, sources_fetched, sources_ok, sources_failed FROM runs ORDER BY id DESC LIMIT {int(last_runs)}")),
    }


def update_range(db: sqlite_utils.Database, today, revisit_days: int):
    """(start, end) for ``update``: from the day after the newest complete day — or ``revisit_days`` back,
    whichever is earlier — up to ``today``. An empty archive starts ``revisit_days`` back."""
    from datetime import date, timedelta

    row = next(db.query("SELECT MAX(day) AS d FROM days WHERE status IN ('ok', 'missing')"))
    revisit_start = today - timedelta(days=revisit_days)
    if row["d"] is None:
        return revisit_start, today
    newest = date.fromisoformat(row["d"])
    return min(newest + timedelta(days=1), revisit_start), today
