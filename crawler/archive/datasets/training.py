"""Training datasets: ``wcep`` (JSON Lines in WCEP's shape) and ``hf`` (Parquet shards and a Hugging Face dataset
card), optionally split by time; streamed, with a data card comparing the figures with WCEP's (pure).

``wcep``: without splits one file (``--out FILE``, the card beside it as ``FILE.datacard.md``); with splits
``--out`` is a directory holding ``<split>.jsonl`` per split and ``README.md``. ``hf``: ``--out`` is a directory
holding ``data/<split>-NNNNN-of-NNNNN.parquet`` and ``README.md`` whose YAML header (configs with data files per
split, features, splits with their sizes, licence) lets ``datasets.load_dataset(DIR)`` read it offline; without
splits everything is one ``train`` split, as the Hub expects.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlite_utils

from crawler.archive.datasets.card import hf_header, render_wcep_card
from crawler.archive.datasets.export import ExportError, ExportStats
from crawler.archive.datasets.splits import Split, cut_by_day, parse_splits, split_finder
from crawler.archive.datasets.wcep import ARTICLE_FIELDS, RECORD_FIELDS, CardFigures, wcep_records
from crawler.storage.events import read_snapshot
from crawler.storage.exports import duplicate_facts, events_per_day, export_facts

FORMATS = ("wcep", "hf")
SHARD_BYTES = 256 << 20  # a Parquet shard closes after about this much article text…
ROW_GROUP = 1000  # …written in row groups of this many events (or fewer when their text is large)
ROW_GROUP_BYTES = 64 << 20


class DatasetError(ExportError):
    """A dataset export that cannot run (bad split, missing pyarrow, unusable output path)."""


@dataclass
class DatasetStats(ExportStats):
    """An export's figures, with the splits it was cut into."""

    splits: list[Split] = field(default_factory=list)


def arrow_schema(with_text: bool = True):
    """The Arrow schema of an ``hf`` row (one WCEP record)."""
    try:
        import pyarrow as pa
    except ImportError:
        raise DatasetError("the hf format needs pyarrow: pip install 'newsarchive[parquet]'") from None
    kinds = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "list<string>": pa.list_(pa.string())}
    article = pa.struct([pa.field(n, kinds[t]) for n, t, _ in ARTICLE_FIELDS])
    entity = pa.struct([pa.field("title", pa.string()), pa.field("label", pa.string()), pa.field("qid", pa.string())])
    kinds.update({"list<article>": pa.list_(article), "list<entity>": pa.list_(entity)})
    return pa.schema([pa.field(n, kinds[t]) for n, t, _ in RECORD_FIELDS])


class _JsonlSink:
    """One JSON Lines file per split (or one file), each written to ``.part`` and renamed when complete."""

    def __init__(self, paths: dict[str, Path]):
        self.paths, self.files, self.open = paths, {}, None

    def write(self, split: str, record: dict) -> None:
        if self.open is None or self.open[0] != split:
            self._close_current()
            tmp = self.paths[split].with_name(self.paths[split].name + ".part")
            self.open = (split, open(tmp, "w", encoding="utf-8", newline="\n"), tmp)
        self.open[1].write(json.dumps(record, ensure_ascii=False) + "\n")

    def _close_current(self) -> None:
        if self.open:
            split, f, tmp = self.open
            f.close()
            os.replace(tmp, self.paths[split])
            self.files[split] = [str(self.paths[split])]
            self.open = None

    def close(self) -> dict[str, list[str]]:
        self._close_current()
        for split, path in self.paths.items():  # a split with no events is still a (empty) file
            if split not in self.files:
                path.write_text("", encoding="utf-8")
                self.files[split] = [str(path)]
        return self.files


class _ParquetSink:
    """Parquet shards per split under ``data/``; shards get their ``-NNNNN-of-NNNNN`` names once a split is done."""

    def __init__(self, data_dir: Path, schema, splits: list[str]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa, self.pq, self.schema, self.dir = pa, pq, schema, data_dir
        self.splits, self.files, self.bytes = splits, {}, {}
        self.split = self.writer = None
        self.shards: list[Path] = []
        self.buf, self.buf_size, self.shard_size = [], 0, 0

    def write(self, split: str, record: dict) -> None:
        if split != self.split:
            self._finish_split()
            self.split = split
        if self.writer is None:
            path = self.dir / f"{split}-{len(self.shards):05d}.parquet.part"
            self.writer = self.pq.ParquetWriter(path, self.schema, compression="zstd")
            self.shards.append(path)
        self.buf.append(record)
        size = sum(len(a["text"] or "") + len(a["title"] or "") for a in record["articles"]) + len(record["summary"])
        self.buf_size += size
        self.shard_size += size
        if len(self.buf) >= ROW_GROUP or self.buf_size >= ROW_GROUP_BYTES:
            self._flush()
        if self.shard_size >= SHARD_BYTES:
            self._flush()
            self.writer.close()
            self.writer, self.shard_size = None, 0

    def _flush(self) -> None:
        if self.buf:
            self.writer.write_table(self.pa.Table.from_pylist(self.buf, schema=self.schema),
                                    row_group_size=len(self.buf))
            self.buf, self.buf_size = [], 0

    def _finish_split(self) -> None:
        if self.split is None:
            return
        self._flush()
        if self.writer is not None:
            self.writer.close()
        self.writer, self.shard_size = None, 0
        total, names = len(self.shards), []
        for i, part in enumerate(self.shards):
            final = self.dir / f"{self.split}-{i:05d}-of-{total:05d}.parquet"
            os.replace(part, final)
            names.append(str(final))
        self.files[self.split] = names
        self.bytes[self.split] = sum(Path(n).stat().st_size for n in names)
        self.shards = []

    def close(self) -> dict[str, list[str]]:
        self._finish_split()
        for split in self.splits:  # a split with no events still gets a (0-row) shard with the schema
            if split not in self.files:
                path = self.dir / f"{split}-00000-of-00001.parquet"
                self.pq.write_table(self.pa.Table.from_pylist([], schema=self.schema), path, compression="zstd")
                self.files[split], self.bytes[split] = [str(path)], path.stat().st_size
        return self.files


def _targets(fmt: str, out: Path, splits: list[Split], split_given: bool) -> tuple[Path, dict[str, Path] | None]:
    """(card path, JSON Lines path per split) after checking and preparing the output location."""
    if fmt == "wcep" and not split_given:
        if out.is_dir():
            raise DatasetError(f"{out} is a directory; give a file path (or --split with a directory)")
        out.parent.mkdir(parents=True, exist_ok=True)
        return out.with_name(out.name + ".datacard.md"), {splits[0].name: out}
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} exists and is not a directory ({fmt} with splits writes a directory)")
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "hf":
        data = out / "data"
        if data.exists():
            shutil.rmtree(data)  # shards of an earlier export would be read as part of this one
        data.mkdir()
        return out / "README.md", None
    return out / "README.md", {s.name: out / f"{s.name}.jsonl" for s in splits}


def export_dataset(db: sqlite_utils.Database, fmt: str, out_path: str | Path, *, start=None, end=None,
                   split: str | None = None, keep_duplicates: bool = False, with_text: bool = True) -> DatasetStats:
    """Export the events of ``start``…``end`` as ``fmt`` (``wcep`` or ``hf``), split by time per ``split``
    (``train=0.8,validation=0.1,test=0.1``), with the data card; returns what was written."""
    if fmt not in FORMATS:
        raise DatasetError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    try:
        splits = parse_splits(split)
    except ValueError as err:
        raise DatasetError(f"--split: {err}") from None
    schema = arrow_schema(with_text) if fmt == "hf" else None  # fail early without pyarrow
    out = Path(out_path)
    card, jsonl_paths = _targets(fmt, out, splits, bool(split))
    start = start.isoformat() if isinstance(start, date) else start
    end = end.isoformat() if isinstance(end, date) else end
    figures = CardFigures()
    with read_snapshot(db):  # one snapshot for the rows, the cuts and the card's counts
        cut_by_day(events_per_day(db, start, end), splits)
        find = split_finder(splits)
        sink = _JsonlSink(jsonl_paths) if fmt == "wcep" else _ParquetSink(out / "data", schema, [s.name for s in splits])
        for record in wcep_records(db, start, end, split_of=(find if split or fmt == "hf" else lambda d: None),
                                   keep_duplicates=keep_duplicates, with_text=with_text, figures=figures):
            sink.write(find(record["date"]), record)
        files = sink.close()
        facts, dups = export_facts(db, start, end), duplicate_facts(db, start, end)
    stats = DatasetStats(fmt, str(out), str(card), events=figures.events, days=facts["days"],
                         sources=facts["sources"], first_day=facts["first_day"], last_day=facts["last_day"],
                         splits=splits, files=[f for s in splits for f in files.get(s.name, [])])
    text = render_wcep_card(fmt, stats, figures, facts, dups, start=start, end=end, with_text=with_text,
                            keep_duplicates=keep_duplicates, files=files, out=out)
    if fmt == "hf":
        text = hf_header(splits, files, getattr(sink, "bytes", {}), with_text) + text
    card.write_text(text, encoding="utf-8")
    return stats
