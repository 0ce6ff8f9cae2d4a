"""A stored source's body from its WARC record, falling back to the compressed copy in the database."""

from __future__ import annotations

import logging
from pathlib import Path

from crawler.storage.blobs import unpack
from crawler.storage.sources import stored_body
from crawler.warc.reader import read_record

logger = logging.getLogger(__name__)


def find_warc(name: str, dirs=()) -> Path | None:
    """The WARC file ``name`` (a path, or a file name looked up in ``dirs``, recursively)."""
    path = Path(name)
    if path.is_absolute() or path.exists():
        return path if path.is_file() else None
    for d in dirs:
        candidate = Path(d) / name
        if candidate.is_file():
            return candidate
        found = next(Path(d).rglob(path.name), None) if Path(d).is_dir() else None
        if found is not None:
            return found
    return None


def warc_body(warc_file: str | None, warc_offset: int | None, dirs=()) -> bytes | None:
    """The decoded body of the response record, or None when the file or record cannot be read."""
    if not warc_file or warc_offset is None:
        return None
    path = find_warc(warc_file, dirs)
    if path is None:
        return None
    try:
        return read_record(path, int(warc_offset)).content()
    except Exception as err:  # noqa: BLE001 - a damaged WARC falls back to the database copy
        logger.warning("cannot read %s@%s: %s", path, warc_offset, err)
        return None


def source_body(db, source_id: int, warc_dirs=()) -> tuple[bytes | None, str]:
    """(body, origin) of a source: ``"warc"`` from its record, ``"db"`` from its stored copy, ``"none"``."""
    refs = stored_body(db, source_id)
    if refs is None:
        return None, "none"
    body = warc_body(refs.get("warc_file"), refs.get("warc_offset"), warc_dirs)
    if body is not None:
        return body, "warc"
    if refs["html"] is not None:
        return unpack(refs["html"]), "db"
    return None, "none"
