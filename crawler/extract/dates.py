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
6. htmldate ``find_date(extensive_search=True, original_date=True)``, bounded by the event day, its
   dateparser fallback limited to the page's language and English, else to those of its script
   (``htmldate_languages``);
   a bare January 1st it returns (its year-only fallback, a copyright line) is discarded unless the
   page writes that day out.

Modification dates (``dateModified``, ``article:modified_time``) are never used as the
publication date.

Parsing lives in ``dateparse``, the publisher's time zone in ``timezones``.

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
from datetime import date, datetime, timedelta

from htmldate import find_date

from .dateparse import _TEXT_DATE, _Cand, find_text_date, parse_datetime, url_date
from .htmldate_languages import install as _install_htmldate_languages, page_languages
from .language import date_languages
from .page import Page, class_id, norm_words as _norm
from .timezones import _localize, _publisher_zone

_install_htmldate_languages()  # htmldate's dateparser fallback: the page's language and English only

AFTER_EVENT_DAYS = 7
BEFORE_EVENT_DAYS = 2 * 365
HTMLDATE_AFTER_DAYS = 30

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
    return _Cand(day, None, "htmldate", CONFIDENCE["htmldate"], found)


def _after_window(day: date, event_day: date | None) -> bool:
    return event_day is not None and day > event_day + timedelta(days=AFTER_EVENT_DAYS)


# -- publisher time zone -------------------------------------------------------------------

_NOT_DATELINE = re.compile(r"today|current-?date|clock|weather|calendar-widget|breaking|ticker", re.I)
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
