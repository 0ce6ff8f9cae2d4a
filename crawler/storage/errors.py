"""Errors of the storage layer that commands report as one line (kept light: no sqlite-utils import)."""

from __future__ import annotations

import sqlite3


class UnreadableArchive(sqlite3.DatabaseError):
    """The archive file exists but SQLite cannot use it: not a database, damaged, locked, or not writable."""
