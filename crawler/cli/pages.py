"""``newsarchive parse-day``, ``extract`` and ``reextract``: the parsers and the extractor on saved pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.cli.options import Failure, db_option, parse_date, quiet_option


@click.command("parse-day")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--date", "day", help="The day (default: read from the page's template).")
def parse_day_cmd(file, day):
    """Print the events of a saved day page (.wiki or .html) as JSON lines."""
    from crawler.portal import PortalParseError, parse_day_file

    try:
        events = parse_day_file(Path(file), day=parse_date(day, "--date"))
    except PortalParseError as err:
        raise Failure(f"{file}: {err}") from None
    except UnicodeDecodeError as err:
        raise Failure(f"{file}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    out = sys.stdout
    for ev in events:
        out.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The page's URL (helps dates and outlet rules).")
@click.option("--event-date", help="Day of the citing event, YYYY-MM-DD (a prior for the date).")
def extract(file, url, event_date):
    """Print title, authors, dates, description, language and text of a saved page (gzip accepted) as JSON."""
    import gzip

    from crawler.extract.article import extract_article

    raw = Path(file).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise Failure(f"{file}: broken gzip ({err})") from None
    from crawler.extract.fetched import binary_kind

    if not raw.strip():
        raise Failure(f"{file}: empty file")
    kind = binary_kind(raw)  # a saved file is taken for HTML unless its bytes say otherwise
    if kind:
        raise Failure(f"{file}: not an HTML page (body is {kind})")
    art = extract_article(raw, url, event_day=parse_date(event_date, "--event-date")).to_dict()
    keys = ("url", "title", "authors", "published", "published_at", "date_source", "description", "language", "text")
    click.echo(json.dumps({k: art.get(k) for k in keys}, ensure_ascii=False, indent=2))
    if not art.get("text"):
        click.echo(f"newsarchive: note: no article text found in {file}", err=True)


@click.command()
@db_option
@click.option("--outlet", help="Only sources cited with this outlet label.")
@click.option("--since", help="Only sources fetched at or after this date/time (ISO).")
@click.option("--status", "statuses", multiple=True, help="Only sources with this status (repeatable).")
@click.option("--warc", "warc_dirs", multiple=True, type=click.Path(exists=True),
              help="Read bodies from these WARC dirs (default: the stored compressed copy).")
@quiet_option
def reextract(db, outlet, since, statuses, warc_dirs, quiet):
    """Re-run extraction on stored pages with the current extractor, without the network."""
    from crawler.archive.reextract import reextract as run
    from crawler.storage.lock import ArchiveBusy, ArchiveLock

    if not Path(db).exists():
        raise Failure(f"no archive at {db}")
    try:
        with ArchiveLock(db, "reextract"):
            counts = run(db, outlet=outlet, since=since, statuses=tuple(statuses), warc_dirs=tuple(warc_dirs),
                         progress=not quiet and sys.stderr.isatty())
    except ArchiveBusy as err:
        raise Failure(str(err)) from None
    if not quiet:
        click.echo(f"re-extracted {counts['total']} sources: " +
                   ", ".join(f"{k} {v}" for k, v in sorted(counts["by_status"].items())))
