"""Full-text search (FTS5) over events(text) and sources(title, text), kept in sync by triggers.

The SQL is what sqlite-utils' ``table.enable_fts(columns, fts_version="FTS5", create_triggers=True)`` creates
(so ``table.search()`` and Datasette find the indexes), run with ``db.execute`` so that it can sit inside the
migration's transaction (sqlite-utils uses ``executescript``, which commits). One difference: the update trigger
fires only when an indexed column is set (``AFTER UPDATE OF title, text``), so a bookkeeping update — a 304
re-check's ``fetched_at``, an archive search's time stamp — does not take the page's text out of the index and put
it back. Note: ``VACUUM`` may renumber the rowids of ``events`` (it has no INTEGER PRIMARY KEY); run
``rebuild_fts(db)`` after one.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.db import quote_identifier as q

FTS_TABLES = {"events": ("text",), "sources": ("title", "text")}


def _row_statements(table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    """The index's (delete old row, insert new row) statements, as the triggers run them."""
    fts, cols = f"{table}_fts", ", ".join(q(c) for c in columns)
    new = ", ".join(f"new.{q(c)}" for c in columns)
    old = ", ".join(f"old.{q(c)}" for c in columns)
    return (f"INSERT INTO {q(fts)} ({q(fts)}, rowid, {cols}) VALUES('delete', old.rowid, {old});",
            f"INSERT INTO {q(fts)} (rowid, {cols}) VALUES (new.rowid, {new});")


def _update_trigger(table: str, columns: tuple[str, ...]) -> str:
    delete, insert = _row_statements(table, columns)
    cols = ", ".join(q(c) for c in columns)
    return f"CREATE TRIGGER {q(table + '_au')} AFTER UPDATE OF {cols} ON {q(table)} BEGIN\n  {delete}\n  {insert}\nEND"


def _statements(table: str, columns: tuple[str, ...]) -> list[str]:
    fts, cols = f"{table}_fts", ", ".join(q(c) for c in columns)
    delete, insert = _row_statements(table, columns)
    col_lines = "".join(f"    {q(c)},\n" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {q(fts)} USING FTS5 (\n{col_lines}    content={q(table)}\n)",
        f"INSERT INTO {q(fts)} (rowid, {cols})\n    SELECT rowid, {cols} FROM {q(table)};",
        f"CREATE TRIGGER {q(table + '_ai')} AFTER INSERT ON {q(table)} BEGIN\n  {insert}\nEND",
        f"CREATE TRIGGER {q(table + '_ad')} AFTER DELETE ON {q(table)} BEGIN\n  {delete}\nEND",
        _update_trigger(table, columns),
    ]


def _has_fts(db: sqlite_utils.Database, table: str) -> bool:
    names = {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE name IN (?, ?, ?, ?)",
        [f"{table}_fts", f"{table}_ai", f"{table}_ad", f"{table}_au"]).fetchall()}
    return len(names) == 4


def _update_trigger_current(db: sqlite_utils.Database, table: str) -> bool:
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [f"{table}_au"]).fetchone()
    return row is not None and " UPDATE OF " in row[0]


def enable_fts(db: sqlite_utils.Database) -> None:
    """Create the FTS5 indexes and their triggers, filled from the current rows; when present, only bring an older
    update trigger (one that fired on any column) up to date."""
    for table, columns in FTS_TABLES.items():
        if _has_fts(db, table):
            if not _update_trigger_current(db, table):
                db.execute(f"DROP TRIGGER {q(table + '_au')}")
                db.execute(_update_trigger(table, columns))
            continue
        for name in (f"{table}_ai", f"{table}_ad", f"{table}_au"):
            db.execute(f"DROP TRIGGER IF EXISTS {q(name)}")
        db.execute(f"DROP TABLE IF EXISTS {q(table + '_fts')}")
        for sql in _statements(table, columns):
            db.execute(sql)


def rebuild_fts(db: sqlite_utils.Database) -> None:
    """Rebuild the indexes from their tables (after a VACUUM, or to repair them)."""
    for table in FTS_TABLES:
        db.execute(f"INSERT INTO {q(table + '_fts')}({q(table + '_fts')}) VALUES('rebuild')")


def search_events(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Events matching an FTS5 query, best first: ``[{id, day, text}, …]``."""
    return list(db.query(
        "SELECT e.id, e.day, e.text FROM events_fts JOIN events e ON e.rowid = events_fts.rowid "
        "WHERE events_fts MATCH ? ORDER BY events_fts.rank LIMIT ?", [query, limit]))
