"""Article extraction: one parse, shared by the outlet rules, headline/author/date extractors and
trafilatura (pure: no Scrapy import).

Body text: an outlet rule's body when one applies (unless it covers a small part of the page's
prose); else trafilatura (on its copy of the page without the elements a browser hides at load and the
paragraphs inside links, ``NOT_PROSE_XPATH``) in precision mode without its readability/justext comparison
("fast"), re-run in its default balanced mode when that result is short or covers less than 15% of the
page's paragraph text (precision mode occasionally keeps only a reprint notice, or nothing); then
text found only in scripts (JSON-LD ``articleBody``, an app state's ``contentHtml``) when all of
that fails. When the page splits the body over sibling containers of one template, the prose of the
containers the extractor left is added (``crawler.extract.chunks``). A page that sets its article in a
table's cell is read with its layout tables as blocks (``crawler.extract.layout``). Finally a line-level
clean-up of the boilerplate trafilatura leaves in (``crawler.extract.cleanup``).

Publisher knowledge (known headline sources, outlet rules, the date-confidence table) comes in one
``Knowledge`` object (``crawler.extract.knowledge``), the shipped one unless another is given.

The standfirst is reported as ``description``; when the page displays it in the article and the body
lacks it, it is also the first line of ``text`` (``crawler.extract.standfirst``). ``text`` lines are
paragraphs joined by newlines.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

import lxml.html
from lxml import etree
from trafilatura import bare_extraction

from .dates import Cand, DateResult, decide, find_text_date, parse_datetime, resolve_date
from .encoding import decode_html
from .language import guess_language, markup_language
from .knowledge import Knowledge, shipped
from .outlets import RULES_VERSION, apply_rule
from .page import Page, text_of
from .authors import extract_authors
from .chunks import add_continuations
from .layout import without_layout_tables
from .cleanup import clean_body
from .standfirst import with_standfirst
from .title import extract_description, extract_site_name, extract_title, title_candidates

EXTRACTOR = "trafilatura"
# changes whenever extraction changes (outlet rules carry their own RULES_VERSION), so that
# ``newsarchive reextract`` upgrades stored sources
EXTRACTOR_SUFFIX = "na7"


def _trafilatura_version() -> str:
    try:
        from importlib.metadata import version

        return version("trafilatura")
    except Exception:  # pragma: no cover
        return "unknown"


EXTRACTOR_VERSION = f"{EXTRACTOR}-{_trafilatura_version()}+{EXTRACTOR_SUFFIX}.r{RULES_VERSION}"


@dataclass(frozen=True)
class ExtractOptions:
    favor_precision: bool = True  # trafilatura precision mode first
    fast: bool = True  # trafilatura without its readability/justext comparison
    recall_fallback: bool = True  # re-run in balanced mode when the precision text is short
    fallback_below_chars: int = 500
    fallback_page_share: float = 0.15  # ... or when it covers less of the page's paragraph text
    include_tables: bool = True
    include_comments: bool = False
    prune_not_prose: bool = True  # hidden elements and paragraphs inside links are not body text
    layout_tables: bool = True  # a table that holds paragraphs in a cell is read as blocks
    clean_lines: bool = True  # line-level boilerplate clean-up
    continuations: bool = True  # the body's chunks in sibling containers of the same template
    standfirst: bool = True  # the displayed standfirst the body lacks, as its first line
    outlet_rules: bool = True
    use_htmldate: bool = True  # last step of the date cascade (the slow one)


DEFAULT_OPTIONS = ExtractOptions()


@dataclass(frozen=True)
class Article:
    url: str | None
    title: str | None
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    language: str | None = None
    site_name: str | None = None
    text: str = ""
    word_count: int = 0
    published: date | None = None
    published_at: datetime | None = None
    date_source: str | None = None
    date_confidence: float = 0.0
    date_flag: str | None = None
    date_evidence: str | None = None  # step|agreement behind date_confidence (not stored)
    extractor: str = EXTRACTOR
    extractor_version: str = EXTRACTOR_VERSION
    outlet_rule: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict (dates as ISO strings)."""
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["published_at"] = self.published_at.isoformat() if self.published_at else None
        return d


# -- body -----------------------------------------------------------------------------------

# What a reader never sees as the article's prose, pruned from trafilatura's copy of the page: elements a
# browser hides when the page loads (the HTML ``hidden`` attribute except ``until-found``, which marks
# collapsed text a reader can search and open; Alpine.js ``x-cloak``; the utility classes of CSS frameworks
# that mean ``display: none``, among them the menus of the video.js player) and the paragraphs of a teaser
# card, a link that holds two paragraphs at most or TEASER_CHARS characters (a link left unclosed before the
# body holds more). The cheap ``contains`` tests come first so that the token test runs on few elements.
_HIDDEN_CLASSES = ("hidden", "hide", "u-hide", "u-hidden", "d-none", "is-hidden", "display-none",
                   "vjs-hidden")
TEASER_CHARS = 600
NOT_PROSE_XPATH = (
    "//body//*[(@hidden and not(@hidden='until-found')) or @x-cloak"
    " or @class[(contains(., 'hid') or contains(., 'none')) and ("
    + " or ".join(f"contains(concat(' ', normalize-space(.), ' '), ' {c} ')" for c in _HIDDEN_CLASSES)
    + ")]] | //body//a[.//p][count(.//p) <= 2 or "
    f"string-length(normalize-space(.)) <= {TEASER_CHARS}]//p"
)


_NOT_PROSE = etree.XPath(NOT_PROSE_XPATH)


def _pruned_prose(page: Page) -> int:
    """Characters of paragraph text (80+ characters a paragraph) in the elements ``NOT_PROSE_XPATH`` prunes."""
    paragraphs = {p for el in _NOT_PROSE(page.tree) for p in el.iter("p")}
    return sum(len(t) for t in map(text_of, paragraphs) if len(t) >= 80)


def _trafilatura(tree, url: str | None, opts: ExtractOptions, precision: bool) -> str:
    try:
        doc = bare_extraction(
            tree,
            url=url,
            prune_xpath=NOT_PROSE_XPATH if opts.prune_not_prose else None,
            favor_precision=precision,
            fast=opts.fast and precision,
            include_comments=opts.include_comments,
            include_tables=opts.include_tables,
            with_metadata=False,
        )
    except Exception:  # pragma: no cover - trafilatura edge cases
        return ""
    return (getattr(doc, "text", None) or "") if doc is not None else ""


_SCRIPT_BODY = re.compile(
    r'"(?:articleBody|contentHtml|content_html|bodyHtml|body_html|articleHtml)"'
    r'\s*:\s*"((?:[^"\\]|\\.){500,})"'
)


_CAPTION = re.compile(r"caption|credit", re.I)


def _fragment_text(frag) -> str:
    """The paragraphs and subheadings of an article's HTML held in a script, in order, without the captions
    of its pictures (inside ``<figure>`` or an element whose class names a caption or credit)."""
    lines = []
    for el in frag.iter("p", "h2", "h3", "h4"):
        if any(a.tag in ("figure", "figcaption") or _CAPTION.search(a.get("class") or "")
               for a in (el, *el.iterancestors())):
            continue
        t = " ".join(el.text_content().split())
        if t:
            lines.append(t)
    return "\n".join(lines)


def _script_body(page: Page) -> str:
    """Article text that only exists in a script: JSON-LD articleBody, or the HTML string of a
    client-side app's state (Next.js/Nuxt ``contentHtml``, ``articleBody``...)."""
    best = ""
    for obj in page.articles[:1]:
        v = obj.get("articleBody")
        if isinstance(v, str) and len(v) > len(best):
            best = v.strip()
    for script in page.tree.iter("script"):
        raw = script.text or ""
        if len(raw) < 600 or '":"' not in raw and '": "' not in raw:
            continue
        for m in _SCRIPT_BODY.finditer(raw):
            try:
                v = json.loads('"' + m.group(1) + '"')
            except ValueError:
                continue
            if "<" in v:
                try:
                    frag = lxml.html.fragment_fromstring(v, create_parent="div")
                except Exception:  # pragma: no cover - broken fragments
                    continue
                v = _fragment_text(frag)
            if len(v) > len(best):
                best = v.strip()
    return best


def extract_body(page: Page, opts: ExtractOptions = DEFAULT_OPTIONS) -> str:
    """Main text: trafilatura precision (fast) first; the default balanced mode when that result is
    short or covers little of the page's paragraph text, and then, if it still covers little, the page with
    its hidden elements kept; text found only in scripts when all fail.
    Chunks of the body in sibling containers of the same template are added (``chunks``)."""
    if page.tree is None:
        return ""
    tree = without_layout_tables(page.tree, page.html) if opts.layout_tables else None
    tree = page.tree if tree is None else tree
    text = _trafilatura(tree, page.url, opts, opts.favor_precision)
    if opts.favor_precision and opts.recall_fallback and (
        len(text) < opts.fallback_below_chars or len(text) < opts.fallback_page_share * page.paragraph_mass
    ):
        alt = _trafilatura(tree, page.url, opts, False)
        if len(alt) > max(2 * len(text), len(text) + 200):
            text = alt
    if (opts.prune_not_prose and len(text) < opts.fallback_page_share * page.paragraph_mass
            and _pruned_prose(page) > page.paragraph_mass / 2):
        # the prose is in an element the page hides until a script shows it (a paywall, a collapsed tab)
        alt = _trafilatura(tree, page.url, replace(opts, prune_not_prose=False), False)
        if len(alt) > max(2 * len(text), len(text) + 200):
            text = alt
    if len(text) < 200:
        alt = _script_body(page)
        if len(alt) > max(2 * len(text), 200):
            return alt
    return add_continuations(page, text) if opts.continuations else text


# -- assembly -------------------------------------------------------------------------------

def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


_ARCHIVE = re.compile(r"^https?://(?:web\.)?archive\.org/web/(\d{8})\d*(?:[a-z]{2}_)?/+(.+)$", re.I)


def unwrap_archive_url(url: str | None) -> tuple[str | None, date | None]:
    """``https://web.archive.org/web/20140214093000/http://x/...`` → (``http://x/...``, 2014-02-14);
    other URLs are returned unchanged with no snapshot day."""
    m = _ARCHIVE.match(url or "")
    if not m:
        return url, None
    original = m.group(2)
    if not re.match(r"^https?:/", original, re.I):
        original = "http://" + original
    original = re.sub(r"^(https?):/+", r"\1://", original, flags=re.I)
    try:
        snap = date(int(m.group(1)[:4]), int(m.group(1)[4:6]), int(m.group(1)[6:8]))
    except ValueError:
        snap = None
    return original, snap


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    event_day: date | None = None,
    content_type: str | None = None,
    options: ExtractOptions | None = None,
    fetched_on: date | None = None,
    knowledge: Knowledge | None = None,
) -> Article:
    """Extract one article page. ``fetched_on`` (the crawl day, when known) picks the outlet
    layout version; else the event day does. ``knowledge``: what is known about publishers
    (default: ``knowledge.shipped()``)."""
    opts = options or DEFAULT_OPTIONS
    known = knowledge if knowledge is not None else shipped()
    text_html = decode_html(html, content_type)[0] if isinstance(html, bytes) else html
    # an archived copy is read as the original page, in the layout of the snapshot's day
    page_url, snapshot_day = unwrap_archive_url(url)
    page = Page(text_html, page_url)
    if page.tree is None:
        return Article(url=url, title=None)

    dres: DateResult = resolve_date(text_html, page_url, event_day, page=page, use_htmldate=opts.use_htmldate,
                                    table=known.date_table)

    rule = known.outlet_rule(page_url) if opts.outlet_rules else None
    # the layout in force: the crawl/snapshot day if known, else the event day, else the article's date
    layout_day = fetched_on or snapshot_day or event_day or dres.published
    outlet = apply_rule(rule, page, layout_day) if rule else None

    title = (outlet.title if outlet and outlet.title else None) or extract_title(
        page, layout_day, known.headline_order(page_url, layout_day))
    authors = (outlet.authors if outlet and outlet.authors else None) or extract_authors(page)
    description = (outlet.description if outlet and outlet.description else None) or extract_description(page)

    if outlet and outlet.date_raw and (dres.source is None or dres.source in ("htmldate", "dateline", "url")):
        parsed = parse_datetime(outlet.date_raw)
        day = parsed[0] if parsed else find_text_date(outlet.date_raw)
        if day:
            mine = Cand(day, parsed[1] if parsed else None, f"outlet:{rule.id}", outlet.date_raw)
            dres = decide([mine, *dres.candidates], event_day, known.date_table)

    text = outlet.text if outlet and outlet.text else ""
    if text and len(text) < 0.3 * page.paragraph_mass:
        # the rule's container holds a small part of the page's prose: a template it does not know
        alt = extract_body(page, opts)
        if len(alt) > 2 * len(text):
            text = alt
    if not text:
        text = extract_body(page, opts)
    headlines = [title, *title_candidates(page).values()]
    if opts.clean_lines:
        text = clean_body(text, headlines)
    if opts.standfirst:
        text = with_standfirst(page, text, headlines)

    return Article(
        url=url,
        title=title,
        authors=list(authors or []),
        description=description,
        language=markup_language(page) or (rule.language_for(page.host) if rule else None) or guess_language(text),
        site_name=extract_site_name(page) or (rule.name if rule else None),
        text=text,
        word_count=_word_count(text),
        published=dres.published,
        published_at=dres.published_at,
        date_source=dres.source,
        date_confidence=dres.confidence,
        date_flag=dres.flag,
        date_evidence=dres.evidence,
        outlet_rule=outlet.rule_id if outlet else None,
    )
