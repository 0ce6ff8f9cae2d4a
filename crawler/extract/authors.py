"""Author names from a parsed page (pure: no Scrapy).

Authors: JSON-LD ``author`` names (Persons and Organizations in order; the publisher itself is
dropped when it is listed next to reporters), else meta ``author`` / ``article:author`` /
``parsely-author`` / ``sailthru.author`` / ``dc.creator`` (never URLs), else byline elements
(``[rel=author]``, ``[itemprop=author]``, ``class*=byline``) outside teaser cards, related lists,
asides and comments. Names are normalised: "By X and Y" split, e-mails, URLs, dates, roles
("Political Correspondent") dropped, bylines naming nobody ("Staff", "Our Foreign Staff", "Special
Correspondent") dropped, duplicates removed.
"""

from __future__ import annotations

import re

from .page import Page, text_of
from .title import _is_site_segment, _key, clean_text, site_names

_BY = re.compile(
    r"^\s*(?:(?i:by|von(?!\s+(?:der|dem|den)\b)|par|por|door|από|от|przez|autor(?:in)?|text|written by"
    r"|posted by|words by|reported by|story by|report by)|de|di|av|af)\s*[:\-]?\s+",
)  # "de", "di", "av", "af" only in lower case: "De Luca" and "Di Maio" are names
_SPLIT_AUTHORS = re.compile(
    r"\s*(?:,|;|\s&\s|\sand\s|\sund\s|\set\s|\sy\s|\se\s|\sen\s|\soch\s|\sog\s|\si\s|\s\+\s)\s*", re.I
)
_EMAIL = re.compile(r"\S+@\S+")
_URLISH = re.compile(r"^(https?://|www\.)|\.(com|org|net|co\.uk)\b", re.I)
_NOT_A_NAME = re.compile(
    r"^(staff|staff writer|staff reporter|editor|editors|admin|administrator|redaktion|red|newsroom|"
    r"news desk|news|nachrichten|noticias|nouvelles|notizie|nieuws|actualités|actualidad|новости|berita|haberler|"
    r"agenturen|agences|agencias|agenzie|"
    r"desk|web desk|online desk|agencies|agency|unknown|anonymous|guest|contributor|correspondent|"
    r"updated|published|share|follow|more|read more|facebook|twitter|email|e-mail)$",
    re.I,
)
_ROLE_TAIL = re.compile(
    r"(?:^|\s*[,|–—-]\s*|\s)(?:(?:senior|chief|deputy|associate|political|foreign|special|staff|our|"
    r"diplomatic|economics|business|sports?|health|science|technology|home affairs|legal|royal|"
    r"security|defence|education|environment|world|us|uk|europe|asia|africa|middle east)\s+)*"
    r"(?:correspondent|editor|reporter|writer|columnist|contributor|journalist|producer|analyst)\b.*$"
    r"|\s*(?:기자|記者|记者|특파원)$",
    re.I,
)
_ANON = re.compile(r"^(?:our|staff|special|a)\b.*\b(?:staff|correspondents?|reporters?|writers?)$", re.I)
_DATEISH = re.compile(r"\d{1,2}[:./]\d{2}|\b(19|20)\d\d\b|\b(updated|published|posted)\b", re.I)
# words a date glued after a byline leaves behind once its digits are cut ("Nathan Willis March 25");
# "May" is left out: it ends names ("Theresa May")
_DATE_WORDS = re.compile(
    r"(?:[\s,|·•–—-]+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|"
    r"wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|on|at|updated|published|posted)"
    r"\.?)+\s*$", re.I)


def _cut_date_tail(part: str) -> str:
    """Names hold no digits: a date or count glued to a byline is cut off ("Lucas Nolan22 Dec 2016" → "Lucas
    Nolan"); a string that starts with a digit is left for the date filter to drop."""
    m = re.search(r"\d", part)
    if m is None or m.start() == 0:
        return part
    return _DATE_WORDS.sub("", " " + part[:m.start()]).strip(" ,.:|·•-–—")


def normalize_authors(raw: list[str]) -> list[str]:
    """Split, clean and de-duplicate author strings."""
    out: list[str] = []
    seen: set[str] = set()
    for r in raw:
        r = clean_text(r)
        if not r or _URLISH.search(r) and " " not in r:
            continue
        r = _EMAIL.sub(" ", r)
        r = re.sub(r"\(.*?\)|\[.*?\]", " ", r)
        r = _BY.sub("", r)
        for part in _SPLIT_AUTHORS.split(r):
            part = _cut_date_tail(" ".join(_BY.sub("", part).split())).strip(" .:|-–—\t")
            bare = _ROLE_TAIL.sub("", part).strip(" ,.:|-–—")
            if not bare or _ANON.match(part):
                continue  # "Special Correspondent", "Our Foreign Staff": no name
            if len(bare.split()) >= 2 or not re.search(r"[A-Za-z]", bare):
                part = bare
            if not part or len(part) < 3 or len(part) > 60 or len(part.split()) > 5:
                continue
            if _URLISH.search(part) or _DATEISH.search(part) or _NOT_A_NAME.match(part):
                continue
            if not re.search(r"[^\W\d_]", part):
                continue
            k = part.casefold()
            if k not in seen:
                seen.add(k)
                out.append(part)
    return out


def _jsonld_authors(page: Page) -> tuple[list[str], bool]:
    """Author names of the page's JSON-LD article in order, and whether any is a Person."""
    names, has_person = [], False
    for obj in page.articles[:1]:
        a = obj.get("author") or obj.get("creator")
        items = a if isinstance(a, list) else [a]
        for it in items:
            if isinstance(it, str):
                names.append(it)
                has_person = True
            elif isinstance(it, dict):
                name = it.get("name")
                if isinstance(name, list):
                    name = " ".join(x for x in name if isinstance(x, str))
                if not isinstance(name, str):
                    gn, fn = it.get("givenName"), it.get("familyName")
                    name = " ".join(x for x in (gn, fn) if isinstance(x, str)) or None
                if name:
                    names.append(name)
                    is_org = it.get("@type") in ("Organization", "NewsMediaOrganization")
                    has_person = has_person or not is_org
    return names, has_person


_BYLINE_XPATH = (
    "//*[@rel='author']"
    " | //*[@itemprop='author']//*[@itemprop='name']"
    " | //*[@itemprop='author'][not(.//*[@itemprop='name'])]"
)
_BYLINE_CLASS_XPATH = (
    "//*[contains(translate(@class, 'BYLINE', 'byline'), 'byline')"
    " or contains(translate(@class, 'AUTHOR', 'author'), 'author')]"
)
# "byline…", "author-name", "authorname", or a class naming the author itself: "author", "post-author",
# "article__author" (not "author-bio", "author__avatar", "authors-list": those hold more than the name)
_BYLINE_CLASS = re.compile(r"byline|author-?name|^(?:.*[-_])?author$", re.I)


def _byline_class(el) -> bool:
    return any(_BYLINE_CLASS.search(token) for token in (el.get("class") or "").split())


_PROFILE_LINK = re.compile(r"/(?:authors?|people|profiles?|staff|journalists?|contributors?|writers?)/", re.I)


def _byline_names(el) -> str:
    """A byline element's names: the texts of its links to author pages when it has any (so that a role or
    section beside the name, "Games Editor", stays out), else its whole text."""
    links = [text_of(a).strip() for a in el.iter("a") if _PROFILE_LINK.search(a.get("href") or "")]
    links = [t for t in links if t]
    return ", ".join(links) if links else text_of(el)


_TEASER = re.compile(r"(?<!v)card|related|teaser|recommend|promo|article-list|list-item|sidebar|widget|more-from|"
                     r"most-|trending|comment", re.I)


def _in_article(el, around_headline: frozenset = frozenset()) -> bool:
    """False for bylines of teasers (related cards, lists, sidebars, comments). Climbing from the byline, the
    first element that also holds the page's headline is the article itself (Yahoo's is a "card"): above it,
    nothing makes the byline a teaser's."""
    for a in el.iterancestors():
        if a in around_headline:
            return True
        if a.tag in ("aside", "nav", "footer") and a.getparent() is not None and a.getparent().tag == "body":
            return False
        if a.tag in ("aside", "nav"):
            return False
        c = a.get("class")
        if c and _TEASER.search(c):
            return False
    return True


def _nearest_headline(headline, els: list) -> list:
    """The byline elements in the innermost container of the headline that holds any: names elsewhere on the
    page (a related story's, a list of other articles) are other articles' authors."""
    if headline is None or len(els) < 2:
        return els
    ancestors = [set(e.iterancestors()) for e in els]
    for a in headline.iterancestors():
        inside = [e for e, above in zip(els, ancestors) if a in above]
        if inside:
            return inside
    return els


def _drop_site(found: list[str], page: Page) -> list[str]:
    """The publisher itself listed next to its reporters is not an author."""
    if len(found) < 2:
        return found
    site = [_key(n) for n in site_names(page)]
    return [a for a in found if not _is_site_segment(a, site)] or found


def extract_authors(page: Page) -> list[str]:
    names, _has_person = _jsonld_authors(page)
    found = _drop_site(normalize_authors(names), page)
    if found:
        return found
    meta = []
    for name in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                 "dcterms.creator", "byl", "cxenseparse:author", "twitter:creator:name"):
        for v in page.meta.get(name, ()):
            if not v.startswith("http") and "facebook.com" not in v:
                meta.append(v)
        if meta:
            break
    found = _drop_site(normalize_authors(meta), page)
    if found:
        return found
    tree = page.tree
    if tree is not None:
        h = page.headline_element
        around = frozenset(h.iterancestors()) if h is not None else frozenset()
        # elements with text only: a <link rel="author"> in the head names nobody
        texts = [text_of(e) for e in _nearest_headline(h, [e for e in tree.xpath(_BYLINE_XPATH)
                                                          if _in_article(e, around) and text_of(e).strip()])[:6]]
        if not texts:
            texts = [_byline_names(e) for e in _nearest_headline(h, [
                e for e in tree.xpath(_BYLINE_CLASS_XPATH)
                if _byline_class(e) and _in_article(e, around) and text_of(e).strip()])[:3]]
        found = _drop_site(normalize_authors([t for t in texts if t and len(t) <= 120]), page)
    return found
