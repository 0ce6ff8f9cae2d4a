"""One parsed page shared by the title, author, date and outlet-rule extractors.

The HTML is parsed once (as trafilatura's ``load_html`` parses it, so the same tree can be handed
to trafilatura and htmldate, which copy it before changing it); the ``<meta>`` map and the
JSON-LD objects are computed lazily and cached. Pure: no Scrapy.
"""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from html import unescape
from urllib.parse import urlsplit

import tldextract
from lxml.html import HTMLParser, HtmlElement, fromstring

# the public-suffix list bundled with tldextract: no download, no cache file; private suffixes
# (blogspot.com, github.io) count, so each blog on them is its own publisher
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)

ARTICLE_TYPES = re.compile(
    r"(Article|BlogPosting|Posting|Report|Review|LiveBlogPosting|Story|Opinion|AnalysisNewsArticle)$", re.I
)
_JSON_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# containers of *other* items: their articles are related links, not the page's own article
_FOREIGN_KEYS = {"itemListElement", "relatedLink", "hasPart", "isPartOf", "citation", "review", "comment",
                 "subjectOf", "workExample", "significantLink", "mentions", "about"}


# trafilatura's parser settings and the repairs its load_html makes before parsing a string
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                     remove_pis=True)
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])  # not allowed in XML, nor by libxml2
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF in UTF-8
_DOCTYPE_TAG = re.compile("^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSED_HTML = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)


def parse_html(html: str | bytes) -> HtmlElement | None:
    """Parse like trafilatura's ``load_html`` does (its parser: comments and PIs removed; a self-closing
    doctype or ``<html/>`` repaired, control characters and non-characters dropped, a document with neither
    "html" in its first 50 characters nor two top-level elements refused), reading a string through its
    UTF-8 bytes, where the control characters go in one ``bytes.translate``. Bytes are left to trafilatura
    (it guesses their encoding)."""
    if not isinstance(html, str):
        from trafilatura.utils import load_html

        try:
            return load_html(html)
        except Exception:  # pragma: no cover - lxml edge cases
            return None
    beginning = html[:50].lower()
    if "doctype" in beginning:
        first, _nl, rest = html.partition("\n")
        html = _DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = _SELF_CLOSED_HTML.sub(r"\1>", html, count=1)
            break
    data = html.encode("utf-8", "surrogatepass").translate(None, _CONTROL_BYTES)
    for nonchar in _NONCHARACTERS:
        if nonchar in data:
            data = data.replace(nonchar, b"")
    try:
        tree = fromstring(data, parser=_PARSER)
    except Exception:  # lxml edge cases (an empty document)
        return None
    if tree is not None and "html" not in beginning and len(tree) < 2:
        return None  # not an HTML document
    return tree


def registered_domain(url_or_host: str | None) -> str | None:
    """``www.english.ahram.org.eg`` → ``ahram.org.eg`` (the public-suffix list's registrable domain); a host
    with no such domain (``localhost``, an IP address) is returned as it is."""
    if not url_or_host:
        return None
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host.split("/")[0].split(":")[0]
    host = (host or "").lower().strip(".")
    return _registered(host) if host else None


@lru_cache(maxsize=8192)
def _registered(host: str) -> str:
    return _SUFFIXES(host).top_domain_under_public_suffix or host


def text_of(el) -> str:
    """Whitespace-normalised text content of an element (or a string)."""
    if el is None:
        return ""
    if isinstance(el, str):
        return " ".join(el.split())
    return " ".join("".join(el.itertext()).split())


_NOT_HEADLINE = re.compile(r"logo|masthead|brand|site-?(title|name)|navbar|menu", re.I)
# blocks that hold something other than the page's article: other articles, comments, page furniture
_FOREIGN_BLOCK = re.compile(r"(?<!v)card|related|teaser|recommend|promo|article-?list|list-?item|sidebar|widget|"
                            r"more-?from|most-|trending|popular|comment|footer|copyright", re.I)


def norm_words(s: str | None) -> str:
    """Lower-cased words joined by single spaces (for loose text comparison)."""
    return " ".join(re.findall(r"\w+", (s or "").lower()))


def class_id(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _loads_lenient(raw: str):
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    raw = raw.removeprefix("<![CDATA[").removesuffix("]]>").strip()
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", _JSON_CTRL.sub(" ", raw)), strict=False)
    except ValueError:
        return None


def _types(obj: dict) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t.rsplit("/", 1)[-1]]
    if isinstance(t, list):
        return [x.rsplit("/", 1)[-1] for x in t if isinstance(x, str)]
    return []


class Page:
    """Parsed HTML plus lazily derived views (meta map, JSON-LD objects, host)."""

    def __init__(self, html: str, url: str | None = None, tree: HtmlElement | None = None):
        self.html = html
        self.url = url
        self.tree = tree if tree is not None else parse_html(html)

    # -- URL ---------------------------------------------------------------------------
    @cached_property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower() if self.url else ""

    @cached_property
    def domain(self) -> str | None:
        return registered_domain(self.host) if self.host else None

    # -- <meta> ------------------------------------------------------------------------
    @cached_property
    def meta_elements(self) -> list[tuple[tuple[str, ...], str, HtmlElement]]:
        """Every ``<meta>`` with content, in document order: (lower-cased name/property/itemprop/http-equiv
        keys, content, element)."""
        out: list = []
        if self.tree is None:
            return out
        for el in self.tree.iter("meta"):
            content = el.get("content")
            if content is None:
                content = el.get("value")
            if content is None or not content.strip():
                continue
            keys = tuple(k.strip() for attr in ("property", "name", "itemprop", "http-equiv")
                         for k in (el.get(attr) or "").lower().split())
            if keys:
                out.append((keys, content.strip(), el))
        return out

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """Lower-cased name/property/itemprop/http-equiv → contents in document order."""
        out: dict[str, list[str]] = {}
        for keys, content, _el in self.meta_elements:
            for k in keys:
                out.setdefault(k, []).append(content)
        return out

    def meta_first(self, *names: str) -> str | None:
        for n in names:
            vals = self.meta.get(n.lower())
            if vals:
                return vals[0]
        return None

    # -- JSON-LD -----------------------------------------------------------------------
    @cached_property
    def jsonld(self) -> list[tuple[dict, bool]]:
        """All typed JSON-LD objects as (object, is_own) where is_own is False for items nested
        in lists of other content (related articles, item lists...)."""
        out: list[tuple[dict, bool]] = []
        if self.tree is None:
            return out
        for script in self.tree.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            data = _loads_lenient(script.text or "")
            if data is not None:
                self._walk(data, True, out, 0)
        return out

    def _walk(self, node, own: bool, out: list, depth: int) -> None:
        if depth > 12:
            return
        if isinstance(node, list):
            for x in node:
                self._walk(x, own, out, depth + 1)
            return
        if not isinstance(node, dict):
            return
        if "@type" in node:
            out.append((node, own))
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                self._walk(v, own and k not in _FOREIGN_KEYS, out, depth + 1)

    @cached_property
    def articles(self) -> list[dict]:
        """The page's own article-like JSON-LD objects, the best match first."""
        own = [o for o, is_own in self.jsonld if is_own and any(ARTICLE_TYPES.search(t) for t in _types(o))]
        if len(own) > 1 and self.url:
            path = urlsplit(self.url).path.rstrip("/")

            def matches(o: dict) -> bool:
                for key in ("url", "mainEntityOfPage", "@id"):
                    v = o.get(key)
                    if isinstance(v, dict):
                        v = v.get("@id") or v.get("url")
                    if isinstance(v, str) and path and urlsplit(v).path.rstrip("/") == path:
                        return True
                return False

            own.sort(key=lambda o: not matches(o))
        return own

    @cached_property
    def webpages(self) -> list[dict]:
        return [o for o, is_own in self.jsonld if is_own and any(t.endswith("WebPage") for t in _types(o))]

    # -- headline ----------------------------------------------------------------------
    @cached_property
    def title_tag(self) -> str | None:
        if self.tree is None:
            return None
        t = self.tree.find(".//title")
        return text_of(t) or None if t is not None else None

    @cached_property
    def headline_element(self):
        """The element holding the article headline, or None: the h1/h2/h3 whose text starts like
        the page title (og:title, twitter:title, <title>), else one contained in it; the first h1
        when the page declares no title at all."""
        tree = self.tree
        if tree is None:
            return None
        declared = (self.meta_first("og:title"), self.meta_first("twitter:title"), self.title_tag)
        titles = [norm_words(unescape(unescape(t))) for t in declared if t]
        titles = [t for t in titles if len(t) >= 8]
        best, best_score = None, 0
        for n, el in enumerate(tree.iter("h1", "h2", "h3")):
            if n > 60:
                break
            txt = norm_words(el.text_content())
            if len(txt) < 8 or _NOT_HEADLINE.search(class_id(el)):
                continue
            if not titles:
                if el.tag == "h1":
                    return el
                continue
            score = 0
            for t in titles:
                if t.startswith(txt[:40]) or txt.startswith(t[:40]):
                    score = max(score, 3 if el.tag == "h1" else 2)
                elif txt[:30] in t:
                    score = max(score, 1)
            if score > best_score:
                best, best_score = el, score
                if score == 3:
                    break
        return best

    @cached_property
    def _article_blocks(self) -> frozenset:
        """The headline element and its ancestors: the blocks that hold the article."""
        h = self.headline_element
        return frozenset([h, *h.iterancestors()]) if h is not None else frozenset()

    def outside_article(self, el) -> bool:
        """True when ``el`` sits in a block that is not the page's article: comments, teasers and lists of
        other articles, sidebars, navigation, footers, copyright lines, the site header. Climbing from ``el``,
        the first block that also holds the headline is the article (or the page): nothing above it counts."""
        blocks = self._article_blocks
        for a in (el, *el.iterancestors()):
            if a in blocks or a.tag in ("body", "html"):
                return False
            if a.tag in ("aside", "nav", "footer"):
                return True
            if a.tag == "header" and blocks and next(a.iterancestors("article"), None) is None:
                return True  # a header without the headline, outside any <article>: the site's
            if _FOREIGN_BLOCK.search(class_id(a)):
                return True
        return False

    # -- misc --------------------------------------------------------------------------
    @cached_property
    def paragraphs(self) -> list[tuple[HtmlElement, str]]:
        """Every ``<p>`` in document order with its whitespace-normalised text."""
        if self.tree is None:
            return []
        return [(p, " ".join("".join(p.itertext()).split())) for p in self.tree.iter("p")]

    @cached_property
    def paragraph_mass(self) -> int:
        """Characters of paragraph-like ``<p>`` text (80+ characters): a cheap gauge of the prose."""
        return sum(len(t) for _p, t in self.paragraphs if len(t) >= 80)

    @cached_property
    def prose_sample(self) -> str:
        """The first ~5,000 characters of paragraph-like ``<p>`` text (80+ characters each)."""
        parts: list[str] = []
        size = 0
        for _p, txt in self.paragraphs:
            if len(txt) >= 80:
                parts.append(txt)
                size += len(txt) + 1
                if size >= 5000:
                    break
        return " ".join(parts)

    @cached_property
    def html_lang(self) -> str | None:
        if self.tree is None:
            return None
        return self.tree.get("lang") or self.tree.get("xml:lang") or None
