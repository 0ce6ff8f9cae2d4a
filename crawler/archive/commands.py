"""click commands ``render``, ``export``, ``report`` and ``datasette-metadata`` (registered in crawler/cli.py)."""

from __future__ import annotations

import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import click

from crawler.cliutil import DEFAULT_DB, Failure as ArchiveCommandError, parse_date as _day  # noqa: F401


def _range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and last < first:
        raise click.BadParameter(f"{last} is before {first}", param_hint="--to")
    return first, last


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _open(db: str):
    from crawler.storage.schema import open_db

    if not Path(db).is_file():
        raise ArchiveCommandError(f"no archive at {db}; run `newsarchive crawl` first")
    from crawler.storage.errors import UnreadableArchive

    try:
        return open_db(db)
    except UnreadableArchive as err:  # a broken or foreign file: one line, not a traceback
        raise ArchiveCommandError(str(err)) from None
    except (sqlite3.Error, ValueError) as err:
        raise ArchiveCommandError(f"cannot open {db}: {err}") from None


db_option = click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite archive to read.")


@click.command()
@db_option
@click.option("--out", default="output/news", show_default=True, type=click.Path(file_okay=False),
              help="Directory served as /news (pages go to <out>/YYYY/MM/D/).")
@click.option("--from", "start", help="First day to render, YYYY-MM-DD (default: all days).")
@click.option("--to", "end", help="Last day to render, YYYY-MM-DD.")
@click.option("--refresh-related", is_flag=True,
              help="With --from/--to: also re-render the other days whose Related lists can change (those "
                   "sharing an entity with the range).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def render(db, out, start, end, refresh_related, quiet):
    """Write the Markdown event pages and day index pages; unchanged files are left alone."""
    from crawler.archive.render import render_archive

    first, last = _range(start, end)
    database = _open(db)
    days = None
    if first or last:
        known = database.execute("SELECT MIN(day), MAX(day) FROM days").fetchone()
        lo = first or date.fromisoformat(known[0] or "9999-12-31")
        hi = last or date.fromisoformat(known[1] or "0001-01-01")
        days = [lo + timedelta(days=i) for i in range(max(0, (hi - lo).days + 1))]
    t0 = time.monotonic()
    try:
        stats = render_archive(database, out, days=days, refresh_related=refresh_related)
    except OSError as err:
        raise ArchiveCommandError(f"cannot write pages under {out}: {err}") from None
    except sqlite3.Error as err:
        raise ArchiveCommandError(f"reading {db} failed: {err}") from None
    if not quiet:
        click.echo(f"{_n(stats.days, 'day')} rendered: {stats.written} written, {stats.unchanged} unchanged, "
                   f"{stats.removed} removed ({time.monotonic() - t0:.1f}s) → {out}")


@click.command()
@click.option("--format", "fmt", required=True, type=click.Choice(["jsonl", "csv", "parquet"]),
              help="jsonl/parquet: one record per event; csv: a directory of flat tables.")
@click.option("--out", required=True, type=click.Path(), help="Output file (csv: directory).")
@db_option
@click.option("--from", "start", help="First day, YYYY-MM-DD.")
@click.option("--to", "end", help="Last day, YYYY-MM-DD.")
@click.option("--no-text", is_flag=True,
              help="Leave the sources' article text out (it belongs to its publishers).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def export(fmt, out, db, start, end, no_text, quiet):
    """Export events with their entities and sources as a dataset, with a data card beside it."""
    from crawler.archive.export import ExportError
    from crawler.archive.export import export as run_export

    first, last = _range(start, end)
    database = _open(db)
    try:
        stats = run_export(database, fmt, out, start=first, end=last, with_text=not no_text)
    except ExportError as err:
        raise ArchiveCommandError(str(err)) from None
    except OSError as err:
        raise ArchiveCommandError(f"cannot write {out}: {err}") from None
    except sqlite3.Error as err:
        raise ArchiveCommandError(f"reading {db} failed: {err}") from None
    if not quiet:
        span = f"{stats.first_day} … {stats.last_day}" if stats.events else "no events in range"
        click.echo(f"{_n(stats.events, 'event')}, {_n(stats.days, 'day')} ({span}), "
                   f"{_n(stats.sources, 'source')} → {stats.path}; data card {stats.datacard}")


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
        raise ArchiveCommandError(f"cannot write {out}: {err}") from None
    click.echo(f"wrote {path}; browse with: datasette output/archive.db -m {path}")


def write_report(database, out: str | Path, first: date | None = None, last: date | None = None, *,
                 label: str = "") -> dict:
    """Query the archive (crawler.storage.report), build the page and write it to ``out``; returns the
    aggregates. Raises report_charts.MissingLibrary without the plotting extra."""
    from datetime import UTC, datetime

    from crawler import __version__
    from crawler.archive import report_charts
    from crawler.archive.report import build_page
    from crawler.extract.article import EXTRACTOR_VERSION
    from crawler.storage.report import collect

    report_charts.check_available()
    data = collect(database, first and first.isoformat(), last and last.isoformat())
    page = build_page(data, vega_js=report_charts.javascript_bundle(), land=report_charts.land(),
                      current_version=EXTRACTOR_VERSION,
                      meta={"database": label, "software": __version__,
                            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")})
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return data


@click.command()
@db_option
@click.option("--out", default="output/report.html", show_default=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
@click.option("--from", "start", help="First day, YYYY-MM-DD (default: the whole archive).")
@click.option("--to", "end", help="Last day, YYYY-MM-DD.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def report(db, out, start, end, quiet):
    """Write the coverage report: one self-contained HTML page of plots and sortable tables."""
    from crawler.archive.report_charts import MissingLibrary, check_available

    try:
        check_available()
    except MissingLibrary as err:
        raise ArchiveCommandError(str(err)) from None
    first, last = _range(start, end)
    database = _open(db)
    t0 = time.monotonic()
    try:
        data = write_report(database, out, first, last, label=db)
    except OSError as err:
        raise ArchiveCommandError(f"cannot write {out}: {err}") from None
    except sqlite3.Error as err:
        raise ArchiveCommandError(f"reading {db} failed: {err}") from None
    if not quiet:
        ov = data["overview"]
        click.echo(f"report of {_n(ov['days'], 'day')}, {_n(ov['events'], 'event')}, {_n(ov['sources'], 'source')} "
                   f"({time.monotonic() - t0:.1f}s) → {out}")
