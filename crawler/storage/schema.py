"""Every table of the archive, as sqlite-utils migrations (applied in order, recorded in _sqlite_migrations).

docs/schema.md documents each table and column; keep the two in step.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from crawler.storage.errors import UnreadableArchive

migrations = Migrations("newsarchive")


def _run(db: sqlite_utils.Database, *statements: str) -> None:
    for sql in statements:
        db.execute(sql)


@migrations(name="0001_portal")
def _portal(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """CREATE TABLE days (
            day TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            status TEXT NOT NULL,
            revision_id INTEGER,
            revision_timestamp TEXT,
            fetched_at TEXT,
            parsed_at TEXT,
            event_count INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            api_url TEXT,
            wikitext BLOB
        )""",
        """CREATE TABLE events (
            id TEXT PRIMARY KEY,
            day TEXT NOT NULL REFERENCES days(day) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            category TEXT,
            stories TEXT NOT NULL DEFAULT '[]',
            text TEXT NOT NULL,
            revision_id INTEGER,
            UNIQUE (day, position)
        )""",
        "CREATE INDEX idx_events_day ON events(day)",
        """CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL UNIQUE
        )""",
        """CREATE TABLE event_entities (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            entity_id INTEGER NOT NULL REFERENCES entities(id),
            label TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (event_id, entity_id)
        )""",
        "CREATE INDEX idx_event_entities_entity ON event_entities(entity_id)",
        """CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            cited_url TEXT NOT NULL,
            first_cited_day TEXT,
            status TEXT NOT NULL DEFAULT 'pending',
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_sources_status ON sources(status)",
        """CREATE TABLE event_sources (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            source_id INTEGER NOT NULL REFERENCES sources(id),
            position INTEGER NOT NULL,
            outlet TEXT,
            cited_url TEXT NOT NULL,
            reported_dead INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (event_id, position)
        )""",
        "CREATE INDEX idx_event_sources_source ON event_sources(source_id)",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            args TEXT NOT NULL DEFAULT '{}',
            started_at TEXT NOT NULL,
            finished_at TEXT,
            finish_reason TEXT,
            days INTEGER NOT NULL DEFAULT 0,
            days_missing INTEGER NOT NULL DEFAULT 0,
            days_failed INTEGER NOT NULL DEFAULT 0,
            events INTEGER NOT NULL DEFAULT 0,
            sources_fetched INTEGER NOT NULL DEFAULT 0,
            sources_ok INTEGER NOT NULL DEFAULT 0,
            sources_failed INTEGER NOT NULL DEFAULT 0,
            software_version TEXT
        )""",
    )


SOURCE_FETCH_COLUMNS = {
    "final_url": "TEXT", "http_status": "INTEGER", "content_type": "TEXT", "fetched_at": "TEXT",
    "error": "TEXT", "attempts": "INTEGER NOT NULL DEFAULT 0", "next_attempt_at": "TEXT",
    "etag": "TEXT", "last_modified": "TEXT", "event_day": "TEXT",
    "title": "TEXT", "authors": "TEXT", "description": "TEXT", "language": "TEXT", "site_name": "TEXT",
    "published": "TEXT", "published_at": "TEXT", "date_source": "TEXT", "date_confidence": "REAL",
    "date_flag": "TEXT", "text": "TEXT", "word_count": "INTEGER", "extractor": "TEXT",
    "extractor_version": "TEXT", "outlet_rule": "TEXT", "extracted_at": "TEXT",
    "html": "BLOB", "html_encoding": "TEXT",
}


@migrations(name="0002_source_fetch")
def _source_fetch(db: sqlite_utils.Database) -> None:
    for col, decl in SOURCE_FETCH_COLUMNS.items():
        db.execute(f"ALTER TABLE sources ADD COLUMN {col} {decl}")
    db.execute("CREATE INDEX idx_sources_next_attempt ON sources(status, next_attempt_at)")


@migrations(name="0003_fts")
def _fts(db: sqlite_utils.Database) -> None:
    from crawler.storage.fts import enable_fts  # FTS5 on events(text), sources(title, text), with triggers

    enable_fts(db)


RECOVERY_COLUMNS = {
    "archive_url": "TEXT", "archive_timestamp": "TEXT", "recovered_from": "TEXT",
    "failure_status": "TEXT", "failure_error": "TEXT", "archive_checked_at": "TEXT",
}


@migrations(name="0004_recovery")
def _recovery(db: sqlite_utils.Database) -> None:
    for col, decl in RECOVERY_COLUMNS.items():
        db.execute(f"ALTER TABLE sources ADD COLUMN {col} {decl}")


@migrations(name="0005_warc")
def _warc(db: sqlite_utils.Database) -> None:
    for table in ("sources", "days"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN warc_file TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN warc_offset INTEGER")


@migrations(name="0006_robots_cache")
def _robots_cache(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE robots_txt (netloc TEXT PRIMARY KEY, url TEXT NOT NULL, fetched_at TEXT NOT NULL, "
               "http_status INTEGER NOT NULL, body BLOB NOT NULL)")


@migrations(name="0007_fts_update_of")
def _fts_update_of(db: sqlite_utils.Database) -> None:
    from crawler.storage.fts import enable_fts  # the update triggers fire only when an indexed column is set

    enable_fts(db)


@migrations(name="0008_report_indexes")
def _report_indexes(db: sqlite_utils.Database) -> None:
    from crawler.storage.report import INDEXES  # covering indexes: the report never reads a page's overflow chain

    _run(db, *INDEXES)


ENTITY_COLUMNS = {
    "canonical_title": "TEXT", "canonical_fragment": "TEXT", "canonical_id": "INTEGER", "qid": "TEXT",
    "lat": "REAL", "lon": "REAL", "coord_type": "TEXT", "coord_dim": "INTEGER", "extent_m": "INTEGER",
    "missing": "INTEGER NOT NULL DEFAULT 0", "page_id": "INTEGER", "page_revision_id": "INTEGER",
    "resolved_at": "TEXT", "resolve_status": "TEXT", "resolve_error": "TEXT",
}


@migrations(name="0009_entities")
def _entities(db: sqlite_utils.Database) -> None:
    """Entity resolution (canonical page, Wikidata id, coordinates), links to the canonical entity, Wikidata
    items with their types, and the labels of type and country items."""
    for col, decl in ENTITY_COLUMNS.items():
        db.execute(f"ALTER TABLE entities ADD COLUMN {col} {decl}")
    _run(
        db,
        "CREATE INDEX idx_entities_canonical ON entities(canonical_id)",
        "CREATE INDEX idx_entities_qid ON entities(qid)",
        "CREATE INDEX idx_entities_resolved ON entities(resolved_at)",
        "ALTER TABLE event_entities ADD COLUMN canonical_id INTEGER",
        "UPDATE event_entities SET canonical_id = entity_id",
        "CREATE INDEX idx_event_entities_canonical ON event_entities(canonical_id)",
        """CREATE TABLE wikidata_items (
            qid TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            label TEXT,
            description TEXT,
            country_qid TEXT,
            merged_into TEXT,
            revision_id INTEGER,
            modified TEXT,
            fetched_at TEXT,
            error TEXT
        )""",
        """CREATE TABLE wikidata_types (
            qid TEXT NOT NULL REFERENCES wikidata_items(qid) ON DELETE CASCADE,
            type_qid TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (qid, type_qid)
        )""",
        "CREATE INDEX idx_wikidata_types_type ON wikidata_types(type_qid)",
        """CREATE TABLE wikidata_labels (
            qid TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            label TEXT,
            fetched_at TEXT,
            error TEXT
        )""",
    )


DUPLICATE_COLUMNS = {
    "canonical_url": "TEXT", "minhash": "BLOB", "duplicate_group": "INTEGER", "duplicate_of": "INTEGER",
    "duplicate_similarity": "REAL",
}


@migrations(name="0010_duplicates")
def _duplicates(db: sqlite_utils.Database) -> None:
    for col, decl in DUPLICATE_COLUMNS.items():
        db.execute(f"ALTER TABLE sources ADD COLUMN {col} {decl}")
    db.execute("CREATE INDEX idx_sources_canonical_url ON sources(canonical_url)")
    db.execute("CREATE INDEX idx_sources_duplicate_group ON sources(duplicate_group)")
    # the LSH index of crawler.storage.duplicates: one row per band of each stored signature
    db.execute("CREATE TABLE source_bands (band INTEGER NOT NULL, source_id INTEGER NOT NULL REFERENCES sources(id), "
               "PRIMARY KEY (band, source_id)) WITHOUT ROWID")


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating parents) the archive with WAL, foreign keys on and migrations applied."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path) if str(path) != ":memory:" else sqlite_utils.Database(memory=True)
    try:
        db.conn.execute("PRAGMA busy_timeout = 30000")
        db.conn.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            db.conn.execute("PRAGMA journal_mode = WAL")
            db.conn.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            migrations.apply(db)
    except sqlite3.DatabaseError as err:  # a foreign or damaged file: the commands say so in one line
        db.conn.close()
        raise UnreadableArchive(f"cannot open {path}: {err}") from None
    return db
