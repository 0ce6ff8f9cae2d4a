"""Streamed dataset exports of the archive: JSON Lines, Parquet, CSV tables — each with a data card (pure).

Rows are read in batches (``crawler.storage.exports``) inside one read transaction (a consistent snapshot while a
crawl writes); memory stays flat however many events there are.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import sqlite_utils

from crawler import __version__
from crawler.storage.events import read_snapshot
from crawler.storage.exports import ENTITY_FIELDS, TABLES, event_batches, export_facts, table_rows

FORMATS = ("jsonl", "parquet", "csv")
BATCH = 500  # events per database round trip
ROW_GROUP = 2000  # events per Parquet row group
ROW_GROUP_BYTES = 64 << 20  # …or fewer when their article text gets this large


class ExportError(Exception):
    """An export that cannot run (bad format, missing pyarrow, unusable output path)."""


@dataclass
class ExportStats:
    format: str
    path: str
    datacard: str
    events: int = 0
    days: int = 0
    sources: int = 0
    first_day: str | None = None
    last_day: str | None = None
    files: list[str] = field(default_factory=list)

EVENT_COLUMNS = [  # (name, type, meaning): one record per event in JSONL and Parquet
    ("id", "string", "stable event id: SHA-1 prefix of day, stories and text (`-2`… for a repeated bullet)"),
    ("day", "date", "day of the portal page (JSONL: `YYYY-MM-DD` string)"),
    ("position", "int", "order of the event on its day page, from 1"),
    ("category", "string", "heading the event sits under; null on pages without headings (2008)"),
    ("stories", "list<string>", "parent bullets (story titles), outermost first"),
    ("text", "string", "event text as a reader sees it (link labels, rendered templates, no citations)"),
    ("revision_id", "int", "portal page revision the event was parsed from"),
    ("entities", "list<struct>", "wikilinks of the text in order: `{title, label, canonical_title, qid, lat, "
     "lon}` (page title as linked, link text, the page it resolves to after redirects, its Wikidata id and "
     "primary coordinates; null until resolved or when the page has none)"),
    ("location", "struct", "where the event happened, for maps: `{title, qid, lat, lon}` of the linked entity "
     "with coordinates of smallest extent (a landmark before a city before a region before a country; the "
     "first linked among equals); null when no linked entity has coordinates"),
    ("sources", "list<struct>", "citations in order, each a source record (next table)"),
]
SOURCE_COLUMNS = [  # fields of a nested source record
    ("position", "int", "order of the citation within the event, from 1"),
    ("url", "string", "normalised URL (the source's key)"),
    ("cited_url", "string", "the URL exactly as cited"),
    ("outlet", "string", "outlet label as cited; null for a bare [URL]"),
    ("reported_dead", "bool", "the portal marks the citation {{Dead link}}"),
    ("status", "string", "fetch/extraction status: ok, pending, or the failure (http_error, timeout…)"),
    ("http_status", "int", "HTTP status of the final response"),
    ("final_url", "string", "URL after redirects"),
    ("fetched_at", "string", "when the source was fetched (UTC ISO-8601)"),
    ("title", "string", "headline"),
    ("authors", "list<string>", "author names"),
    ("description", "string", "standfirst / summary"),
    ("language", "string", "ISO 639-1 code"),
    ("site_name", "string", "publisher name the page declares"),
    ("published", "string", "publication day `YYYY-MM-DD`"),
    ("published_at", "string", "publication time with offset, when the page gives one"),
    ("date_source", "string", "where the date came from (jsonld, meta:…, url, htmldate…)"),
    ("date_confidence", "float", "0…1"),
    ("date_flag", "string", "e.g. after_event_window: probably an update date"),
    ("word_count", "int", "words in text"),
    ("extractor", "string", "what produced the article fields"),
    ("extractor_version", "string", "its version"),
    ("text", "string", "article body text (left out with --no-text)"),
]
_NESTED_ONLY = ("position", "outlet", "cited_url", "reported_dead")


def csv_source_columns(with_text: bool = True) -> list[str]:
    """Columns of sources.csv (the nested record's source fields plus the key and first citing day)."""
    return ["id", "url", "cited_url", "first_cited_day"] + [
        c for c, _, _ in SOURCE_COLUMNS if c not in _NESTED_ONLY + ("url",) and (with_text or c != "text")]


def _source_cols(with_text: bool) -> list[str]:
    return [c for c, _, _ in SOURCE_COLUMNS if with_text or c != "text"]


def iter_events(db: sqlite_utils.Database, start=None, end=None, *, with_text: bool = True,
                batch: int = BATCH) -> Iterator[list[dict]]:
    """Batches of event records (entities and sources nested) in day/position order."""
    scols = _source_cols(with_text)
    stored = [c for c in scols if c not in _NESTED_ONLY]
    for events in event_batches(db, start, end, stored, batch):
        for ev in events:
            ev["sources"] = [{c: src.get(c) for c in scols} for src in ev["sources"]]
        yield events


def _write_jsonl(db, out: Path, start, end, with_text: bool) -> int:
    n = 0
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for records in iter_events(db, start, end, with_text=with_text):
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            n += len(records)
    os.replace(tmp, out)
    return n


def parquet_schema(with_text: bool = True):
    """The explicit Arrow schema of the Parquet export (one row per event)."""
    try:
        import pyarrow as pa
    except ImportError:
        raise ExportError("Parquet needs pyarrow: pip install 'newsarchive[parquet]'") from None
    kinds = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "date": pa.date32(), "list<string>": pa.list_(pa.string())}
    source = pa.struct([pa.field(c, kinds[t]) for c, t, _ in SOURCE_COLUMNS if with_text or c != "text"])
    entity = pa.struct([pa.field(c, pa.float64() if c in ("lat", "lon") else pa.string()) for c in ENTITY_FIELDS])
    place = pa.struct([pa.field(c, pa.float64() if c in ("lat", "lon") else pa.string())
                       for c in ("title", "qid", "lat", "lon")])
    kinds.update({"entities": pa.list_(entity), "location": place, "sources": pa.list_(source)})
    nullable = ("category", "revision_id", "location")
    return pa.schema([pa.field(name, kinds[name if name in kinds else kind], nullable=name in nullable)
                      for name, kind, _ in EVENT_COLUMNS])


def _write_parquet(db, out: Path, start, end, with_text: bool) -> int:
    schema = parquet_schema(with_text)
    import pyarrow as pa
    import pyarrow.parquet as pq

    n, buf, size = 0, [], 0
    tmp = out.with_name(out.name + ".part")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for records in iter_events(db, start, end, with_text=with_text):
            for r in records:
                r["day"] = date.fromisoformat(r["day"])
                buf.append(r)
                size += sum(len(s.get("text") or "") for s in r["sources"])
                if len(buf) >= ROW_GROUP or size >= ROW_GROUP_BYTES:  # one row group per flush
                    writer.write_table(pa.Table.from_pylist(buf, schema=schema), row_group_size=len(buf))
                    n, buf, size = n + len(buf), [], 0
        if buf:
            writer.write_table(pa.Table.from_pylist(buf, schema=schema), row_group_size=len(buf))
            n += len(buf)
    os.replace(tmp, out)
    return n


def _write_csv(db, out: Path, start, end, with_text: bool) -> tuple[int, list[str]]:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a directory (CSV exports are a directory of tables)")
    out.mkdir(parents=True, exist_ok=True)
    files, n = [], 0
    for name in TABLES:
        header, batches = table_rows(db, name, start, end, csv_source_columns(with_text))
        path = out / f"{name}.csv"
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for rows in batches:
                w.writerows(rows)
                if name == "events":
                    n += len(rows)
        os.replace(tmp, path)
        files.append(str(path))
    return n, files

CSV_SCHEMA = {
    "events.csv": "id, day, position, category, stories (JSON list), text, revision_id (as in a record)",
    "entities.csv": ("id, title, canonical_id → entities.id, canonical_title, qid, lat, lon, missing (1: red link), "
                     "resolved_at — wikilink targets of the exported events and the pages they resolve to"),
    "event_entities.csv": ("event_id → events.id, entity_id → entities.id (as linked), canonical_id → "
                           "entities.id (the page it resolves to), label (shown text), position"),
    "event_locations.csv": "event_id, entity_id → entities.id, title, qid, lat, lon — each located event's place",
    "sources.csv": "id, url, cited_url, first_cited_day, then the source fields above (authors as JSON)",
    "event_sources.csv": "event_id, source_id → sources.id, position, outlet, cited_url, reported_dead (0/1)",
}


def _table(header: list[str], rows) -> list[str]:
    cell = lambda v: "" if v is None else str(v).replace("|", "\\|")
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def _typed(columns) -> list[tuple[str, str, str]]:
    return [(name, f"`{kind}`", meaning) for name, kind, meaning in columns]


def render_card(fmt: str, stats: ExportStats, f: dict, *, start=None, end=None, with_text=True) -> str:
    """The data card (Markdown): contents, schema, provenance, licences."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    status = ", ".join(f"{s} {n}" for s, n in f["sources_by_status"]) or "none"
    text_note = "included" if with_text else "left out (`--no-text`)"
    out = [f"# Data card: newsarchive export ({fmt})", "",
           (f"Exported {now} by newsarchive {__version__} to `{Path(stats.path).name}`"
           f" (days asked: {start or 'first'} … {end or 'last'})."), "", "## Contents", ""]
    out += _table(["what", "count"], [
        ("events", f["events"]), ("days with events", f"{f['days']} ({f['first_day']} … {f['last_day']})"),
        ("entities (distinct wikilink targets)", f["entities"]),
        ("canonical entities (after redirects) / with a Wikidata id", " / ".join(map(str, f["canonical_entities"]))),
        ("events with a location", f["events_located"]),
        ("cited sources (distinct URLs)", f["sources"]),
        ("sources by status", status), (f"sources with article text ({text_note})", f["sources_with_text"])])
    out += ["", "## Schema", ""]
    if fmt == "csv":
        out += _table(["file", "columns"], CSV_SCHEMA.items())
        out += ["", "Empty cells are nulls; UTF-8, RFC 4180 quoting. Source fields:", ""]
    else:
        out += [(f"One {'JSON object (one line)' if fmt == 'jsonl' else 'Parquet row'} per event, in day and "
                "page order."), ""] + _table(["field", "type", "meaning"], _typed(EVENT_COLUMNS))
        out += ["", "A source record:", ""]
    fields = [c for c in SOURCE_COLUMNS if with_text or c[0] != "text"]
    out += _table(["field", "type", "meaning"], _typed(fields))
    out += ["", "## Provenance", "",
            "Events are parsed from the wikitext of English Wikipedia's `Portal:Current events/<date>` day "
            "pages; each event carries the `revision_id` it was parsed from "
            "(`https://en.wikipedia.org/w/index.php?oldid=<revision_id>`). Cited pages were fetched from "
            "their publishers; extractor versions: " + (", ".join(f["extractors"]) or "none") + ".", ""]
    out += _table(["day pages", "count", "revisions", "revision times"],
                  [(s, n, revs, f"{lo} … {hi}") for s, n, lo, hi, revs in f["pages"]])
    runs = f["runs"]
    out += ["", f"Crawl runs recorded: {runs[0]} ({runs[1]} … {runs[2]}); the last ones:", ""]
    out += _table(["run", "command", "started", "finished", "reason", "days", "events", "fetched", "version"],
                  f["last_runs"])
    out += ["", "## Licences", "",
            ("- Event texts, stories, categories and entity titles come from Wikipedia: © Wikipedia "
            "contributors, licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). "
            "Attribute \"Wikipedia contributors, Portal:Current events\" with the page revisions "
            "(`revision_id`), and share derived datasets under the same licence."),
            ("- Source metadata and article text belong to their publishers; they are provided for research "
            "(text and data mining) only. Export with `--no-text` to leave the article text out before "
            "redistributing."),
            "- The newsarchive software is MIT-licensed.", ""]
    return "\n".join(out)


def export(db: sqlite_utils.Database, fmt: str, out_path: str | Path, *, start=None, end=None,
           with_text: bool = True) -> ExportStats:
    """Export events (with entities and sources) of ``start``…``end`` (ISO days, inclusive) as ``fmt``.

    ``jsonl``/``parquet``: one record per event in ``out_path``, data card ``<out_path>.datacard.md``;
    ``csv``: ``out_path`` is a directory of flat tables with ``README.md`` as its data card.
    ``with_text=False`` leaves the sources' article text out (it belongs to its publishers).
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    out = Path(out_path)
    if fmt != "csv":
        if out.is_dir():
            raise ExportError(f"{out} is a directory; give a file path for {fmt}")
        out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        parquet_schema(with_text)  # fail early without pyarrow
    start = start.isoformat() if isinstance(start, date) else start
    end = end.isoformat() if isinstance(end, date) else end
    with read_snapshot(db):  # one snapshot for the rows and the card's counts
        if fmt == "csv":
            n, files = _write_csv(db, out, start, end, with_text)
            card = out / "README.md"
        else:
            n = (_write_jsonl if fmt == "jsonl" else _write_parquet)(db, out, start, end, with_text)
            files, card = [str(out)], out.with_name(out.name + ".datacard.md")
        facts = export_facts(db, start, end)
    stats = ExportStats(fmt, str(out), str(card), events=n, days=facts["days"], sources=facts["sources"],
                        first_day=facts["first_day"], last_day=facts["last_day"], files=files)
    card.write_text(render_card(fmt, stats, facts, start=start, end=end, with_text=with_text),
                    encoding="utf-8")
    return stats
