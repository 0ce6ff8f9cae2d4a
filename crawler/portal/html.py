"""Parse the rendered HTML of a Current events day block (``div.current-events-main``) into events.

Same semantics as the wikitext parser: categories are ``<p><b>…</b></p>`` (or ``<dl><dt>``), bullets are
nested ``ul/li``, wikilinks are ``a[href^="/wiki/"]`` and red links ``a.new``, citations ``a.external``.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, unquote, urlparse

import lxml.html
from lxml import etree

from crawler.items import Event, SourceRef
from crawler.portal.bullets import Bullet, BulletContent, collapse_spaces, events_from_bullets, \
    normalize_title, outlet_name
from crawler.portal.errors import PortalParseError
from crawler.portal.titles import MONTH_NUMBERS
from crawler.portal.units import SUPERSCRIPT_DIGITS

_MAIN_XPATH = "//div[contains(concat(' ', normalize-space(@class), ' '), ' current-events-main ')]"
_CONTENT_XPATH = ".//div[contains(concat(' ', normalize-space(@class), ' '), ' current-events-content ')]"
_BDAY_XPATH = ".//*[contains(concat(' ', normalize-space(@class), ' '), ' bday ')]"
_SKIPPED_TAGS = {"style", "script", "link", "meta", "img", "figure", "table"}
_SKIPPED_CLASSES = {"reference", "mw-ref", "noprint", "mw-editsection", "mw-cite-backlink", "sortkey"}
_REDLINK_SUFFIX = " (page does not exist)"
_SUP_DIGITS_RE = re.compile(r"^\s*[0-9−-]{1,3}\s*$")


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _block_day(block) -> date | None:
    """The day of a block: its ``span.bday`` (ISO), else its id ``2022_September_30``."""
    for bday in block.xpath(_BDAY_XPATH):
        try:
            return date.fromisoformat((bday.text_content() or "").strip())
        except ValueError:
            pass
    m = re.fullmatch(r"(\d{4})_([A-Za-z]+)_(\d{1,2})", block.get("id") or "")
    if m and m.group(2).lower() in MONTH_NUMBERS:
        try:
            return date(int(m.group(1)), MONTH_NUMBERS[m.group(2).lower()], int(m.group(3)))
        except ValueError:
            return None
    return None


def _link_title(a) -> str | None:
    """The page a wikilink points to: its title attribute, else its href."""
    title = a.get("title")
    href = a.get("href") or ""
    if "new" in _classes(a):  # red link: "X (page does not exist)", href ...?title=X&action=edit
        if title and title.endswith(_REDLINK_SUFFIX):
            return normalize_title(title[: -len(_REDLINK_SUFFIX)])
        query = parse_qs(urlparse(href).query).get("title")
        return normalize_title(query[0]) if query else None
    if title:
        return normalize_title(title)
    if href.startswith("/wiki/"):
        return normalize_title(unquote(href[6:]))
    return None


_WIKIPEDIA_HREF_RE = re.compile(r"^(?:https?:)?//([a-z][a-z-]*)\.wikipedia\.org/wiki/([^?#]+)")


def _interlanguage_title(a) -> str | None:
    """``es:Title`` for a link to another Wikipedia edition (``https://es.wikipedia.org/wiki/Title``), else
    None (sister projects and other wikis name no entity)."""
    m = _WIKIPEDIA_HREF_RE.match(a.get("href") or "")
    if not m:
        return None
    title = normalize_title(f"{m.group(1)}:{unquote(m.group(2))}")
    return title if title and title.startswith(f"{m.group(1)}:") else None


def _is_dead_link_note(el) -> bool:
    classes = _classes(el)
    if not ({"Inline-Template", "noprint"} & classes):
        return False
    return "dead link" in collapse_spaces(el.text_content()).lower()


def _text_of(el) -> str:
    """Visible text of an element, superscript digits (``km<sup>2</sup>``) kept as superscripts."""
    if el.tag == "sup" and _SUP_DIGITS_RE.match(el.text_content() or ""):
        return el.text_content().strip().translate(SUPERSCRIPT_DIGITS)
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(_text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _render_children(el, content: BulletContent, skip_lists: bool = False) -> None:
    content.add_text(el.text or "")
    for child in el:
        if isinstance(child.tag, str) and not (skip_lists and child.tag in ("ul", "ol")):
            _render_node(child, content)
        content.add_text(child.tail or "")


def _render_node(el, content: BulletContent) -> None:
    tag, classes = el.tag, _classes(el)
    if _is_dead_link_note(el):
        content.mark_dead()
        return
    if tag in _SKIPPED_TAGS or classes & _SKIPPED_CLASSES:
        return
    if tag == "br":
        content.add_text(" ")
    elif tag == "a":
        href = el.get("href") or ""
        if "external" in classes and "free" not in classes:
            label = None if "autonumber" in classes else outlet_name(_text_of(el))
            content.add_source(SourceRef(url=href, outlet=label))
            return
        shown = _text_of(el)
        content.add_text(shown)
        if "extiw" in classes:  # another wiki: kept only for another Wikipedia edition ("es:Title")
            content.add_entity(_interlanguage_title(el), shown)
        elif href.startswith("/wiki/") or "new" in classes:
            content.add_entity(_link_title(el), shown)
    elif tag == "sup" and _SUP_DIGITS_RE.match(el.text_content() or ""):
        content.add_text(_text_of(el))
    else:
        _render_children(el, content)


def _category_of(el) -> str | None:
    """The category named by a block element (``<p><b>X</b></p>``, ``<dl><dt>X</dt></dl>``, ``<hN>``)."""
    if el.tag == "p":
        bolds = el.xpath("./b")
        text = collapse_spaces(el.text_content())
        if len(bolds) == 1 and text and collapse_spaces(bolds[0].text_content()) == text:
            return text
        return None
    if el.tag == "dl":
        terms = el.xpath("./dt")
        return collapse_spaces(terms[0].text_content()) or None if terms else None
    if el.tag in ("h2", "h3", "h4", "h5", "h6"):
        return collapse_spaces(el.text_content()) or None
    return None


def _collect(el, level: int, state: dict, bullets: list[Bullet]) -> None:
    """Walk block content in order: categories update ``state``; list items become bullets."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("ul", "ol"):
            for item in child:
                if isinstance(item.tag, str) and item.tag == "li":
                    content = BulletContent()
                    _render_children(item, content, skip_lists=True)
                    bullets.append(Bullet(level=level + 1, category=state["category"], content=content))
                    _collect(item, level + 1, state, bullets)
            continue
        if level:  # inside a list item only nested lists matter here
            continue
        category = _category_of(child)
        if category is not None:
            state["category"] = category
        elif child.tag in ("div", "section"):
            _collect(child, level, state, bullets)


def _pick_block(doc, day: date | None):
    blocks = doc.xpath(_MAIN_XPATH)
    if not blocks:
        return None
    if day is not None:
        for block in blocks:
            if _block_day(block) == day:
                return block
        if len(blocks) > 1:
            raise PortalParseError("no div.current-events-main for this day in the HTML", day, None)
    return blocks[0]


def parse_html(html: str, day: date | None = None) -> list[Event]:
    """The events of a rendered day block; ``day`` picks the block by its bday and wins over it."""
    if not html or not html.strip():
        raise PortalParseError("not a Current events day block: empty HTML", day, None)
    try:
        try:
            doc = lxml.html.fromstring(html)
        except ValueError:  # a str with an encoding declaration: let lxml read the bytes
            doc = lxml.html.fromstring(html.encode("utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise PortalParseError(f"unreadable HTML: {exc}", day, None) from None
    block = _pick_block(doc, day)
    scope = block if block is not None else doc
    contents = scope.xpath(_CONTENT_XPATH)
    if block is None and not contents:
        raise PortalParseError("not a Current events day block: no div.current-events-main", day, None)
    day = day or (_block_day(block) if block is not None else None)
    if day is None:
        raise PortalParseError("no day: not a Current events day block (no bday) and none was given",
                               None, None)
    bullets: list[Bullet] = []
    if contents:
        _collect(contents[0], 0, {"category": None}, bullets)
    return events_from_bullets(bullets, day)
