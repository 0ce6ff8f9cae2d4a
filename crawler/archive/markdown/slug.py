"""Slugs and paths of the archive's pages, and each day's slugs as rendering reads them (pure).

Event page: ``/news/<YYYY>/<MM>/<D>/<slug>.md`` (month zero-padded, day not); day index: ``…/<D>/index.md``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date

import sqlite_utils
from anyascii import anyascii

from crawler.archive.markdown.escape import clean, md_inline
from crawler.storage.events import event_texts

MAX_LEN = 140
FALLBACK = "event"
RESERVED = frozenset({"index"})  # the day index page lives beside the event pages
_OTHER_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int = MAX_LEN) -> str:
    """ASCII (anyascii), lower-case, runs of other characters as one ``-``, at most ``max_len`` characters.

    Long slugs are cut at the last word boundary when that keeps at least half of ``max_len``, otherwise
    hard; never with a leading or trailing ``-``. Text without any letter or digit gives ``event``.
    """
    slug = _OTHER_RE.sub("-", anyascii(text or "").lower()).strip("-")
    if len(slug) > max_len:
        if slug[max_len] == "-":
            slug = slug[:max_len]
        else:
            cut = slug.rfind("-", 0, max_len)
            slug = slug[:cut] if cut >= max_len // 2 else slug[:max_len]
        slug = slug.rstrip("-")
    return slug or FALLBACK


def unique_slugs(texts: Iterable[str], max_len: int = MAX_LEN) -> list[str]:
    """Slugs of a day's texts in page order, made unique with ``-2``, ``-3``… (``index`` is reserved)."""
    used: set[str] = set(RESERVED)
    out = []
    for text in texts:
        base = slugify(text, max_len)
        slug, n = base, 1
        while slug in used:
            n += 1
            suffix = f"-{n}"
            fits = len(base) + len(suffix) <= max_len
            slug = (base if fits else slugify(text, max_len - len(suffix))) + suffix
        used.add(slug)
        out.append(slug)
    return out


def display_text(stories: list[str], text: str) -> str:
    """What an event page's heading shows: the stories and the text joined with ``": "``."""
    return ": ".join([*(s for s in stories if s), text])


def day_dir(day: str | date) -> str:
    """``2017-01-07`` → ``2017/01/7`` (relative to the ``/news`` root)."""
    d = day if isinstance(day, date) else date.fromisoformat(day)
    return f"{d.year:04d}/{d.month:02d}/{d.day}"


def event_path(day: str | date, slug: str) -> str:
    """Site path of an event page: ``/news/2017/01/7/<slug>.md``."""
    return f"/news/{day_dir(day)}/{slug}.md"


def day_index_path(day: str | date) -> str:
    """Site path of a day index page: ``/news/2017/01/7/index.md``."""
    return f"/news/{day_dir(day)}/index.md"


class SlugCache:
    """Per-day ``{events.rowid: (event id, slug, Markdown of the display text)}``, LRU-bounded."""

    def __init__(self, db: sqlite_utils.Database, size: int = 8192):
        self.db, self.size, self.days = db, size, OrderedDict()

    def day(self, day: str) -> dict[int, tuple[str, str, str]]:
        if day in self.days:
            self.days.move_to_end(day)
            return self.days[day]
        rows = event_texts(self.db, day)
        texts = [clean(display_text(stories, text)) for _, _, stories, text in rows]
        out = {row[0]: (row[1], slug, md_inline(text)) for row, slug, text in zip(rows, unique_slugs(texts), texts)}
        self.days[day] = out
        if len(self.days) > self.size:
            self.days.popitem(last=False)
        return out
