"""What both day-page parsers share: link titles, a bullet's rendered content, bullets → events.

Entities are the pages a bullet links to, named as MediaWiki names them (``normalize_title``). An
interlanguage link (``[[:es:Pedro Sánchez]]``, rendered as ``a.extiw`` to es.wikipedia.org) is kept with its
wiki prefix, ``es:Pedro Sánchez``: it names a page of another Wikipedia edition. Links to sister projects
(``wikt:``, ``commons:``, ``d:``…), files, images and categories are not entities.

Character references are decoded as MediaWiki does: only complete ones (``&amp;``, ``&#38;``, ``&#x26;``),
so a URL's ``&region=`` or ``&para=`` stays as written (``decode_references``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import unquote

from crawler.items import Entity, Event, SourceRef

SKIPPED_NAMESPACES = {"file", "image", "media", "category"}
SISTER_PREFIXES = {
    "w", "wikipedia", "wikt", "wiktionary", "s", "wikisource", "q", "wikiquote", "n", "wikinews",
    "b", "wikibooks", "v", "wikiversity", "voy", "wikivoyage", "c", "commons", "m", "meta", "mw",
    "mediawikiwiki", "species", "wikispecies", "d", "wikidata", "foundation", "wmf", "phab", "f",
    "outreach", "incubator", "imdbname", "imdbtitle", "google", "doi",
}
LANGUAGE_PREFIXES = {  # Wikipedia language editions
    "simple", "af", "als", "am", "an", "ar", "arz", "ast", "az", "ba", "be", "bg", "bn", "br", "bs", "ca", "ceb",
    "cs", "cy", "da", "de", "el", "eo", "es", "et", "eu", "fa", "fi", "fr", "fy", "ga", "gl", "gu",
    "he", "hi", "hr", "ht", "hu", "hy", "id", "is", "it", "ja", "jv", "ka", "kk", "km", "kn", "ko",
    "ku", "ky", "la", "lb", "lt", "lv", "mg", "mk", "ml", "mn", "mr", "ms", "my", "nds", "ne", "nl",
    "nn", "no", "oc", "pa", "pl", "ps", "pt", "qu", "ro", "ru", "rw", "sa", "sco", "sh", "si", "sk",
    "sl", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "tg", "th", "tl", "tr", "tt", "uk", "ur",
    "uz", "vi", "war", "yi", "yo", "zh", "zh-yue", "zh-min-nan", "zu",
}
INTERWIKI_PREFIXES = SISTER_PREFIXES | LANGUAGE_PREFIXES
_REFERENCE_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_references(text: str) -> str:
    """Decode the complete character references in ``text`` (``&amp;``, ``&#8220;``, ``&#x26;``), as MediaWiki
    does; a name without its semicolon (``&region=``, ``&copy``) stays as written."""
    if "&" not in text:
        return text
    return _REFERENCE_RE.sub(lambda m: html.unescape(m.group(0)), text)
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*$")
_CITATION_GLUE_RE = re.compile(r"^[\s,;|/·&]*$")
_EMPTY_BRACKETS_RE = re.compile(r"\s*(?:\(\s*\)|\[\s*\])")
_HEADING_LEFTOVER_RE = re.compile(r"[\s,;:/&–—-]+|\band\b")


def link_namespace(target: str) -> str:
    """The lower-cased prefix before a link's first colon ('' when none)."""
    prefix, colon, _rest = target.lstrip(":").partition(":")
    return prefix.strip().lower().replace("_", " ") if colon else ""


def _upper_first(text: str) -> str:
    first = text[0].upper()
    return (first if len(first) == 1 else text[0]) + text[1:]


def normalize_title(target: str) -> str | None:
    """A wikilink target as MediaWiki names the page (``es:Title`` for another language edition); None for
    section-only links, files, categories and sister projects."""
    text = decode_references(unquote(target)).replace("_", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(":").strip()
    text = text.split("#", 1)[0].strip()
    if not text:
        return None
    namespace = link_namespace(text)
    if namespace in LANGUAGE_PREFIXES:
        rest = text.split(":", 1)[1].strip()
        return f"{namespace.replace(' ', '-')}:{_upper_first(rest)}" if rest else None
    if namespace in SKIPPED_NAMESPACES or namespace in SISTER_PREFIXES:
        return None
    return _upper_first(text)


def collapse_spaces(text: str) -> str:
    """Collapse every run of whitespace (incl. no-break spaces) to one space and strip."""
    return re.sub(r"\s+", " ", text).strip()


def outlet_name(label: str) -> str | None:
    """A citation label as an outlet name: whitespace collapsed, surrounding parentheses removed."""
    name = collapse_spaces(label)
    if name.startswith("(") and name.endswith(")"):
        name = name[1:-1].strip()
    elif name.startswith("("):
        name = name[1:].strip()
    return name or None


@dataclass
class BulletContent:
    """A bullet's own content as rendered: text pieces and citations in order, plus its wikilinks."""

    parts: list = field(default_factory=list)  # str | SourceRef
    entities: list[Entity] = field(default_factory=list)

    def add_text(self, text: str) -> None:
        if text:
            self.parts.append(text)

    def add_source(self, source: SourceRef) -> None:
        self.parts.append(source)

    def add_entity(self, title: str | None, label: str) -> None:
        if title and all(e.title != title for e in self.entities):
            self.entities.append(Entity(title=title, label=collapse_spaces(label)))

    def mark_dead(self) -> None:
        """Flag the citation just before (only whitespace between) as reported dead."""
        for i in range(len(self.parts) - 1, -1, -1):
            part = self.parts[i]
            if isinstance(part, SourceRef):
                self.parts[i] = replace(part, reported_dead=True)
                return
            if part.strip():
                return

    @property
    def sources(self) -> list[SourceRef]:
        return [p for p in self.parts if isinstance(p, SourceRef)]

    @property
    def text(self) -> str:
        """The visible text without citations and without the glue (``,``) between or after them."""
        kept, seen_source = [], False
        for i, part in enumerate(self.parts):
            if isinstance(part, SourceRef):
                seen_source = True
                continue
            rest_is_sources = all(isinstance(p, SourceRef) or _CITATION_GLUE_RE.match(p)
                                  for p in self.parts[i + 1:])
            if seen_source and rest_is_sources and _CITATION_GLUE_RE.match(part):
                continue
            kept.append(part)
        # "(…)" or "[…]" that held only citations: "says so. ([url Reuters])" → "says so."
        return collapse_spaces(_EMPTY_BRACKETS_RE.sub("", "".join(kept)))


def story_text(text: str) -> str:
    """A parent bullet's text as a story name (trailing colon dropped)."""
    return text.rstrip().rstrip(":").rstrip()


def looks_like_heading(content: BulletContent) -> bool:
    """True when the text is nothing but links and separators (a bare story heading)."""
    text = content.text
    for entity in content.entities:
        text = text.replace(entity.label, " ", 1)
    return not _HEADING_LEFTOVER_RE.sub("", text)


@dataclass
class Bullet:
    """One bullet of a day page, with its category and nested bullets."""

    level: int
    category: str | None
    content: BulletContent
    children: list[Bullet] = field(default_factory=list)

    def is_event(self) -> bool:
        """A bullet is an event when it cites a source or says something: a bullet with children counts when
        its text ends like a sentence, unless it is nothing but links (a story heading whose title ends
        with a period: "[[COVID-19 pandemic in Washington, D.C.]]")."""
        sources, text = self.content.sources, self.content.text
        if self.children:
            return bool(sources) or (bool(_SENTENCE_END_RE.search(text)) and not looks_like_heading(self.content))
        if not text and not sources:
            return False
        return bool(sources) or not looks_like_heading(self.content)


def nest_bullets(flat: list[Bullet]) -> list[Bullet]:
    """Turn bullets in page order (each with its ``*`` depth) into trees; a category change starts anew."""
    roots: list[Bullet] = []
    stack: list[Bullet] = []
    for bullet in flat:
        if stack and stack[0].category != bullet.category:
            stack = []
        while stack and stack[-1].level >= bullet.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(bullet)
        stack.append(bullet)
    return roots


def events_from_bullets(flat: list[Bullet], day: date) -> list[Event]:
    """The events of a day from its bullets in page order, numbered from 1."""
    events: list[Event] = []

    def walk(bullet: Bullet, stories: list[str]) -> None:
        content = bullet.content
        if bullet.is_event():
            events.append(Event(day=day, category=bullet.category, stories=list(stories),
                                text=content.text, entities=list(content.entities),
                                sources=content.sources, position=len(events) + 1))
        story = story_text(content.text)
        for child in bullet.children:
            walk(child, stories + [story] if story else stories)

    for root in nest_bullets(flat):
        walk(root, [])
    return events
