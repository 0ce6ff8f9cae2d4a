"""``newsarchive status``, ``render``, ``export``, ``report`` and ``datasette-metadata``: reading the archive."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import click

from crawler.cli.options import Failure, db_option, parse_date, quiet_option, range_options


def _range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if first and last and last < first:
        raise click.BadParameter(f"{last} is before {first}", param_hint="--to")
    return first, last


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def open_archive(db: str):
    """The archive at ``db``, or a one-line failure when there is none or SQLite cannot use the file."""
    from crawler.storage.errors import UnreadableArchive
    from crawler.storage.schema import open_db

    if not Path(db).is_file():
        raise Failure(f"no archive at {db}; run `newsarchive crawl` first")
    try:
        return open_db(db)
    except UnreadableArchive as err:
        raise Failure(str(err)) from None
    except (sqlite3.Error, ValueError) as err:
        raise Failure(f"cannot open {db}: {err}") from None


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--redis", "redis_url", help="Also show the distributed queues' lengths in this Redis.")
def status(db, as_json, redis_url):
    """Counts, covered range, days per year, sources by status and the last runs."""
    from crawler.storage.runs import status_summary

    if redis_url:
        from crawler.cli.distributed import redis_client
        from crawler.distributed.seeding import queue_lengths

        lengths = queue_lengths(redis_client(redis_url))
        click.echo(json.dumps(lengths) if as_json else "redis: " + ", ".join(f"{k} {v}" for k, v in lengths.items()))
        if not Path(db).exists():
            return
    summary = status_summary(open_archive(db))
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    from crawler.cli.progress import print_status

    print_status(summary, db)


@click.command()
@db_option
@click.option("--out", default="output/news", show_default=True, type=click.Path(file_okay=False),
              help="Directory served as /news (pages go to <out>/YYYY/MM/D/).")
@range_options
@click.option("--refresh-related", is_flag=True,
              help="With --from/--to: also re-render the other days whose Related lists can change (those "
                   "sharing an entity with the range).")
@quiet_option
def render(db, out, start, end, refresh_related, quiet):
    """Write the Markdown event pages and day index pages; unchanged files are left alone."""
    from crawler.archive.markdown.render import render_archive
    from crawler.storage.events import day_span

    first, last = _range(start, end)
    database = open_archive(db)
    days = None
    if first or last:
        known = day_span(database)
        lo = first or date.fromisoformat(known[0] or "9999-12-31")
        hi = last or date.fromisoformat(known[1] or "0001-01-01")
        days = [lo + timedelta(days=i) for i in range(max(0, (hi - lo).days + 1))]
    t0 = time.monotonic()
    try:
        stats = render_archive(database, out, days=days, refresh_related=refresh_related)
    except OSError as err:
        raise Failure(f"cannot write pages under {out}: {err}") from None
    except sqlite3.Error as err:
        raise Failure(f"reading {db} failed: {err}") from None
    if not quiet:
        stories = f" and {_n(stats.stories, 'story page')}" if stats.stories else ""
        click.echo(f"{_n(stats.days, 'day')}{stories} rendered: {stats.written} written, {stats.unchanged} unchanged, "
                   f"{stats.removed} removed ({time.monotonic() - t0:.1f}s) → {out}")


@click.command()
@click.option("--format", "fmt", required=True, type=click.Choice(["jsonl", "csv", "parquet", "wcep", "hf"]),
              help="jsonl/parquet: one record per event; csv: a directory of flat tables; wcep: JSON Lines in "
                   "WCEP's shape; hf: Parquet shards and a Hugging Face dataset card in a directory.")
@click.option("--out", required=True, type=click.Path(),
              help="Output file (csv, hf, and wcep with --split: a directory).")
@db_option
@range_options
@click.option("--no-text", is_flag=True,
              help="Leave the sources' article text out (it belongs to its publishers).")
@click.option("--split", "split_spec", metavar="NAME=FRACTION,…",
              help="wcep/hf: split by time, e.g. train=0.8,validation=0.1,test=0.1 (no day in two splits).")
@click.option("--keep-duplicates", is_flag=True,
              help="wcep/hf: list every cited copy of a text (default: one article per near-duplicate group).")
@quiet_option
def export(fmt, out, db, start, end, no_text, split_spec, keep_duplicates, quiet):
    """Export events with their entities and sources as a dataset, with a data card beside it."""
    first, last = _range(start, end)
    if fmt not in ("wcep", "hf") and (split_spec or keep_duplicates):
        raise click.UsageError("--split and --keep-duplicates go with --format wcep or hf")
    database = open_archive(db)
    if fmt in ("wcep", "hf"):
        from crawler.archive.datasets.training import export_dataset

        run = lambda: export_dataset(database, fmt, out, start=first, end=last, split=split_spec,  # noqa: E731
                                     keep_duplicates=keep_duplicates, with_text=not no_text)
    else:
        from crawler.archive.datasets.export import export as run_export

        run = lambda: run_export(database, fmt, out, start=first, end=last, with_text=not no_text)  # noqa: E731
    from crawler.archive.datasets.export import ExportError  # a DatasetError is one too

    try:
        stats = run()
    except ExportError as err:
        raise Failure(str(err)) from None
    except OSError as err:
        raise Failure(f"cannot write {out}: {err}") from None
    except sqlite3.Error as err:
        raise Failure(f"reading {db} failed: {err}") from None
    if not quiet:
        span = f"{stats.first_day} … {stats.last_day}" if stats.events else "no events in range"
        click.echo(f"{_n(stats.events, 'event')}, {_n(stats.days, 'day')} ({span}), "
                   f"{_n(stats.sources, 'source')} → {stats.path}; data card {stats.datacard}")
        for split in stats.splits if len(getattr(stats, "splits", [])) > 1 else []:
            click.echo(f"  {split.name}: {_n(split.events, 'event')} ({split.first_day} … {split.last_day})")


@click.command("datasette-metadata")
@click.option("--out", default="output/datasette-metadata.json", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the metadata JSON.")
@click.option("--database", default="archive", show_default=True,
              help="Database name in Datasette (the .db file's stem).")
def datasette_metadata(out, database):
    """Write Datasette metadata (licences, table descriptions, canned queries) for the archive."""
    from crawler.archive.datasette import write_metadata

    try:
        path = write_metadata(out, database)
    except OSError as err:
        raise Failure(f"cannot write {out}: {err}") from None
    click.echo(f"wrote {path}; browse with: datasette output/archive.db -m {path}")


@click.command()
@db_option
@click.option("--out", default="output/report.html", show_default=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
@range_options
@quiet_option
def report(db, out, start, end, quiet):
    """Write the coverage report: one self-contained HTML page of plots and sortable tables."""
    from crawler.archive.report.charts import MissingLibrary, check_available
    from crawler.archive.report.page import write_report

    try:
        check_available()
    except MissingLibrary as err:
        raise Failure(str(err)) from None
    first, last = _range(start, end)
    database = open_archive(db)
    t0 = time.monotonic()
    try:
        data = write_report(database, out, first, last, label=db)
    except OSError as err:
        raise Failure(f"cannot write {out}: {err}") from None
    except sqlite3.Error as err:
        raise Failure(f"reading {db} failed: {err}") from None
    if not quiet:
        ov = data["overview"]
        click.echo(f"report of {_n(ov['days'], 'day')}, {_n(ov['events'], 'event')}, {_n(ov['sources'], 'source')} "
                   f"({time.monotonic() - t0:.1f}s) → {out}")


@click.command()
@db_option
@click.option("--recompute", is_flag=True,
              help="Sign every stored text again (after the signature's definition changed), not only unsigned ones.")
@click.option("--workers", type=int, help="Processes that compute signatures [default: one a core].")
@quiet_option
def dedup(db, recompute, workers, quiet):
    """Sign stored article texts that lack a MinHash signature and rebuild the near-duplicate groups."""
    from crawler.archive.dedup import dedup as run_dedup

    open_archive(db).close()
    try:
        counts = run_dedup(db, recompute=recompute, workers=workers)
    except sqlite3.Error as err:
        raise Failure(f"updating {db} failed: {err}") from None
    if not quiet:
        click.echo(f"{_n(counts['signed'], 'text')} signed; {_n(counts['groups'], 'duplicate group')} holding "
                   f"{_n(counts['grouped'], 'source')} ({counts['duplicates']} duplicates of a representative)")
