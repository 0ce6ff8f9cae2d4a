"""Publication date of an article page: a cascade from structured metadata to htmldate.

Order of trust (the first candidate wins; the others confirm or contradict it):

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
6. htmldate ``find_date(extensive_search=True, original_date=True)``, bounded by the event day, its
   dateparser fallback limited to the page's language and English, else to those of its script
   (``htmldate_languages``); a bare January 1st it returns (its year-only fallback, a copyright line) is
   discarded unless the page writes that day out.

An element outside the article (comments, teasers and lists of other articles, sidebars, footers, copyright
lines, the site header: ``Page.outside_article``) gives no candidate, ``<meta>`` elements in the body included,
so that htmldate rather than such an element decides. Modification dates (``dateModified``,
``article:modified_time``) are never used as the publication date.

Days: ``published`` is the calendar day as the page writes it. A timestamp with an offset keeps its own
day (``2014-02-13T23:30:00-05:00`` is 2014-02-13); a UTC timestamp (``Z``, ``+00:00``, ``GMT``) gives its UTC
day, unless the page writes the same instant elsewhere: with an offset in another source, as a local clock
time in a publication field of its data (``"publication_date": "2020-12-06 00:15"``: the same minute, a whole
or half hour off), or as the day before or after in its URL (a day the instant falls on in some inhabited
time zone, UTC−10…UTC+14); then that day. A structured date more than a day after the URL's date is a
re-publication or update: the URL's day is taken. ``published_at`` is
the instant with its offset, set only when a source gave both a time and an offset. Numeric dates are read
in the order of the page's language and country (``date_order``); when the other reading of an ambiguous
one is a day the page gives elsewhere (URL, another source) and the first reading is not, the other wins.

Confidence: the share of exact days that dates with the same evidence (step and agreement of the page's
other dates) had on pages with known dates (``date_confidence.DateTable``). With an event day it is
multiplied by 0.9 when a later date was passed over, 0.5 for a date after the event window, 0.8 for one
more than two years before the event day.

Event-day prior: with ``event_day`` htmldate searches ``event_day - 2 years ... event_day + 30 days``
(without it htmldate bounds by today). A result more than ``AFTER_EVENT_DAYS`` days after the event
day is most likely an update date: a candidate inside the window is preferred when one exists
(``flag="later_date_ignored"``), else the result is kept with ``flag="after_event_window"``. A date more
than two years before the event day gets ``flag="before_event_window"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from htmldate import find_date
from lxml import etree

from .date_confidence import DateTable
from .dateparse import _TEXT_DATE, find_text_date, other_reading, parse_datetime, url_date
from .htmldate_languages import install as _install_htmldate_languages, page_languages
from .language import date_languages, date_order
from .page import Page, class_id, norm_words as _norm

_install_htmldate_languages()  # htmldate's dateparser fallback: the page's language and English only

AFTER_EVENT_DAYS = 7
BEFORE_EVENT_DAYS = 2 * 365
HTMLDATE_AFTER_DAYS = 30

# meta names in order of trust
META_PUBLISHED = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "published_time", "article.published", "datepublished", "pubdate", "publishdate", "publish-date",
    "publish_date", "publication_date", "publication-date", "date_published", "date.published",
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "article_date_original", "original-publish-date", "cxenseparse:recs:publishtime",
    "rnews:datepublished", "og:pubdate", "citation_publication_date", "citation_date",
    "prism.publicationdate", "datecreated", "displaydate",
)
META_WEAK = ("dc.date", "dcterms.date", "date", "created", "article:post_date", "release_date")
_META_RANK = {name: i for i, name in enumerate(META_PUBLISHED + META_WEAK)}


@dataclass(frozen=True)
class DateResult:
    published: date | None
    published_at: datetime | None
    source: str | None
    confidence: float
    flag: str | None = None
    raw: str | None = None
    evidence: str | None = None  # step|agreement, the key of the confidence table
    candidates: tuple = ()  # every Cand the decision saw, the winner's first in page order

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
class Cand:
    day: date
    at: datetime | None
    source: str
    raw: str

    @property
    def family(self) -> str:
        return self.source.split(":")[0]


def step_of(source: str) -> str:
    """The cascade step of a date source (the first half of its evidence)."""
    family = source.split(":")[0]
    if family == "meta":
        return "meta:weak" if source[5:] in META_WEAK else "meta"
    if source in ("jsonld:dateCreated", "jsonld:webpage"):
        return "jsonld:secondary"
    return family


def _cand(value, source: str, order: str | None) -> Cand | None:
    p = parse_datetime(value, order)
    return Cand(p[0], p[1], source, str(value)) if p else None


def _jsonld_candidates(page: Page, order):
    for obj in page.articles:
        c = _cand(obj.get("datePublished"), "jsonld", order)
        if c:
            yield c


def _jsonld_secondary(page: Page, order):
    """dateCreated of the article, datePublished of the WebPage: weaker than meta and <time>."""
    for obj in page.articles:
        c = _cand(obj.get("dateCreated"), "jsonld:dateCreated", order)
        if c:
            yield c
    for obj in page.webpages:
        c = _cand(obj.get("datePublished"), "jsonld:webpage", order)
        if c:
            yield c


def _meta_candidates(page: Page, order):
    """The first readable ``<meta>`` of each publication name, best names first; one in the body only when it
    is inside the article."""
    found: dict[str, Cand] = {}
    for keys, content, el in page.meta_elements:
        for key in keys:
            if key in _META_RANK and key not in found:
                if page.outside_article(el):  # never true in <head>
                    continue
                c = _cand(content, f"meta:{key}", order)
                if c:
                    found[key] = c
    yield from sorted(found.values(), key=lambda c: _META_RANK[c.source[5:]])
    pp = page.meta.get("parsely-page")
    if pp:
        try:
            v = json.loads(pp[0]).get("pub_date")
        except (ValueError, AttributeError):
            v = None
        c = _cand(v, "meta:parsely-page", order)
        if c:
            yield c


# the date elements, each kind tried in turn (its first element inside the article gives a candidate):
# <time pubdate>, an itemprop=datePublished element (not a <meta>), a <time datetime> in a header, in an article
_TIME_ELEMENTS = etree.XPath("//time | //*[@itemprop='datePublished']")
_TIME_KINDS = (lambda el: el.tag == "time" and el.get("pubdate") is not None,
               lambda el: el.get("itemprop") == "datePublished" and el.tag != "meta",
               lambda el: _dated_time(el, "header"), lambda el: _dated_time(el, "article"))


def _dated_time(el, within: str) -> bool:
    return el.tag == "time" and el.get("datetime") is not None and next(el.iterancestors(within), None) is not None


def _time_candidates(page: Page, order):
    tree = page.tree
    if tree is None:
        return
    elements = _TIME_ELEMENTS(tree)  # one pass over the tree, in document order
    for kind in _TIME_KINDS:
        for el in elements:
            if not kind(el) or page.outside_article(el):
                continue
            v = el.get("datetime") or el.get("content") or " ".join(el.itertext()).strip()
            c = _cand(v, "time-element", order)
            if c:
                yield c
            break


def _htmldate(page: Page, url: str | None, event_day: date | None) -> Cand | None:
    kwargs = {}
    if event_day:
        midnight = datetime.min.time()
        kwargs["min_date"] = datetime.combine(event_day - timedelta(days=BEFORE_EVENT_DAYS), midnight)
        kwargs["max_date"] = datetime.combine(event_day + timedelta(days=HTMLDATE_AFTER_DAYS), midnight)
    src = page.tree if page.tree is not None else page.html
    try:
        with page_languages(date_languages(page)):
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
    return Cand(day, None, "htmldate", found)


def _after_window(day: date, event_day: date | None) -> bool:
    return event_day is not None and day > event_day + timedelta(days=AFTER_EVENT_DAYS)


_NOT_DATELINE = re.compile(r"today|current-?date|clock|weather|calendar-widget|breaking|ticker", re.I)


def _dateline_candidates(page: Page, order):
    h = page.headline_element
    if h is None:
        return
    head = _norm(h.text_content())[:24]
    # the header block: a few elements after the headline, then a few before it
    for el in h.xpath("following::*[position() <= 25]") + h.xpath("preceding-sibling::*[position() <= 3]"):
        if el.tag in ("script", "style", "noscript") or _NOT_DATELINE.search(class_id(el)):
            continue
        parts = [el.get("datetime") or "", el.get("title") or "", el.text or ""]
        parts += [c.tail or "" for c in el]
        txt = " ".join(p for p in parts if p).strip()
        if el.tag == "p" and len(txt) > 250:
            break  # body text reached
        if not txt or len(txt) > 120 or (head and head in _norm(txt)) or "©" in txt:
            continue
        d = find_text_date(txt, order == "mdy")
        if d and len(_TEXT_DATE.sub(" ", txt).split()) <= 12:
            yield Cand(d, None, "dateline", txt[:80])
            return


_JAN1 = (r"(?<!\d)(0?1[./-]0?1[./-]{y}|{y}[./-]0?1[./-]0?1|1(?:st)?\s+jan\w*\.?,?\s+{y}"
         r"|jan\w*\.?\s+1(?:st)?,?\s+{y})(?!\d)")


def _year_only(day: date, html: str) -> bool:
    """htmldate returns YYYY-01-01 when it only found a year (a copyright line, say)."""
    if (day.month, day.day) != (1, 1):
        return False
    return not re.search(_JAN1.format(y=day.year), html, re.I)


# -- the day as written -------------------------------------------------------------------------

_WEST, _EAST = 10 * 60, 14 * 60  # the offsets of inhabited zones, UTC−10 (Hawaii) to UTC+14, in minutes


# a publication field of the page's data ("publication_date": "2020-12-06 00:15") holding a local time
_FIELD_KEY = re.compile(r"(?:publi|pubdate|pub_date|datecreat|date_creat)[\w.]*[\"']?\s*[:=]\s*[\"']$", re.I)
_LOCAL_TIME = re.compile(r"[ T]([0-2]\d):([0-5]\d)(?::([0-5]\d))?(?![\d:.]*\s*(?:[+-]\d|Z))")


def _falls_on(at: datetime, day: date) -> bool:
    """The UTC instant ``at`` is on ``day`` in some inhabited time zone."""
    minutes = at.hour * 60 + at.minute
    return day == at.date() or (day == at.date() - timedelta(days=1) and minutes < _WEST) or \
        (day == at.date() + timedelta(days=1) and minutes + _EAST >= 24 * 60)


def _local_field_day(at: datetime, html: str) -> date | None:
    """The day before or after ``at``'s UTC day when a publication field of the page writes the instant as
    a local clock time on it (the same seconds, a whole or half hour off, within UTC−10…UTC+14)."""
    for day in (at.date() - timedelta(days=1), at.date() + timedelta(days=1)):
        text = day.isoformat()
        pos = html.find(text)
        while pos >= 0:
            m = _LOCAL_TIME.match(html, pos + len(text))
            if m and (m.group(3) is None or int(m.group(3)) == at.second) and \
                    _FIELD_KEY.search(html[max(0, pos - 60):pos]):
                local = datetime.combine(day, datetime.min.time()).replace(hour=int(m.group(1)) % 24,
                                                                            minute=int(m.group(2)))
                offset = (local - at.replace(tzinfo=None, second=0, microsecond=0)).total_seconds() / 60
                if offset % 30 == 0 and -_WEST <= offset <= _EAST:
                    return day
            pos = html.find(text, pos + 1)
    return None


def _as_written(c: Cand, cands: list[Cand], from_url: date | None, html: str) -> Cand:
    """A UTC instant's day as the page writes it: the same instant given with an offset elsewhere on the
    page or as a local time in a publication field of its data, else the URL's day when the instant falls on
    it in some zone, else the UTC day."""
    if c.at is None or c.at.utcoffset() != timedelta(0):
        return c
    for o in cands:
        if o.at is not None and o.at.utcoffset() != timedelta(0) and o.at == c.at:
            return Cand(o.day, o.at, c.source, c.raw)
    local = _local_field_day(c.at, html)
    if local is not None:
        return Cand(local, c.at, c.source, c.raw)
    if from_url is not None and from_url != c.day and _falls_on(c.at, from_url):
        return Cand(from_url, c.at, c.source, c.raw)
    return c


def _settle_order(c: Cand, elsewhere: set[date]) -> Cand:
    """An ambiguous numeric date read the other way when only that reading is a day the page gives
    elsewhere."""
    alt = other_reading(c.raw, c.day)
    if alt is None or alt not in elsewhere or c.day in elsewhere:
        return c
    at = c.at.replace(year=alt.year, month=alt.month, day=alt.day) if c.at is not None else None
    return Cand(alt, at, c.source, c.raw)


def agreement(best: Cand, cands: list[Cand]) -> str:
    """How the page's other dates (other families of sources) relate to ``best``."""
    others = [c for c in cands if c.family != best.family]
    if not others:
        return "alone"
    gaps = [abs((c.day - best.day).days) for c in others]
    if 0 in gaps:
        return "agreed"
    return "near" if min(gaps) <= 1 else "disputed"


def resolve_date(
    html: str,
    url: str | None,
    event_day: date | None = None,
    tree=None,
    *,
    page: Page | None = None,
    use_htmldate: bool = True,
    table: DateTable | None = None,
) -> DateResult:
    """Publication date of a page (see the module docstring); ``table``: the confidence table (default: the
    shipped one)."""
    if page is None:
        page = Page(html, url, tree)
    url = url or page.url
    order = date_order(page)
    from_url = url_date(url)
    cands = [c for gen in (_jsonld_candidates(page, order), _meta_candidates(page, order),
                           _time_candidates(page, order), _jsonld_secondary(page, order)) for c in gen]
    if cands:
        url_days = {from_url} if from_url else set()
        cands = [_settle_order(c, url_days | {o.day for o in cands if o is not c}) for c in cands]
        cands = [_as_written(c, cands, from_url, page.html) for c in cands]
    if from_url:
        cands.append(Cand(from_url, None, "url", from_url.isoformat()))
    if not cands or (event_day is not None and all(_after_window(c.day, event_day) for c in cands)):
        cands += list(_dateline_candidates(page, order))
    if (not cands or (event_day is not None and all(_after_window(c.day, event_day) for c in cands))) \
            and use_htmldate:
        h = _htmldate(page, url, event_day)
        if h is not None and not _year_only(h.day, page.html):
            cands.append(h)
    if not cands:
        return NO_DATE
    return decide(cands, event_day, table)


def decide(cands: list[Cand], event_day: date | None = None, table: DateTable | None = None) -> DateResult:
    """The winning candidate (the first, unless it lies after the event window), its evidence, flag and
    confidence."""
    best, flag, factor = cands[0], None, 1.0
    if _after_window(best.day, event_day):
        inside = [c for c in cands if not _after_window(c.day, event_day)]
        if inside:
            best, flag, factor = inside[0], "later_date_ignored", 0.9
        else:
            flag, factor = "after_event_window", 0.5
    written = next((c for c in cands if c.family == "url"), None)
    if written is not None and best.day > written.day + timedelta(days=1) and best.family != "outlet":
        best = written  # the structured date is a later re-publication or update: the URL keeps the first day
    if event_day is not None and best.day < event_day - timedelta(days=BEFORE_EVENT_DAYS):
        flag, factor = flag or "before_event_window", factor * 0.8
    evidence = f"{step_of(best.source)}|{agreement(best, cands)}"
    if table is None:
        from .knowledge import shipped

        table = shipped().date_table
    return DateResult(best.day, best.at, best.source, round(table.confidence(evidence) * factor, 3), flag,
                      best.raw, evidence, tuple(cands))
