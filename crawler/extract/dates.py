"""Publication date of an article page: a cascade from structured metadata to htmldate.

Order of trust (the first candidate wins; the others confirm it, raising the confidence, or
contradict it, lowering it):

1. JSON-LD ``datePublished`` of the page's own article object (NewsArticle, Article, BlogPosting...,
   ``@graph`` and ``mainEntity`` included, items of lists of related content excluded);
2. publication ``<meta>``: ``article:published_time``, ``og:published_time``, ``pubdate``,
   ``publishdate``, ``DC.date.issued``, ``sailthru.date``, ``parsely-pub-date``, itemprop
   ``datePublished``... (generic ``date`` / ``DC.date`` last);
3. ``<time>`` elements: ``time[pubdate]``, ``[itemprop=datePublished]``, the first ``time[datetime]``
   of the article header; then the article's JSON-LD ``dateCreated`` and a WebPage's ``datePublished``;
4. a date in the URL (``/2014/02/13/``, ``/2019/nov/19/``, ``2014-02-13``, ``20140213``);
5. only when nothing above exists: the dateline next to the headline ("Thursday 13 Feb 2014" in the
   few elements around the h1 matching the title; "today" boxes are skipped);
6. htmldate ``find_date(extensive_search=True, original_date=True)``, bounded by the event day;
   a bare January 1st it returns (its year-only fallback, a copyright line) is discarded unless the
   page writes that day out.

Modification dates (``dateModified``, ``article:modified_time``) are never used as the
publication date.

Time zones: ``published`` is the calendar day of the publisher. A timestamp with a non-zero offset
keeps the day as written (``2014-02-13T23:30:00-05:00`` is 2014-02-13). A UTC timestamp (``Z``,
``+00:00``) only names an instant, so its day is taken from the URL when the URL's date is
consistent with it, else the instant is converted to the publisher's zone (an offset used by other
timestamps of the page, else the zone of the domain's country or of the page locale), else the UTC
day is kept. ``published_at`` is set only when the source gave both a time and an offset (a
tz-aware datetime); a naive time or a bare date leave it None: guessing would invent precision.

Event-day prior: with ``event_day`` htmldate searches ``event_day - 2 years ... event_day + 30 days``
(without it htmldate bounds by today). A result more than ``AFTER_EVENT_DAYS`` days after the event
day is most likely an update date: a candidate inside the window is preferred when one exists
(``flag="later_date_ignored"``), else the result is kept with ``flag="after_event_window"`` and half
the confidence. A date more than two years before the event day gets ``flag="before_event_window"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from dateutil import parser as du_parser
from dateutil.tz import tzoffset
from htmldate import find_date

from .page import Page, class_id, norm_words as _norm

AFTER_EVENT_DAYS = 7
BEFORE_EVENT_DAYS = 2 * 365
HTMLDATE_AFTER_DAYS = 30
MIN_YEAR = 1994

CONFIDENCE = {
    "jsonld": 0.95,
    "jsonld:dateCreated": 0.85,
    "jsonld:webpage": 0.85,
    "meta": 0.9,
    "meta:weak": 0.75,
    "time-element": 0.8,
    "url": 0.75,
    "dateline": 0.7,
    "htmldate": 0.6,
}

# meta names in order of trust; value: source suffix used in DateResult.source
META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "published_time",
    "article.published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "publication-date",
    "date_published",
    "date.published",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article_date_original",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
    "rnews:datepublished",
    "og:pubdate",
    "citation_publication_date",
    "citation_date",
    "prism.publicationdate",
    "datecreated",
    "displaydate",
)
META_WEAK = ("dc.date", "dcterms.date", "date", "created", "article:post_date", "release_date")

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
class DateResult:
    published: date | None
    published_at: datetime | None
    source: str | None
    confidence: float
    flag: str | None = None
    raw: str | None = None

    def to_dict(self) -> dict:
        return {
            "published": self.published.isoformat() if self.published else None,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "source": self.source,
            "confidence": round(self.confidence, 3),
            "flag": self.flag,
        }


NO_DATE = DateResult(None, None, None, 0.0)


@dataclass(frozen=True)
class _Cand:
    day: date
    at: datetime | None
    source: str
    confidence: float
    raw: str


def _plausible(d: date) -> bool:
    return MIN_YEAR <= d.year <= date.today().year + 1


def parse_datetime(value) -> tuple[date, datetime | None] | None:
    """Parse a date string; returns (local day as written, tz-aware datetime or None)."""
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
    return _parse_free(s)


def _parse_free(s: str) -> tuple[date, datetime | None] | None:
    """Free-form dates ("Thursday 13 Feb 2014", "Feb. 13, 2014 5:07 PM EST") via dateutil."""
    if not re.search(r"\d", s) or not re.search(r"(19|20)\d\d", s):
        return None
    try:
        dayfirst = bool(re.match(r"\s*\d{1,2}[./]\d{1,2}[./]\d{4}", s))
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
    if res.hour is not None and (res.tzoffset is not None or res.tzname in ("UTC", "GMT", "Z")):
        off = res.tzoffset if res.tzoffset is not None else 0
        tzinfo = timezone.utc if off == 0 else tzoffset(res.tzname, off)
        try:
            at = datetime(day.year, day.month, day.day, res.hour, res.minute or 0, res.second or 0,
                          tzinfo=tzinfo)
        except ValueError:
            at = None
    return day, at


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


def _jsonld_candidates(page: Page):
    for obj in page.articles:
        p = parse_datetime(obj.get("datePublished"))
        if p:
            yield _Cand(p[0], p[1], "jsonld", CONFIDENCE["jsonld"], str(obj.get("datePublished")))


def _jsonld_secondary(page: Page):
    """dateCreated of the article, datePublished of the WebPage: weaker than meta and <time>."""
    for obj in page.articles:
        p = parse_datetime(obj.get("dateCreated"))
        if p:
            src = "jsonld:dateCreated"
            yield _Cand(p[0], p[1], src, CONFIDENCE[src], str(obj.get("dateCreated")))
    for obj in page.webpages:
        p = parse_datetime(obj.get("datePublished"))
        if p:
            src = "jsonld:webpage"
            yield _Cand(p[0], p[1], src, CONFIDENCE[src], str(obj.get("datePublished")))


def _meta_candidates(page: Page):
    meta = page.meta
    for names, conf in ((META_PUBLISHED, CONFIDENCE["meta"]), (META_WEAK, CONFIDENCE["meta:weak"])):
        for name in names:
            for v in meta.get(name, ())[:1]:
                p = parse_datetime(v)
                if p:
                    yield _Cand(p[0], p[1], f"meta:{name}", conf, v)
    pp = meta.get("parsely-page")
    if pp:
        try:
            v = json.loads(pp[0]).get("pub_date")
        except (ValueError, AttributeError):
            v = None
        p = parse_datetime(v)
        if p:
            yield _Cand(p[0], p[1], "meta:parsely-page", CONFIDENCE["meta"], v)


_TIME_XPATHS = (
    ("//time[@pubdate]", 0.85),
    ("//*[@itemprop='datePublished'][not(self::meta)]", 0.85),
    ("//article//header//time[@datetime] | //header//time[@datetime]", 0.8),
    ("//article//time[@datetime]", 0.75),
)


def _time_candidates(page: Page):
    tree = page.tree
    if tree is None:
        return
    for xp, conf in _TIME_XPATHS:
        for el in tree.xpath(xp)[:1]:
            v = el.get("datetime") or el.get("content") or " ".join(el.itertext()).strip()
            p = parse_datetime(v)
            if p:
                yield _Cand(p[0], p[1], "time-element", conf, v)


def _htmldate(page: Page, url: str | None, event_day: date | None) -> _Cand | None:
    kwargs = {}
    if event_day:
        midnight = datetime.min.time()
        kwargs["min_date"] = datetime.combine(event_day - timedelta(days=BEFORE_EVENT_DAYS), midnight)
        kwargs["max_date"] = datetime.combine(event_day + timedelta(days=HTMLDATE_AFTER_DAYS), midnight)
    src = page.tree if page.tree is not None else page.html
    try:
        found = find_date(src, url=url, extensive_search=True, original_date=True, outputformat="%Y-%m-%d",
                          **kwargs)
    except Exception:  # pragma: no cover - htmldate edge cases
        found = None
    if not found:
        return None
    try:
        day = date.fromisoformat(found)
    except ValueError:
        return None
    return _Cand(day, None, "htmldate", CONFIDENCE["htmldate"], found)


def _after_window(day: date, event_day: date | None) -> bool:
    return event_day is not None and day > event_day + timedelta(days=AFTER_EVENT_DAYS)


# -- publisher time zone -------------------------------------------------------------------

_COUNTRY_ZONE = {
    "at": "Europe/Vienna", "de": "Europe/Berlin", "ch": "Europe/Zurich", "li": "Europe/Vaduz",
    "fr": "Europe/Paris", "it": "Europe/Rome", "es": "Europe/Madrid", "pt": "Europe/Lisbon",
    "nl": "Europe/Amsterdam", "be": "Europe/Brussels", "lu": "Europe/Luxembourg", "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm", "no": "Europe/Oslo", "fi": "Europe/Helsinki", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia", "gr": "Europe/Athens", "tr": "Europe/Istanbul", "ru": "Europe/Moscow",
    "ua": "Europe/Kyiv", "by": "Europe/Minsk", "lt": "Europe/Vilnius", "lv": "Europe/Riga",
    "ee": "Europe/Tallinn", "ie": "Europe/Dublin", "uk": "Europe/London", "gb": "Europe/London",
    "si": "Europe/Ljubljana", "hr": "Europe/Zagreb", "rs": "Europe/Belgrade", "ba": "Europe/Sarajevo",
    "il": "Asia/Jerusalem", "eg": "Africa/Cairo", "sa": "Asia/Riyadh", "ae": "Asia/Dubai", "qa": "Asia/Qatar",
    "kw": "Asia/Kuwait", "iq": "Asia/Baghdad", "sy": "Asia/Damascus", "lb": "Asia/Beirut", "jo": "Asia/Amman",
    "ir": "Asia/Tehran", "af": "Asia/Kabul", "pk": "Asia/Karachi", "in": "Asia/Kolkata",
    "np": "Asia/Kathmandu", "lk": "Asia/Colombo", "bd": "Asia/Dhaka", "mm": "Asia/Yangon",
    "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "sg": "Asia/Singapore", "my": "Asia/Kuala_Lumpur",
    "id": "Asia/Jakarta", "th": "Asia/Bangkok", "vn": "Asia/Ho_Chi_Minh", "ph": "Asia/Manila",
    "au": "Australia/Sydney", "nz": "Pacific/Auckland", "za": "Africa/Johannesburg", "ng": "Africa/Lagos",
    "ke": "Africa/Nairobi", "gh": "Africa/Accra", "ca": "America/Toronto", "us": "America/New_York",
    "mx": "America/Mexico_City", "br": "America/Sao_Paulo", "ar": "America/Argentina/Buenos_Aires",
    "cl": "America/Santiago", "pe": "America/Lima", "ve": "America/Caracas", "py": "America/Asuncion",
    "uy": "America/Montevideo", "az": "Asia/Baku", "am": "Asia/Yerevan", "ge": "Asia/Tbilisi",
    "kz": "Asia/Almaty",
}
# country-code TLDs mostly used generically
_GENERIC_CC = {"co", "io", "tv", "me", "ly", "fm", "ai", "cc", "ws", "to", "gg", "so", "la", "ag", "am", "nu"}
_LOCALE_RE = re.compile(r"^[a-z]{2,3}[-_]([a-z]{2})$", re.I)
_OFFSET_RE = re.compile(r"T\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*([+-])(\d\d):?(\d\d)")


def _publisher_zone(page: Page):
    """Where the publisher's calendar day is counted: an offset other timestamps of the page
    state, else the zone of the country of the domain (ccTLD) or of the page locale; None if unknown."""
    offsets: list[str] = []
    for obj, _own in page.jsonld:
        for key in ("datePublished", "dateModified", "dateCreated", "uploadDate"):
            v = obj.get(key)
            if isinstance(v, str):
                offsets += ["".join(m) for m in _OFFSET_RE.findall(v)]
    for name in ("article:modified_time", "og:updated_time", "article:published_time", "datemodified"):
        for v in page.meta.get(name, ()):
            offsets += ["".join(m) for m in _OFFSET_RE.findall(v)]
    offsets = [o for o in offsets if o[1:] != "0000"]
    if offsets:
        o = max(set(offsets), key=offsets.count)
        return timezone((-1 if o[0] == "-" else 1) * timedelta(hours=int(o[1:3]), minutes=int(o[3:5])))
    cc = None
    host = page.host
    if host:
        tld = host.rsplit(".", 1)[-1]
        if len(tld) == 2 and tld not in _GENERIC_CC:
            cc = tld
    if cc is None:
        for loc in (page.meta_first("og:locale"), page.html_lang, page.meta_first("content-language")):
            m = _LOCALE_RE.match((loc or "").strip())
            if m:
                cc = m.group(1).lower()
                break
    name = _COUNTRY_ZONE.get(cc or "")
    if not name:
        return None
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # pragma: no cover - no tz database
        return None


def _localize(c: _Cand, zone, from_url: date | None) -> _Cand:
    """A UTC timestamp names an instant; the publisher's calendar day is that instant in its zone.

    The URL's own date settles the day when it is consistent with the instant (the publisher
    wrote its local day there); else the instant is converted to the inferred publisher zone."""
    if c.at is None or c.at.utcoffset() != timedelta(0):
        return c
    local = c.at.astimezone(zone).date() if zone is not None else c.day
    day = local
    if from_url and from_url != c.day:
        minutes = c.at.hour * 60 + c.at.minute
        if from_url == local:
            day = from_url
        elif from_url == c.day - timedelta(days=1) and minutes < 9 * 60:
            day = from_url
        elif from_url == c.day + timedelta(days=1) and 24 * 60 - minutes <= 13 * 60:
            day = from_url
    elif from_url == c.day:
        day = from_url
    if day == c.day:
        return c
    return _Cand(day, c.at, c.source, c.confidence, c.raw)


# -- dateline next to the headline -------------------------------------------------------------

_NOT_DATELINE = re.compile(r"today|current-?date|clock|weather|calendar-widget|breaking|ticker", re.I)
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


def _dateline_candidates(page: Page):
    h = page.headline_element
    if h is None:
        return
    month_first = (page.meta_first("og:locale") or page.html_lang or "").lower().replace("_", "-") == "en-us"
    seen = 0
    head = _norm(h.text_content())[:24]
    # the header block: a few elements after the headline, then a few before it
    for el in h.xpath("following::*[position() <= 25]") + \
            h.xpath("preceding-sibling::*[position() <= 3]"):
        if el.tag in ("script", "style", "noscript") or _NOT_DATELINE.search(class_id(el)):
            continue
        parts = [el.get("datetime") or "", el.get("title") or "", el.text or ""]
        parts += [c.tail or "" for c in el]
        txt = " ".join(p for p in parts if p).strip()
        if el.tag == "p" and len(txt) > 250:
            break  # body text reached
        seen += 1
        if not txt or len(txt) > 120 or (head and head in _norm(txt)):
            continue
        d = find_text_date(txt, month_first)
        if d and len(_TEXT_DATE.sub(" ", txt).split()) <= 12:
            yield _Cand(d, None, "dateline", CONFIDENCE["dateline"], txt[:80])
            return


_JAN1 = (r"(?<!\d)(0?1[./-]0?1[./-]{y}|{y}[./-]0?1[./-]0?1|1(?:st)?\s+jan\w*\.?,?\s+{y}"
         r"|jan\w*\.?\s+1(?:st)?,?\s+{y})(?!\d)")


def _year_only(day: date, html: str) -> bool:
    """htmldate returns YYYY-01-01 when it only found a year (a copyright line, say)."""
    if (day.month, day.day) != (1, 1):
        return False
    return not re.search(_JAN1.format(y=day.year), html, re.I)


def resolve_date(
    html: str,
    url: str | None,
    event_day: date | None = None,
    tree=None,
    *,
    page: Page | None = None,
    use_htmldate: bool = True,
) -> DateResult:
    """Publication date of a page (see the module docstring for the cascade and its rules)."""
    if page is None:
        page = Page(html, url, tree)
    url = url or page.url
    from_url = url_date(url)
    cands = [c for gen in (_jsonld_candidates(page), _meta_candidates(page), _time_candidates(page),
                           _jsonld_secondary(page)) for c in gen]
    if any(c.at is not None and c.at.utcoffset() == timedelta(0) for c in cands):
        zone = _publisher_zone(page)
        cands = [_localize(c, zone, from_url) for c in cands]
    if from_url:
        cands.append(_Cand(from_url, None, "url", CONFIDENCE["url"], from_url.isoformat()))
    if not cands or (event_day is not None and all(_after_window(c.day, event_day) for c in cands)):
        cands += list(_dateline_candidates(page))
    if (not cands or (event_day is not None and all(_after_window(c.day, event_day) for c in cands))) \
            and use_htmldate:
        h = _htmldate(page, url, event_day)
        if h is not None and not _year_only(h.day, page.html):
            cands.append(h)
    if not cands:
        return NO_DATE
    best, flag = cands[0], None
    if _after_window(best.day, event_day):
        inside = [c for c in cands if not _after_window(c.day, event_day)]
        if inside:
            best = inside[0]
            best = _Cand(best.day, best.at, best.source, best.confidence * 0.9, best.raw)
            flag = "later_date_ignored"
        else:
            flag = "after_event_window"
    family = best.source.split(":")[0]
    others = [c for c in cands if c.source.split(":")[0] != family]
    confidence = best.confidence
    if flag == "after_event_window":
        confidence *= 0.5
    elif any(c.day == best.day for c in others):
        confirming = {c.source.split(":")[0] for c in others if c.day == best.day}
        confidence = min(0.99, confidence + 0.03 * len(confirming))
    elif any(abs((c.day - best.day).days) > 1 for c in others):
        confidence *= 0.85  # an independent source disagrees
    if event_day is not None and best.day < event_day - timedelta(days=BEFORE_EVENT_DAYS):
        flag = flag or "before_event_window"
        confidence *= 0.8
    return DateResult(best.day, best.at, best.source, round(confidence, 3), flag, best.raw)
