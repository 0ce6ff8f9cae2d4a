"""Scoring of ``make eval``: every page read twice, as *visible* and as *unseen*, next to the libraries alone.

- visible: ``extract_article`` with the shipped knowledge (``crawler.extract.knowledge.shipped()``);
- unseen: the pages are grouped by publisher (registered domain; a page without a URL is its own group) into
  ``FOLDS`` folds of about equal size; each fold is read with every publisher-keyed fact about its
  publishers withheld (``Knowledge.without``) and with the fitted tables (the date-confidence table) fitted
  on the other folds only;
- htmldate alone (``find_date``, extensive search, original date) and trafilatura alone (its metadata and
  ``extract``) on the same pages.

Pure: cases in, figures out (``Case`` is what the data loaders of ``crawler.devtools.evaluate`` produce).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crawler.extract.article import Article, extract_article
from crawler.extract.date_confidence import DateTable
from crawler.extract.encoding import decode_html
from crawler.extract.knowledge import Knowledge, shipped
from crawler.devtools.metrics import body_scores, same_authors, same_title
from crawler.extract.page import registered_domain

FOLDS = 5
BUCKETS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.01)  # confidence bucket edges (the last one holds 1.0)
KEEP_AT = 0.9


@dataclass
class Case:
    """One page and what its ground truth says (fields left None are not known for the page)."""

    set: str
    path: Path
    url: str | None  # the page's own URL; None when the set does not give it
    has_date: bool = False
    date: str | None = None  # expected day; None with has_date: the page has no date
    title: str | None = None
    title_match: Callable[[str, str | None], bool] = same_title
    authors: list[str] | None = None
    authors_match: Callable[[list[str], list[str]], bool] = same_authors
    body: str | None = None
    checks: tuple[tuple[str, Callable[[Article], bool]], ...] = ()  # other yes/no checks of the set
    raw: bytes = field(default=b"", repr=False)

    @property
    def publisher(self) -> str:
        return (registered_domain(self.url) if self.url else None) or f"page:{self.path}"

    @property
    def read_url(self) -> str:
        return self.url or "https://example.com/"


def assign_folds(cases: list[Case], folds: int = FOLDS) -> dict[str, int]:
    """Publisher → fold: the largest publishers first, each to the fold with fewest pages so far (ties by a
    hash of the name), so that folds are about equal and the assignment is the same on every run."""
    sizes: dict[str, int] = {}
    for c in cases:
        sizes[c.publisher] = sizes.get(c.publisher, 0) + 1
    load, out = [0] * folds, {}
    for pub in sorted(sizes, key=lambda p: (-sizes[p], hashlib.sha1(p.encode()).hexdigest())):
        k = min(range(folds), key=lambda i: (load[i], i))
        out[pub] = k
        load[k] += sizes[pub]
    return out


@dataclass
class Reading:
    """What one reader made of one page."""

    date: str | None = None
    confidence: float = 0.0
    evidence: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    text: str = ""
    checks: dict[str, bool] = field(default_factory=dict)


def _reading(case: Case, art: Article) -> Reading:
    return Reading(date=art.published.isoformat() if art.published else None, confidence=art.date_confidence,
                   evidence=getattr(art, "date_evidence", None), title=art.title, authors=list(art.authors),
                   text=art.text, checks={name: bool(check(art)) for name, check in case.checks})


def read_ours(case: Case, knowledge: Knowledge) -> Reading:
    return _reading(case, extract_article(case.raw, case.read_url, knowledge=knowledge))


def read_libraries(case: Case) -> tuple[Reading, Reading]:
    """(htmldate alone, trafilatura alone) on the page: htmldate gives only a date."""
    import trafilatura
    from htmldate import find_date
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    html = decode_html(case.raw)[0]
    hd = Reading()
    if case.has_date:
        try:
            hd.date = find_date(html, url=case.url, extensive_search=True, original_date=True)
        except Exception:  # pragma: no cover - library edge cases
            hd.date = None
    tf = Reading()
    try:
        md = extract_metadata(load_html(html), case.url)
    except Exception:  # pragma: no cover
        md = None
    if md is not None:
        tf.date, tf.title = md.date, md.title
        tf.authors = [a.strip() for a in (md.author or "").split(";") if a.strip()]
    if case.body is not None:
        tf.text = trafilatura.extract(html, url=case.url, include_comments=False) or ""
    return hd, tf


@dataclass
class Run:
    """Every case read by every reader: ``visible``, ``unseen``, ``htmldate``, ``trafilatura``."""

    cases: list[Case]
    folds: dict[str, int]
    readings: dict[str, list[Reading]]


def run_all(cases: list[Case], baselines: bool = True, refit: Callable | None = None) -> Run:
    """Read every case visible and unseen (and with the libraries alone when ``baselines``).

    ``refit(records, knowledge)``, when given, returns the knowledge with its fitted tables refitted on
    ``records`` [(case, unseen reading)] of the other folds; the unseen readings' confidences are then
    re-derived from the fold's table (``Knowledge.date_confidence_of``)."""
    known = shipped()
    folds = assign_folds(cases)
    readings: dict[str, list[Reading]] = {"visible": [], "unseen": [], "htmldate": [], "trafilatura": []}
    by_fold: dict[int, Knowledge] = {}
    for k in range(FOLDS):
        held = {p for p, f in folds.items() if f == k}
        by_fold[k] = known.without(held)
    for c in cases:
        readings["visible"].append(read_ours(c, known))
        readings["unseen"].append(read_ours(c, by_fold[folds[c.publisher]]))
        if baselines:
            hd, tf = read_libraries(c)
            readings["htmldate"].append(hd)
            readings["trafilatura"].append(tf)
    if refit is not None:
        for k in range(FOLDS):
            others = [(c, r) for c, r in zip(cases, readings["unseen"]) if folds[c.publisher] != k]
            fitted = refit(others, by_fold[k])
            for c, r in zip(cases, readings["unseen"]):
                if folds[c.publisher] == k:
                    r.confidence = fitted.date_confidence_of(r.evidence)
    return Run(cases, folds, readings)


def fit_date_table(cases: list[Case], readings: list[Reading]) -> DateTable:
    """The date-confidence table of these readings: (evidence, exact day?) of every page with a known date."""
    return DateTable.fit((r.evidence, r.date == c.date) for c, r in zip(cases, readings) if c.has_date)


def refit_date_table(records: list[tuple[Case, Reading]], knowledge: Knowledge) -> Knowledge:
    """``knowledge`` with its date table fitted on ``records`` (``run_all``'s ``refit``)."""
    return knowledge.with_date_table(fit_date_table([c for c, _ in records], [r for _, r in records]))


# -- figures ------------------------------------------------------------------------------------------

def _share(hits: list[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def figure(run: Run, reader: str, what: str, sets: Iterable[str] | None) -> tuple[float | None, int]:
    """(score, pages) of one reader on one figure (``date``, ``title``, ``authors``, ``body``) over the cases
    of ``sets`` (None: all)."""
    rows = run.readings.get(reader) or []
    if not rows or (reader == "htmldate" and what != "date"):
        return None, 0
    wanted = set(sets) if sets is not None else None
    pairs = [(c, r) for c, r in zip(run.cases, rows) if wanted is None or c.set in wanted]
    if what == "date":
        hits = [r.date == c.date for c, r in pairs if c.has_date]
        return _share(hits), len(hits)
    if what == "title":
        hits = [c.title_match(c.title, r.title) for c, r in pairs if c.title is not None]
        return _share(hits), len(hits)
    if what == "authors":
        hits = [c.authors_match(c.authors, r.authors) for c, r in pairs if c.authors is not None]
        return _share(hits), len(hits)
    if what == "body":
        bodies = [(c.body, r.text) for c, r in pairs if c.body is not None]
        return (body_scores(bodies)["f1"] if bodies else None), len(bodies)
    raise ValueError(what)


def check_counts(run: Run, reader: str) -> dict[str, tuple[int, int]]:
    """Other per-set checks (descriptions, snippets...): name → (passed, pages)."""
    out: dict[str, list[int]] = {}
    for r in run.readings.get(reader) or []:
        for name, ok in r.checks.items():
            cell = out.setdefault(name, [0, 0])
            cell[0] += ok
            cell[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def reliability(run: Run, reader: str = "unseen") -> tuple[list[tuple[str, float | None, int, float | None]],
                                                           dict]:
    """Confidence bucket → (share of exact days, pages, mean confidence) over the pages with a known date, and
    what keeping the dates at ``KEEP_AT`` or above gives: {"exact", "kept", "pages"}."""
    pairs = [(c, r) for c, r in zip(run.cases, run.readings[reader]) if c.has_date]
    rows = []
    for lo, hi in zip(BUCKETS, BUCKETS[1:]):
        inside = [(r.date == c.date, r.confidence) for c, r in pairs if lo <= r.confidence < hi]
        label = f"{lo:.2f}–{min(hi, 1.0):.2f}"
        mean = sum(conf for _, conf in inside) / len(inside) if inside else None
        rows.append((label, _share([ok for ok, _ in inside]), len(inside), mean))
    kept = [r.date == c.date for c, r in pairs if r.confidence >= KEEP_AT and r.date is not None]
    return rows, {"exact": _share(kept), "kept": len(kept), "pages": len(pairs)}
