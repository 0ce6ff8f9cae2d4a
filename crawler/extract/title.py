"""Headline, standfirst and site name from a parsed page (pure: no Scrapy). Authors: ``authors``.

Headline: the candidates are the JSON-LD ``headline`` of the page's own article, ``og:title``, the
headline in other metadata vocabularies (Dublin Core ``dc.title``, Parse.ly ``parsely-title``,
``citation_title``, ``sailthru.title``), the headline element (the h1/h2 whose text matches the start of
the declared titles, see ``Page.headline_element``), ``twitter:title`` and ``<title>``, tried in that
order of reliability.
Site-name decorations (" - The Telegraph", "| The Hindu", "Headline | Royal | News | Express.co.uk",
"헤드라인-정치ㅣ한국일보", and on title-only pages of the 2000s "SITE | World | Middle East | Headline",
"Site.com - Headline - Aug 15, 2005", "Headline - New York Times" on nytimes.com, "Headline (site.com)",
"Site -- Headline") are stripped first, using og:site_name, application-name, the JSON-LD publisher and
WebSite names and the registered domain's label (also as the short form of a name: nytimes, nyt). A JSON-LD
headline the publisher cut ("...", or at Google's 110 characters) yields to the full h1/og:title it starts.
Publishers differ in which of their headlines (SEO, social, display) is "the" title: without knowledge of the
site the order above applies; the order a publisher is known to use (``Knowledge.headline_order``) comes first. A
candidate that is just the site's name is left out. A kicker stays where the headline metadata carries it,
unless another of the page's headline metadata gives the headline without it; the display headline (h1)
is read without the children it marks up as a kicker.
"""

from __future__ import annotations

import re
from html import unescape

from .page import Page

# -- text helpers -------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_SEPARATORS = re.compile(r"\s+(?:[|\-–—:·•»«/]|--|::|\\\\|ㅣ|\|\|)\s+|\s*[|｜ㅣ]\s*")
_BREADCRUMB_SEPS = ("|", "｜", "ㅣ", "»", "/")
# a trailing segment that is the page's date ("CNN.com - Headline - Aug 15, 2005")
_DATE_SEGMENT = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:"
    r"[a-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+[a-z]{3,9}\.?,?\s+\d{4}"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})$",
    re.I,
)
_PAREN_TAIL = re.compile(r"\s*\(([^()]{2,40})\)\s*$")  # "Headline (washingtonpost.com)"
_TRUNCATED = re.compile(r"(\.\.\.|…)\s*$")
_ANCHOR_TAIL = re.compile(r"(?:\s*[¶🔗]|\s+#)+\s*$")  # a heading's permalink glyph ("Evolve¶", "Setup #")


_CJK_SECTION_TAIL = re.compile(r"(?<=\S)-[\u3131-\u318e\uac00-\ud7a3\u4e00-\u9fff]{1,4}$")


def clean_text(s) -> str:
    """Unescape (twice: double-escaped meta is common) and collapse whitespace, incl. soft hyphens."""
    if not isinstance(s, str):
        return ""
    s = unescape(unescape(s)).replace("\u00ad", "").replace("\u200b", "")
    return _WS.sub(" ", s).strip()


def _key(s: str) -> str:
    """Compact comparison key: lower-case alphanumerics only."""
    return "".join(re.findall(r"\w+", s.lower()))


def site_names(page: Page) -> list[str]:
    """Names the site goes by (for stripping title decorations and for ``site_name``)."""
    names: list[str] = []
    for v in (page.meta_first("og:site_name"), page.meta_first("application-name"),
              page.meta_first("apple-mobile-web-app-title"), page.meta_first("twitter:site")):
        if v:
            names.append(clean_text(v).lstrip("@"))
    for obj in page.articles[:1]:
        pub = obj.get("publisher")
        if isinstance(pub, list):
            pub = pub[0] if pub else None
        if isinstance(pub, dict) and isinstance(pub.get("name"), str):
            names.append(clean_text(pub["name"]))
    for obj, own in page.jsonld:
        t = obj.get("@type")
        if own and t == "WebSite" and isinstance(obj.get("name"), str):
            names.append(clean_text(obj["name"]))
    if page.domain:
        label = page.domain.split(".")[0]
        names.append(label)
        names.append(page.domain)
    return [n for n in dict.fromkeys(names) if n and not n.startswith("http")]


def _abbreviations(seg: str) -> set[str]:
    """The short forms a site name goes by in its domain: "New York Times" → nytimes, nyt."""
    words = re.findall(r"\w+", seg.lower())
    if not 2 <= len(words) <= 4:
        return set()
    return {"".join(w[0] for w in words[:-1]) + words[-1], "".join(w[0] for w in words)}


def _is_site_segment(seg: str, keys: list[str]) -> bool:
    k = _key(seg)
    if not k:
        return True
    short = len(seg.split()) <= 4  # "Dropbox Tech Blog" names the site; "How we designed Dropbox's ATF" does not
    short_forms = _abbreviations(seg)
    for sk in keys:
        if not sk:
            continue
        if k == sk or (len(k) >= 3 and (k in sk or (short and sk in k))) or sk in short_forms:
            return True
        if k.startswith("the") and k[3:] == sk or sk.startswith("the") and sk[3:] == k:
            return True
    return False


def strip_site_name(title: str, names: list[str]) -> str:
    """Remove leading/trailing " | Site" / "Site: " segments naming the site, with the short section labels just
    before a trailing site name ("Headline | Politics | News | Site") or after a leading one ("SITE | World |
    Headline"), a trailing date segment, and a bracketed site name at the end ("Headline (site.com)")."""
    if not title:
        return title
    keys = [_key(n) for n in names if n]
    keys += [k[3:] for k in keys if k.startswith("the") and len(k) > 6]
    paren = _PAREN_TAIL.search(title)
    if paren and paren.start() > 0 and _is_site_segment(paren.group(1), keys):
        title = title[: paren.start()]
    parts = _SEPARATORS.split(title)
    seps = _SEPARATORS.findall(title)
    if len(parts) < 2:
        return title.strip()
    # trailing segments
    end = len(parts)
    stripped_tail = False
    while end > 1 and (_is_site_segment(parts[end - 1], keys)
                       or (_DATE_SEGMENT.match(parts[end - 1].strip()) and len(parts) > 2)):
        end -= 1
        stripped_tail = True
    if stripped_tail:
        # "Headline | Royal | News | Site": short section labels before the site name
        while (end > 1 and len(parts[end - 1].split()) <= 2 and len(parts[end - 1]) <= 20
               and len(" ".join(parts[: end - 1]).split()) >= 3
               and seps[end - 2].strip() in ("|", "｜", "ㅣ", "-", "–")):
            end -= 1
    start = 0
    while start < end - 1 and _is_site_segment(parts[start], keys):
        start += 1
    if start:
        # "SITE | World | Middle East | Headline": breadcrumb labels after a leading site name
        while (start < end - 1 and len(parts[start].split()) <= 3 and len(parts[start]) <= 20
               and seps[start].strip() in _BREADCRUMB_SEPS
               and len(" ".join(parts[start + 1: end]).split()) >= 3):
            start += 1
    if start == 0 and end == len(parts):
        return title
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    if stripped_tail:
        # "헤드라인-정치ㅣ한국일보": a CJK section label glued to the headline before the site name
        out = _CJK_SECTION_TAIL.sub("", out)
    return out.strip()


# -- headline -----------------------------------------------------------------------------------

def _jsonld_headline(page: Page) -> str | None:
    for obj in page.articles:
        for key in ("headline", "name", "alternativeHeadline"):
            v = obj.get(key)
            if isinstance(v, list):
                v = v[0] if v else None
            v = clean_text(v)
            if v and len(v) >= 4:
                return v
    return None


def title_candidates(page: Page) -> dict[str, str]:
    """Cleaned headline candidates by source (computed once per page; a fresh dict each call)."""
    cached = page.__dict__.get("_title_candidates")
    if cached is None:
        cached = page.__dict__["_title_candidates"] = _title_candidates(page)
    return dict(cached)


# the headline in other metadata vocabularies: Dublin Core, Parse.ly, Highwire (citation_), Sailthru
_META_TITLES = ("dc.title", "dc:title", "dcterms.title", "parsely-title", "citation_title", "sailthru.title")


def _title_candidates(page: Page) -> dict[str, str]:
    names = site_names(page)
    out: dict[str, str] = {}
    ld = _jsonld_headline(page)
    if ld:
        out["jsonld"] = strip_site_name(ld, names)
    for src, names_ in (("og", ("og:title",)), ("meta", _META_TITLES), ("twitter", ("twitter:title",))):
        v = clean_text(page.meta_first(*names_))
        if v:
            out[src] = strip_site_name(v, names)
    h = page.headline_element
    if h is not None:
        v = _ANCHOR_TAIL.sub("", clean_text(h.text_content()))
        if v and len(v) <= 400:
            out["h1"] = v
    if page.title_tag:
        out["title"] = strip_site_name(clean_text(page.title_tag), names)
    return {k: v for k, v in out.items() if v}


_ORDER = ("jsonld", "og", "meta", "h1", "twitter", "title")


def _words(s: str) -> set[str]:
    return {w for w in re.findall(r"\w+", s.casefold()) if len(w) > 2 or not w.isascii()}


def _stray_jsonld(c: dict[str, str]) -> bool:
    """The JSON-LD "headline" is something else (Wikipedia puts the article's short description there): the
    visible h1 and the og:title or <title> say the same, and at most a third of the JSON-LD words are in it."""
    ld, h1 = _words(c.get("jsonld", "")), c.get("h1")
    if not ld or not h1 or not any(_says_headline(c.get(k) or "", h1) for k in ("og", "title")):
        return False
    return len(ld & _words(h1)) * 3 <= len(ld)


_SITE_TAIL = re.compile(r"^\s*[-|–—·•:]\s*\S.{0,40}$")


def _says_headline(declared: str, h1: str) -> bool:
    """A declared title says the h1: the same words, or the h1 then a short site tail ("… - Wikipedia")."""
    if _key(declared) == _key(h1):
        return True
    h1 = clean_text(h1) or ""
    return bool(h1) and declared.startswith(h1) and bool(_SITE_TAIL.match(declared[len(h1):]))


def extract_title(page: Page, day=None, order: tuple[str, ...] = ()) -> str | None:
    """The article headline (see module docstring). ``order``: the headline sources the publisher is known
    to use (``Knowledge.headline_order``, for the page's day), tried first."""
    c = title_candidates(page)
    if not c:
        return None
    if _stray_jsonld(c):
        del c["jsonld"]
    # a JSON-LD headline truncated by the publisher ("...") yields to the full text it starts
    ld = c.get("jsonld")
    if ld and _TRUNCATED.search(ld):
        stem = _key(_TRUNCATED.sub("", ld))
        for src in ("h1", "og", "title"):
            v = c.get(src)
            if v and _key(v).startswith(stem) and len(v) >= len(ld) - 3:
                c["jsonld"] = v
                break
    # a headline cut at schema.org's 110 characters: take the longer visible text it starts
    if ld and len(ld) in range(100, 111):
        for src in ("h1", "og"):
            v = c.get(src)
            if v and len(v) > len(ld) and _key(v).startswith(_key(ld)):
                c["jsonld"] = v
                break
    names = {k for k in (_key(n) for n in site_names(page)) if k}
    named = [src for src, v in c.items() if _key(v) in names]
    if len(named) < len(c):  # a "headline" that is the site's name says nothing of the article
        for src in named:
            del c[src]
    for src in order:
        if src.startswith("meta:"):
            v = strip_site_name(clean_text(page.meta_first(src[5:])), site_names(page))
        elif src == "h1":  # the publisher's display headline, even unlike its metadata
            v = _display_headline(page) or c.get("h1") or next(
                (t for t in (clean_text(h.text_content()) for h in page.tree.iter("h1")) if t), None)
        else:
            v = c.get(src)
        if v:
            return _without_unshared_kicker(v, c)
    for src in _ORDER:
        if src in c:
            return (_display_headline(page) or c[src]) if src == "h1" else _without_unshared_kicker(c[src], c)
    return None


_KICKER_SEP = re.compile(r"\s*[:|–—-]\s+$|:\s*$")


def _without_unshared_kicker(title: str, c: dict[str, str]) -> str:
    """``Kicker: Headline`` → ``Headline`` when another of the page's headline metadata (JSON-LD, og:, twitter:,
    ``<title>``) gives just the headline (the publisher's metadata disagree on the kicker); a kicker all of
    them carry stays, whatever the display headline (h1) shows."""
    for src, v in c.items():
        if src != "h1" and v != title and len(v) >= 20 and title.endswith(v):
            prefix = title[: -len(v)]
            if _KICKER_SEP.search(prefix) and len(prefix.split()) <= 8:
                return v
    return title


# A kicker (overline, "Dachzeile") is a short label set above or before the headline. Where the publisher's
# headline metadata includes it ("Eskalation im Nahen Osten: «…»"), so does the title; the display headline
# (the h1) sets it apart as a marked-up child ("<span class=kicker>"), which is left out of the h1's text.
_KICKER_CLASS = re.compile(r"kicker|overline|topline|eyebrow|dachzeile|spitzmarke|roofline|titleheader|"
                           r"supertitle|pretitle|headline-?label|title__label", re.I)


def _display_headline(page: Page) -> str | None:
    """The text of the page's display headline (the headline element, else one of its first h1s) without
    the children it marks up as a kicker and hidden separators; None when no such headline has a kicker."""
    if page.tree is None:
        return None
    heads = [page.headline_element] if page.headline_element is not None else []
    heads += [h for h in page.tree.iter("h1")][:3]
    for h in heads:
        kids = {el for el in h.iter() if el is not h and _KICKER_CLASS.search(el.get("class") or "")}
        if kids:
            text = clean_text(" ".join(_texts(h, kids))).strip(" -–—:|")
            return _ANCHOR_TAIL.sub("", text) or None
    return None


def _texts(el, skip) -> list[str]:
    """Text of ``el`` without the ``skip`` subtrees and hidden (aria-hidden, off-screen) separators."""
    out = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):  # comments
            out.append(child.tail or "")
            continue
        hidden = child.get("aria-hidden") == "true" or "offscreen" in (child.get("class") or "")
        if child not in skip and not hidden:
            out.extend(_texts(child, skip))
        out.append(child.tail or "")
    return out


# -- description --------------------------------------------------------------------------------

def descriptions(page: Page) -> list[str]:
    """The page's descriptions of itself (``og:description``, ``description``, ``twitter:description``, the JSON-LD
    article's ``description``), cleaned, distinct, in that order."""
    out: list[str] = []
    vals = [page.meta_first("og:description"), page.meta_first("description"),
            page.meta_first("twitter:description")]
    vals += [obj.get("description") for obj in page.articles[:1]]
    for v in vals:
        v = clean_text(v)
        if v and v not in out:
            out.append(v)
    return out


def extract_description(page: Page) -> str | None:
    found = descriptions(page)
    return found[0] if found else None


def extract_site_name(page: Page) -> str | None:
    for v in (page.meta_first("og:site_name"), page.meta_first("application-name")):
        v = clean_text(v)
        if v and not v.startswith("http"):
            return v
    names = [n for n in site_names(page) if n != page.domain and "." not in n]
    return names[0] if names and names[0] != (page.domain or "").split(".")[0] else (page.domain or None)
