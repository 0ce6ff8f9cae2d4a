"""Date parsing shared by the date cascade: ISO/free-form strings, dates in URLs, written-out datelines.

Numeric dates (``01.11.2023``, ``11/01/2023``) are read in the order of the page's language and country:
month first only for ``order="mdy"`` (American English pages, see ``date_order``), else day first; a
dotted date is always day first. ``other_reading`` gives the swapped reading of such a date, for the
cascade to check against the page's other dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from dateutil import parser as du_parser
from dateutil.tz import tzoffset

MIN_YEAR = 1994

_ISO = re.compile(
    r"(?P<y>(?:19|20)\d\d)-?(?P<m>[01]\d)-?(?P<d>[0-3]\d)(?!\d)"
    r"(?:[T ]+(?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-6]?\d)(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-][01]\d:?[0-5]\d|[+-][01]\d(?!\d))?)?"
)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_URL_PATTERNS = (
    # /2014/02/13/  /2014/2/3/  /2014-02-13/ in a path segment
    re.compile(r"[/_-]((?:19|20)\d\d)[/_-]([01]?\d)[/_-]([0-3]?\d)(?=[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d\d)/(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/([0-3]?\d)(?=/|$)",
               re.I),
    # 8-digit stamp delimited by non-digits: /20140213/, -20140213-, /dmf20250202_
    re.compile(r"(?<!\d)((?:19|20)\d\d)([01]\d)([0-3]\d)(?!\d)"),
)


@dataclass(frozen=True)
class _Cand:
    day: date
    at: datetime | None
    source: str
    confidence: float
    raw: str


def _plausible(d: date) -> bool:
    return MIN_YEAR <= d.year <= date.today().year + 1


def parse_datetime(value, order: str | None = None) -> tuple[date, datetime | None] | None:
    """Parse a date string; returns (local day as written, tz-aware datetime or None). ``order``: ``"mdy"``
    reads an ambiguous numeric date month first, anything else day first."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("value")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > 80:
        return None
    if _EPOCH.match(s):
        ts = int(s[:10])
        at = datetime.fromtimestamp(ts, tz=timezone.utc)
        return (at.date(), at) if _plausible(at.date()) else None
    m = _ISO.search(s)
    if m and (m.start() == 0 or not s[: m.start()].strip(" \t'\"").isalnum()):
        try:
            day = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            day = None
        if day and _plausible(day):
            at = None
            if m["H"] is not None and m["tz"]:
                tz = m["tz"]
                if tz in ("Z", "UTC", "GMT"):
                    tzinfo = timezone.utc
                else:
                    sign = -1 if tz[0] == "-" else 1
                    digits = tz[1:].replace(":", "")
                    hh, mm = int(digits[:2]), int(digits[2:4] or 0)
                    tzinfo = timezone(sign * timedelta(hours=hh, minutes=mm))
                try:
                    at = datetime(day.year, day.month, day.day, int(m["H"]), int(m["M"]), int(m["S"] or 0),
                                  tzinfo=tzinfo)
                except ValueError:
                    at = None
            return day, at
    return _parse_free(s, order)


_NUMERIC = re.compile(r"(?<![\d.])([0-3]?\d)([./-])([0-3]?\d)\2((?:19|20)\d\d)(?!\d)")
_TZ_NAMES = {"UTC": 0, "GMT": 0, "Z": 0}


def _parse_free(s: str, order: str | None = None) -> tuple[date, datetime | None] | None:
    """Free-form dates ("Thursday 13 Feb 2014", "Feb. 13, 2014 5:07 PM EST", "01.11.2023") via dateutil."""
    if not re.search(r"\d", s) or not re.search(r"(19|20)\d\d", s):
        return None
    numeric = _NUMERIC.search(s)
    dayfirst = numeric is not None and (numeric.group(2) == "." or order != "mdy")  # 2020/10/04 stays y-m-d
    try:
        res = du_parser.parser()._parse(s, fuzzy=True, dayfirst=dayfirst)  # exposes which fields were given
        res = res[0] if isinstance(res, tuple) else res
    except (ValueError, OverflowError, TypeError, AttributeError):
        res = None
    if res is None or res.year is None or res.month is None or res.day is None:
        return None
    try:
        day = date(res.year, res.month, res.day)
    except ValueError:
        return None
    if not _plausible(day):
        return None
    at = None
    if res.hour is not None and (res.tzoffset is not None or res.tzname in _TZ_NAMES):
        off = res.tzoffset if res.tzoffset is not None else 0
        tzinfo = timezone.utc if off == 0 else tzoffset(res.tzname, off)
        try:
            at = datetime(day.year, day.month, day.day, res.hour, res.minute or 0, res.second or 0,
                          tzinfo=tzinfo)
        except ValueError:
            at = None
    return day, at


def other_reading(raw: str | None, day: date) -> date | None:
    """The other reading of an ambiguous numeric date in ``raw`` that was read as ``day`` (``03/04/2020``:
    3 April or March 4), or None when the string has no such date."""
    m = _NUMERIC.search(raw or "")
    if not m:
        return None
    a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if a == b or a > 12 or b > 12 or y != day.year or {day.month, day.day} != {a, b}:
        return None
    try:
        return date(y, day.day, day.month)
    except ValueError:
        return None


def url_date(url: str | None) -> date | None:
    """A full date written in the URL path, or None."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/"):] if "/" in path else ""
    if not path:
        return None
    for pat in _URL_PATTERNS:
        for m in pat.finditer(path):
            y, mo, d = m.groups()
            mo = _MONTHS.get(mo[:3].lower()) if mo.isalpha() else int(mo)
            try:
                day = date(int(y), mo, int(d))
            except (ValueError, TypeError):
                continue
            if _plausible(day):
                return day
    return None


_MONTH_NAMES = {
    1: "jan january januar janvier enero gennaio janeiro januari ene gen",
    2: "feb february februar fevrier février febrero febbraio fevereiro februari",
    3: "mar march märz maerz mars marzo março maart",
    4: "apr april avril abril aprile",
    5: "may mai mayo maggio maio mei",
    6: "jun june juni juin junio giugno junho",
    7: "jul july juli juillet julio luglio julho",
    8: "aug august août aout agosto augustus ago",
    9: "sep sept september septembre septiembre settembre setembro set",
    10: "oct october oktober octobre octubre ottobre outubro okt ott out",
    11: "nov november novembre noviembre novembro",
    12: "dec december dezember décembre decembre diciembre dicembre dezembro dez dic",
}
_MONTH_OF = {w: m for m, words in _MONTH_NAMES.items() for w in words.split()}
_MW = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
_TEXT_DATE = re.compile(
    r"(?<![\w/.])(?:"
    rf"(?P<d1>[0-3]?\d)(?:st|nd|rd|th|er)?\.?\s+(?:of\s+|de\s+)?(?P<m1>{_MW})\.?,?\s+(?:de\s+)?"
    r"(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<m2>{_MW})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)"
    r"|(?P<y3>(?:19|20)\d\d)(?:-|\.\s?|/|年\s?|년\s?)(?P<m3>[01]?\d)(?:-|\.\s?|/|月\s?|월\s?)"
    r"(?P<d3>[0-3]?\d)(?:日|일)?"
    r"|(?P<d4>[0-3]?\d)\.\s?(?P<m4>[01]?\d)\.\s?(?P<y4>(?:19|20)\d\d)"
    r"|(?P<a5>[0-3]?\d)/(?P<b5>[0-3]?\d)/(?P<y5>(?:19|20)\d\d)"
    r")(?![\w/])",
    re.I,
)


def find_text_date(text: str, month_first: bool = False) -> date | None:
    """The first calendar date written in a short text ("Thursday 13 Feb 2014", "Feb. 13, 2014",
    "13. Februar 2014", "2014-02-13", "13.02.2014", "2014年2月13日", "13/02/2014" day first unless
    ``month_first`` or impossible), or None."""
    for m in _TEXT_DATE.finditer(text or ""):
        g = m.groupdict()
        try:
            if g["y1"]:
                y, mo, d = int(g["y1"]), _MONTH_OF[g["m1"].lower()], int(g["d1"])
            elif g["y2"]:
                y, mo, d = int(g["y2"]), _MONTH_OF[g["m2"].lower()], int(g["d2"])
            elif g["y3"]:
                y, mo, d = int(g["y3"]), int(g["m3"]), int(g["d3"])
            elif g["y4"]:
                y, mo, d = int(g["y4"]), int(g["m4"]), int(g["d4"])
            else:
                a, b, y = int(g["a5"]), int(g["b5"]), int(g["y5"])
                d, mo = (b, a) if (month_first and a <= 12) or b > 12 else (a, b)
            day = date(y, mo, d)
        except (ValueError, KeyError):
            continue
        if _plausible(day):
            return day
    return None


