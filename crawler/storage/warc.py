"""Archive columns that point at WARC records (registered by crawler.storage.schema as a migration)."""

from __future__ import annotations

import sqlite_utils

# table -> {column: declaration}; warc_file is the WARC file's name, warc_offset its response record's offset
WARC_COLUMNS = {
    "sources": {"warc_file": "TEXT", "warc_offset": "INTEGER"},
    "days": {"warc_file": "TEXT", "warc_offset": "INTEGER"},
}


def add_warc_columns(db: sqlite_utils.Database) -> None:
    """Add ``warc_file``/``warc_offset`` to sources (the page's response record) and days (the API answer).

    Idempotent: columns already present are left alone.
    """
    for table, columns in WARC_COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}
        for col, decl in columns.items():
            if col not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {col} {decl}")


def has_warc_columns(db: sqlite_utils.Database, table: str) -> bool:
    """Whether ``table`` has the WARC pointer columns (false on an archive migrated only part way)."""
    return any(row[1] == "warc_file" for row in db.execute(f"PRAGMA table_info({table})").fetchall())
