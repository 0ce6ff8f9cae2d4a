"""The standfirst (the lede under the headline) as the first line of the article text (pure: no Scrapy).

Main-text extractors settle on the container of the body paragraphs and leave out the standfirst, which
publishers put next to the headline, outside that container. The page names its standfirst in its own
metadata: the description (``title.descriptions``: ``og:description``, ``description``,
``twitter:description``, the JSON-LD article's ``description``). ``with_standfirst`` puts it before the body
when all of these hold:

- the page displays it next to the headline: an element under the headline's ``<article>``/``<main>`` (or
  its ancestor ``SCOPE_LEVELS`` up, whichever is nearer) holds a text that contains the description's opening
  (``KEY_CHARS`` characters, whitespace collapsed), outside scripts and templates, image captions, links and
  buttons, and outside any block of other content (``Page.outside_article``: teasers, sidebars, footers);
  a page with no headline element has no standfirst;
- that element's block is about the description's length (a block that holds more is a container of the
  body, not the standfirst), and reads as prose of ``MIN_WORDS`` words or more;
- the body does not hold it already, and it is not one of the page's headlines.

The displayed text is what goes in, not the metadata's wording.
"""

from __future__ import annotations

from .page import Page, norm_words, text_of
from .title import descriptions

KEY_CHARS = 40  # the description's opening that must be on the page
MIN_WORDS = 6
MAX_GROWTH = 1.5  # the displayed block may hold at most this much more text than the description (+ SLACK)
SLACK = 40
SCOPE_LEVELS = 4  # levels above the headline searched for it
_BLOCKS = frozenset(("p", "div", "h2", "h3", "h4", "section", "header", "li", "span", "strong", "em", "b",
                     "summary", "blockquote"))
_NOT_DISPLAYED = frozenset(("script", "style", "noscript", "template", "title", "head", "meta", "textarea"))
_NOT_STANDFIRST = frozenset(("figure", "figcaption", "a", "button", "label", "nav", "aside", "footer"))


def _headline_scope(page: Page):
    """Where a standfirst can be: the headline's ``<article>``/``<main>`` or its ancestor ``SCOPE_LEVELS``
    up, whichever is nearer; None without a headline element."""
    h = page.headline_element
    if h is None:
        return None
    scope = h
    for level, a in enumerate(h.iterancestors()):
        if a.tag in ("body", "html"):
            break
        scope = a
        if a.tag in ("article", "main") or level + 1 >= SCOPE_LEVELS:
            break
    return scope


def _displayed_block(page: Page, description: str):
    """The smallest block element of the body that displays ``description``, or None."""
    key = " ".join(description.split())[:KEY_CHARS]
    if len(key) < 20 or page.tree is None:
        return None
    probe = max(key.split()[:-1] or key.split(), key=len)  # a whole word of the opening
    scope = _headline_scope(page)
    if scope is None:
        return None
    try:
        hits = scope.xpath(".//text()[contains(., $w)]", w=probe)
    except Exception:  # pragma: no cover - lxml refuses an odd string
        return None
    hits = [h for h in hits if key in " ".join(h.split())]
    for hit in hits[:5]:
        el = hit.getparent()
        if el is None:
            continue
        if not hit.is_text:  # a tail: the text belongs to the element's parent
            el = el.getparent()
        if el is None or any(a.tag in _NOT_DISPLAYED or a.tag in _NOT_STANDFIRST
                             for a in (el, *el.iterancestors())):
            continue
        while el.tag not in _BLOCKS and el.getparent() is not None and el.getparent().tag != "body":
            el = el.getparent()
        if not page.outside_article(el):
            return el
    return None


def standfirst(page: Page, text: str, headlines: list[str | None]) -> str | None:
    """The displayed standfirst the body lacks, or None."""
    body = norm_words(text)
    heads = {norm_words(h) for h in headlines if h}
    for desc in descriptions(page):
        if len(desc.split()) < MIN_WORDS or norm_words(desc)[:60] in body:
            continue
        el = _displayed_block(page, desc)
        if el is None:
            continue
        shown = text_of(el)
        if len(shown) > MAX_GROWTH * len(desc) + SLACK or len(shown.split()) < MIN_WORDS:
            continue
        key = norm_words(shown)
        if not key or key in heads or key[:60] in body:
            continue
        return shown
    return None


def with_standfirst(page: Page, text: str, headlines: list[str | None]) -> str:
    """``text`` with the displayed standfirst it lacks as its first line."""
    lede = standfirst(page, text, headlines) if text else None
    return f"{lede}\n{text}" if lede else text
