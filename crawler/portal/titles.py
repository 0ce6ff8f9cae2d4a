"""Titles of the Current events day pages: ``Portal:Current events/2017 April 3``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import unquote

PORTAL_PREFIX = "Portal:Current events/"
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")
MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)}

_TITLE_RE = re.compile(r"^Portal:Current events/(\d{4}) ([A-Za-z]+) (\d{1,2})$")


def day_title(d: date) -> str:
    """The page title of one day, e.g. ``Portal:Current events/2017 April 3`` (day not zero-padded)."""
    return f"{PORTAL_PREFIX}{d.year} {MONTH_NAMES[d.month - 1]} {d.day}"


def title_day(title: str) -> date:
    """The day of a day page title; accepts underscores and percent-encoding. ValueError otherwise."""
    text = unquote(str(title)).replace("_", " ")
    text = re.sub(r"\s+", " ", text).strip()
    m = _TITLE_RE.match(text)
    month = MONTH_NUMBERS.get(m.group(2).lower()) if m else None
    if not m or month is None:
        raise ValueError(f"not a Current events day title: {title!r} "
                         f"(expected 'Portal:Current events/YYYY Month D')")
    try:
        return date(int(m.group(1)), month, int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"not a valid day in title {title!r}: {exc}") from None


def iter_days(start: date, end: date) -> Iterator[date]:
    """Every day from start to end, both included, in ascending order (nothing if start > end)."""
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)
