"""Pure parsers of Wikipedia's Current events day pages (wikitext and rendered HTML) into events."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

from crawler.items import Event
from crawler.portal.errors import PortalParseError
from crawler.portal.html import parse_html
from crawler.portal.titles import day_title, iter_days, title_day
from crawler.portal.wikitext import find_day, parse_wikitext

__all__ = ["PortalParseError", "day_title", "find_day", "iter_days", "parse_day", "parse_day_file",
           "parse_html", "parse_wikitext", "title_day"]

HTML_SUFFIXES = (".html", ".htm")


def parse_day(text: str, kind: str = "wiki", day: date | None = None) -> list[Event]:
    """The events of one day page: ``kind`` is "wiki" (wikitext) or "html" (rendered day block)."""
    if kind in ("wiki", "wikitext"):
        return parse_wikitext(text, day)
    if kind == "html":
        return parse_html(text, day)
    raise ValueError(f"unknown page kind {kind!r} (expected 'wiki' or 'html')")


def parse_day_file(path: str | Path, day: date | None = None) -> list[Event]:
    """Parse a saved day page: ``.html``/``.htm`` as HTML, anything else as wikitext; ``.gz`` is unzipped."""
    path = Path(path)
    name = path.name.lower()
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        text = handle.read()
    kind = "html" if name.removesuffix(".gz").endswith(HTML_SUFFIXES) else "wiki"
    return parse_day(text, kind, day)
