"""Article text that a page splits over sibling containers of one template (pure: no Scrapy).

Some publishers cut an article's body into several containers of the same kind — one per chunk between
advertisements or embeds (``<div class="body__container">…</div><aside>ad</aside><div
class="body__container">…</div>``), or one per paragraph. A main-text extractor that settles on one
container keeps only its chunk. ``add_continuations`` finds the container that holds most of the
extracted paragraphs and adds the prose of the other containers of the same tag and class attribute that
sit at the same depth under a close common ancestor (at most ``MAX_DEPTH`` levels up), outside no block of
other content (``Page.outside_article``; when the body's own container reads as such a block, the template's
class names say nothing and the test is skipped): their paragraphs that read as sentences, and a subheading
right before such a paragraph. A container adds nothing unless it holds a sentence of ``LONG_SENTENCE``
characters or more that the text does not have yet; 40 will do once ``CONFIRMED`` other containers of the
template hold lines of the text (a template of one paragraph a block, where short sentences are body too).
"""

from __future__ import annotations

import re

from .page import Page, norm_words, text_of

MAX_DEPTH = 3  # levels from each container up to their common ancestor
MIN_ANCHOR_WORDS = 8  # an extracted line this long identifies its paragraph on the page ...
KEY_CHARS = 40  # ... by its first characters
LONG_SENTENCE = 80  # a container adds nothing without a sentence this long ...
CONFIRMED = 2  # ... unless this many other containers of its template hold lines of the text (40 will do)
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»)」』]?$")
_HEADINGS = ("h2", "h3", "h4")


def _anchor_container(page: Page, lines: list[str]):
    """The element whose ``<p>`` children hold most of the extracted lines (matched by their first
    characters)."""
    keys = {" ".join(line.split())[:KEY_CHARS] for line in lines if len(line.split()) >= MIN_ANCHOR_WORDS}
    if not keys:
        return None
    anchors: dict = {}
    for p, text in page.paragraphs:
        if len(text) >= KEY_CHARS and text[:KEY_CHARS] in keys:
            parent = p.getparent()
            anchors[parent] = anchors.get(parent, 0) + 1
    return max(anchors, key=anchors.get) if anchors else None


def _placement(main, other) -> int | None:
    """-1 / 1 when ``other`` comes before / after ``main`` and both sit at the same depth under a common
    ancestor at most MAX_DEPTH levels up; None otherwise (or when one holds the other)."""
    up = [main, *main.iterancestors()][: MAX_DEPTH + 1]
    path = [other]
    for anc in other.iterancestors():
        if len(path) > MAX_DEPTH:
            return None
        if anc in up:
            depth = up.index(anc)
            if depth != len(path) or depth == 0:
                return None
            a, b = up[depth - 1], path[-1]
            return 1 if anc.index(b) > anc.index(a) else -1
        path.append(anc)
    return None


def _prose(container, have: str, long_line: int = LONG_SENTENCE) -> list[str]:
    """The container's sentences the text lacks (``have``: its words, space-padded), each with the subheading
    right before it."""
    out: list[str] = []
    heading = None
    for el in container.iter("p", *_HEADINGS):
        text = text_of(el)
        key = norm_words(text)
        if not key or f" {key} " in have:
            heading = None
            continue
        if el.tag != "p":
            heading = text
            continue
        if len(text) >= 40 and _SENTENCE_END.search(text):
            if heading:
                out.append(heading)
            out.append(text)
        heading = None
    return out if any(len(t) >= long_line for t in out) else []


def add_continuations(page: Page, text: str) -> str:
    """``text`` with the prose of the sibling containers its paragraphs continue in (see module docstring),
    in page order; ``text`` itself when there are none."""
    if page.tree is None or not text:
        return text
    lines = [line for line in text.split("\n") if line.strip()]
    main = _anchor_container(page, lines)
    cls = main.get("class") if main is not None else None
    if not cls or not cls.strip():
        return text
    top = main
    for _ in range(MAX_DEPTH):  # a continuation shares an ancestor at most MAX_DEPTH levels up
        top = top.getparent() if top.getparent() is not None else top
    others = [(el, side) for el in top.iter(main.tag)
              if el is not main and el.get("class") == cls and (side := _placement(main, el)) is not None]
    if not page.outside_article(main):
        others = [(el, side) for el, side in others if not page.outside_article(el)]
    if not others:
        return text
    have = f" {norm_words(text)} "
    keys = {" ".join(line.split())[:KEY_CHARS] for line in lines}
    confirmed = sum(1 for el, _ in others if any(t[:KEY_CHARS] in keys for t in map(text_of, el.iter("p"))))
    long_line = 40 if confirmed >= CONFIRMED else LONG_SENTENCE
    before: list[str] = []
    after: list[str] = []
    for other, side in others:
        (before if side < 0 else after).extend(_prose(other, have, long_line))
    if not before and not after:
        return text
    return "\n".join([*before, *lines, *after])
