"""Per-outlet extraction rules, kept as data (fundus-style), and the small engine applying them.

A rule names an outlet, the registered domains it serves and dated layout versions. Each version
holds XPath selectors (first one that yields something wins) for the headline, the standfirst,
the authors, the publication date and the body container, plus XPaths of boilerplate inside the
body (related links, embeds, promos) and regexes of boilerplate paragraphs. Selectors are built
on structural markup only (itemprop, ids and class names of the templates), never on text of a
particular page, so that they hold for other articles of the same outlet.

Version choice: the version valid on the reference day (the page's fetch/crawl day when known,
else the article's date or the event day) is tried first, then the others from the newest back;
the first whose body selector matches wins, so a page crawled later than expected (old article,
new template) is still read. Fields a rule cannot fill fall back to the generic extraction.

Bump ``RULES_VERSION`` (part of ``Article.extractor_version``) when rules change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from lxml import etree

from .page import Page, registered_domain, text_of

RULES_VERSION = "1"


@dataclass(frozen=True)
class RuleVersion:
    version: str
    valid_from: date | None = None
    valid_until: date | None = None  # exclusive
    title: tuple[str, ...] = ()
    description: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    body: tuple[str, ...] = ()  # containers of the article text
    detect: str | None = None  # XPath that matches only this version's template (optional)
    paragraphs: str = ".//p | .//h2 | .//h3 | .//li"
    drop: tuple[str, ...] = ()  # boilerplate inside the body (relative XPaths)
    drop_text: tuple[str, ...] = ()  # regexes of boilerplate paragraphs
    min_body_chars: int = 150

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day < self.valid_until
        )


@dataclass(frozen=True)
class OutletRule:
    id: str
    name: str
    domains: tuple[str, ...]
    versions: tuple[RuleVersion, ...] = field(default_factory=tuple)
    languages: tuple[tuple[str, str], ...] = ()  # (host suffix, ISO 639-1), most specific first

    def language_for(self, host: str) -> str | None:
        for suffix, lang in self.languages:
            if host == suffix or host.endswith("." + suffix):
                return lang
        return None

    def version_order(self, day: date | None, tree=None) -> list[RuleVersion]:
        """Versions to try: those whose template signature is on the page first, then the one
        valid on ``day``, then the rest from the newest back."""
        newest_first = sorted(self.versions, key=lambda v: v.valid_from or date.min, reverse=True)
        if day is not None:
            first = [v for v in newest_first if v.valid_on(day)]
            newest_first = first + [v for v in newest_first if v not in first]
        if tree is not None:
            seen = [v for v in newest_first if v.detect and _xp(v.detect)(tree)]
            newest_first = seen + [v for v in newest_first if v not in seen]
        return newest_first


def _ci(attr: str, word: str) -> str:
    """XPath test: case-insensitive 'attr contains word'."""
    up, low = word.upper(), word.lower()
    return f"contains(translate(@{attr}, '{up}', '{low}'), '{low}')"


_COMMON_DROP = (
    ".//script", ".//style", ".//noscript", ".//form", ".//button", ".//figure//figcaption", ".//aside",
    ".//*[" + _ci("class", "related") + "]",
    ".//*[" + _ci("class", "newsletter") + "]",
    ".//*[" + _ci("class", "advert") + " or " + _ci("id", "advert") + "]",
    ".//*[" + _ci("class", "share") + " and not(self::p)]",
    ".//*[" + _ci("class", "social") + " and not(self::p)]",
)
_COMMON_DROP_TEXT = (
    r"^(advertisement|advertising|anzeige|publicité)$",
    r"^(read more|related|see also|also read|more on this|more from|recommended)\b.{0,150}$",
    r"^(share|share this|share this article|follow us)\b.{0,40}$",
)

RULES: tuple[OutletRule, ...] = (
    OutletRule(
        id="ahram",
        name="Ahram Online",
        domains=("ahram.org.eg",),
        languages=(("english.ahram.org.eg", "en"), ("hebdo.ahram.org.eg", "fr"), ("ahram.org.eg", "ar")),
        versions=(
            # ASP.NET WebForms templates (english.ahram.org.eg/NewsContent/<sec>/<cat>/<id>/...aspx):
            # server controls render as ids ctl00_ContentPlaceHolder1_<name>
            RuleVersion(
                version="1",
                valid_from=date(2010, 1, 1),
                valid_until=date(2020, 1, 1),
                title=(
                    "//*[contains(@id, 'ContentPlaceHolder1_hd')]",
                    "//div[" + _ci("class", "bigtitle") + "]//h1",
                ),
                description=("//*[contains(@id, 'ContentPlaceHolder1_bref')]",),
                authors=("//*[contains(@id, 'ContentPlaceHolder1_AuthorDiv')]",),
                date=("//*[contains(@id, 'ContentPlaceHolder1_divdate')]",
                      "//*[contains(@id, 'ContentPlaceHolder1_divDate')]"),
                body=("//*[contains(@id, 'ContentPlaceHolder1_divContent')]",),
                detect="//*[contains(@id, 'ContentPlaceHolder1_')]",
                drop=(".//*[" + _ci("class", "tags") + "]", ".//*[" + _ci("id", "divRelated") + "]",
                      ".//table[" + _ci("class", "related") + "]"),
                drop_text=(r"^(short link|shortlink)\s*:.*$", r"^(related|read more)\s*:.*$"),
            ),
            # later templates (english.ahram.org.eg/News/<id>.aspx): structural, schema-based fallbacks
            RuleVersion(
                version="2",
                valid_from=date(2020, 1, 1),
                title=("//h1[" + _ci("class", "title") + "]", "//article//h1", "//h1"),
                description=("//*[" + _ci("class", "article-desc") + " or " + _ci("class", "brief") + "]",),
                authors=("//*[" + _ci("class", "author") + "][not(ancestor::*[" + _ci("class", "related")
                         + "])]",),
                date=("//*[" + _ci("class", "date") + "][1]",),
                body=("//*[@itemprop='articleBody']", "//*[contains(@id, 'divContent')]",
                      "//div[" + _ci("class", "article-content") + " or " + _ci("class", "articlecontent")
                      + "]"),
                drop=(".//*[" + _ci("class", "tags") + "]",),
                drop_text=(r"^(short link|shortlink)\s*:.*$",),
            ),
        ),
    ),
    OutletRule(
        id="thehindu",
        name="The Hindu",
        domains=("thehindu.com",),
        languages=(("tamil.thehindu.com", "ta"), ("thehindu.com", "en")),
        versions=(
            # pre-2016 template: div.article-text with p.body paragraphs
            RuleVersion(
                version="1",
                valid_until=date(2016, 6, 1),
                title=("//h1[" + _ci("class", "detail-title") + "]", "//h1[" + _ci("class", "title") + "]"),
                description=("//h2[" + _ci("class", "sub-title") + "]", "//*[" + _ci("class", "intro") + "]"),
                authors=("//*[" + _ci("class", "author") + "]//a", "//span[" + _ci("class", "author") + "]"),
                date=("//*[" + _ci("class", "dateline") + "]", "//*[" + _ci("class", "artpubupdate") + "]"),
                body=("//div[" + _ci("class", "article-text") + "]",),
                detect="//div[" + _ci("class", "article-text") + "]//p[" + _ci("class", "body") + "]",
                paragraphs=".//p[" + _ci("class", "body") + "] | .//p[not(@class)]",
            ),
            # 2016-2022 template: h1.title, h2.intro, a.auth-nm, div#content-body-<ids> > p
            RuleVersion(
                version="2",
                valid_from=date(2016, 6, 1),
                valid_until=date(2022, 6, 1),
                title=("//h1[" + _ci("class", "title") + "]",),
                description=("//h2[" + _ci("class", "intro") + "]",),
                authors=("//*[" + _ci("class", "author-img-name") + "]//a[" + _ci("class", "auth-nm") + "]",
                         "//a[" + _ci("class", "auth-nm") + "]"),
                date=("//meta[@name='publish-date']/@content",
                      "(//*[" + _ci("class", "ut-container") + "]//*[" + _ci("class", "ksl-time-stamp")
                      + "])[last()]"),
                body=("//div[starts-with(@id, 'content-body-')]",),
                detect="//a[" + _ci("class", "auth-nm") + "] | //*[" + _ci("class", "ksl-time-stamp") + "]",
                paragraphs=".//p | .//h2 | .//h3 | .//li",
                drop=(".//*[" + _ci("class", "also-view") + "]", ".//*[" + _ci("class", "inline-embed") + "]",
                      ".//*[" + _ci("class", "article-ad") + "]"),
                drop_text=(r"^also read\b.*$",),
            ),
            # 2022 redesign: div.articlebodycontent#content-body-<id>, h3.sub-title, .author-name
            RuleVersion(
                version="3",
                valid_from=date(2022, 6, 1),
                title=("//h1[" + _ci("class", "title") + "]",),
                description=("//*[self::h2 or self::h3][" + _ci("class", "sub-title") + "]",
                             "//h2[" + _ci("class", "intro") + "]"),
                authors=("//*[" + _ci("class", "author-name") + "]//a",
                         "//a[" + _ci("class", "person-name") + "]"),
                date=("//*[" + _ci("class", "publish-time") + "]", "//meta[@name='publish-date']/@content"),
                body=("//div[" + _ci("class", "articlebodycontent") + "]",
                      "//div[starts-with(@id, 'content-body-')]"),
                detect="//div[" + _ci("class", "articlebodycontent") + "]",
                paragraphs=".//p | .//h2 | .//h3 | .//li",
                drop=(".//*[" + _ci("class", "also-view") + "]", ".//*[" + _ci("class", "inline-embed") + "]",
                      ".//*[" + _ci("class", "article-ad") + "]", ".//*[" + _ci("class", "comments") + "]"),
                drop_text=(r"^also read\b.*$", r"^published\s*-.*$"),
            ),
        ),
    ),
    OutletRule(
        id="telegraph",
        name="The Telegraph",
        domains=("telegraph.co.uk",),
        languages=(("telegraph.co.uk", "en"),),
        versions=(
            # "storyHead" template (to 2015): div#mainBodyArea[itemprop=articleBody] holding
            # div.firstPar, div.secondPar... and div.body
            RuleVersion(
                version="1",
                valid_until=date(2016, 1, 1),
                title=("//div[" + _ci("class", "storyhead") + "]//h1",
                       "//h1[contains(@itemprop, 'headline')]"),
                description=("//h2[contains(@itemprop, 'description')]",),
                authors=("//*[" + _ci("class", "bylinebody") + "]//a[@rel='author']",
                         "//*[" + _ci("class", "bylinebody") + "]"),
                date=("//meta[@itemprop='datePublished']/@content",
                      "//p[" + _ci("class", "publisheddate") + "]"),
                body=("//div[@id='mainBodyArea']",),
                detect="//div[@id='mainBodyArea'] | //div[" + _ci("class", "storyhead") + "]",
                paragraphs=".//p | .//h2 | .//h3",
                drop=(".//*[@id='tmg-related-links']", ".//*[" + _ci("class", "related") + "]",
                      ".//*[" + _ci("class", "relcontdate") + "]", ".//*[" + _ci("class", "storyfunc") + "]",
                      ".//*[" + _ci("class", "headerone") + "]", ".//*[" + _ci("class", "summary") + "]"),
            ),
            # "articleRenderer2" template (2016-2020): header h1.headline__heading, div.article-body-text
            RuleVersion(
                version="2",
                valid_from=date(2016, 1, 1),
                valid_until=date(2021, 1, 1),
                title=("//h1[" + _ci("class", "headline__heading") + "]",
                       "//h1[contains(@itemprop, 'headline')]"),
                description=("//*[" + _ci("class", "standfirst") + "]//p",
                             "//*[" + _ci("class", "standfirst") + "]"),
                authors=("//*[" + _ci("class", "byline__author-name") + "][not(ancestor::*["
                         + _ci("class", "list-of-entities") + "])]",),
                date=("//time[" + _ci("class", "article-date-published") + "]/@datetime",),
                body=("//*[@itemprop='articleBody']",),
                detect="//h1[" + _ci("class", "headline__heading") + "]"
                       " | //*[" + _ci("class", "article-body-text") + "][not(@data-test)]",
                paragraphs=".//div[" + _ci("class", "article-body-text") + "]//p"
                           " | .//div[" + _ci("class", "article-body-text") + "]//h2"
                           " | .//div[" + _ci("class", "article-body-text") + "]//h3"
                           " | .//div[" + _ci("class", "article-body-text") + "]//li",
                drop=(".//*[" + _ci("class", "related") + "]",
                      ".//*[" + _ci("class", "list-of-entities") + "]",
                      ".//*[" + _ci("class", "adblocker") + "]"),
            ),
            # "tpl-article" template (2021-): h1.e-headline, p.e-standfirst, span.e-byline__author,
            # div[data-test=article-body-text]
            RuleVersion(
                version="3",
                valid_from=date(2021, 1, 1),
                title=("//h1[" + _ci("class", "e-headline") + "]", "//h1[contains(@itemprop, 'headline')]"),
                description=("//p[" + _ci("class", "e-standfirst") + "]",),
                authors=("(//*[@data-test='byline'][not(ancestor::*[" + _ci("class", "card") + "])])[1]"
                         "//*[" + _ci("class", "e-byline__author") + "]",),
                date=("//time[" + _ci("class", "e-published-date") + "]/@datetime",),
                body=("//*[@itemprop='articleBody']", "//*[@data-test='tpl-article-body-recipe']"),
                detect="//*[@data-test='article-body-text'] | //h1[" + _ci("class", "e-headline") + "]",
                paragraphs=".//*[@data-test='article-body-text']//p"
                           " | .//*[@data-test='article-body-text']//h2"
                           " | .//*[@data-test='article-body-text']//h3"
                           " | .//*[@data-test='article-body-text']//li",
                drop=(".//*[" + _ci("class", "related") + "]", ".//*[" + _ci("class", "card") + "]",
                      ".//*[" + _ci("class", "tpl-layout__mobile") + "]", ".//*[@data-test='html-embed']"),
            ),
        ),
    ),
)


def find_rule(url: str | None, rules: tuple[OutletRule, ...] = RULES) -> OutletRule | None:
    """The rule (of ``rules``) whose domain is the URL's registered domain or a suffix of its host."""
    if not url:
        return None
    domain = registered_domain(url) or ""
    host = url.split("://", 1)[-1].split("/", 1)[0].lower().split("@")[-1].split(":")[0]
    for rule in rules:
        for d in rule.domains:
            if domain == d or host == d or host.endswith("." + d):
                return rule
    return None


def rules_without(rules: tuple[OutletRule, ...], domains) -> tuple[OutletRule, ...]:
    """``rules`` less those serving any of these registered domains."""
    drop = set(domains)
    return tuple(r for r in rules if not any((registered_domain(d) or d) in drop for d in r.domains))


@lru_cache(maxsize=None)
def _xp(expr: str) -> etree.XPath:
    return etree.XPath(expr)


@lru_cache(maxsize=None)
def _rx(expr: str) -> re.Pattern:
    return re.compile(expr, re.I)


@dataclass
class OutletResult:
    rule_id: str  # id@version
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    date_raw: str | None = None
    text: str | None = None


def _first_text(tree, exprs: tuple[str, ...]) -> str | None:
    for expr in exprs:
        for node in _xp(expr)(tree):
            t = text_of(node) if not isinstance(node, str) else " ".join(str(node).split())
            if t:
                return t
    return None


def _all_texts(tree, exprs: tuple[str, ...]) -> list[str]:
    for expr in exprs:
        out = []
        for node in _xp(expr)(tree):
            t = node.get("content") if hasattr(node, "get") and node.get("content") else None
            t = " ".join((t or (text_of(node) if not isinstance(node, str) else str(node))).split())
            if t:
                out.append(t)
        if out:
            return out
    return []


def body_text(tree, v: RuleVersion) -> str | None:
    """Body paragraphs of a version's container, boilerplate left out (the tree is not modified)."""
    for expr in v.body:
        containers = _xp(expr)(tree)
        if not containers:
            continue
        container = containers[0]
        dropped = set()
        for d in v.drop + _COMMON_DROP:
            dropped.update(_xp(d)(container))
        texts = _rx_list(v.drop_text + _COMMON_DROP_TEXT)
        taken: set = set()
        lines: list[str] = []
        for el in _xp(v.paragraphs)(container):
            if el in dropped or any(a in dropped or a in taken for a in el.iterancestors()):
                continue
            taken.add(el)
            t = text_of(el)
            if not t or any(r.match(t) for r in texts):
                continue
            if lines and lines[-1] == t:
                continue
            lines.append(t)
        text = "\n".join(lines)
        if len(text) >= v.min_body_chars:
            return text
    return None


def _rx_list(exprs: tuple[str, ...]) -> list[re.Pattern]:
    return [_rx(e) for e in exprs]


def apply_rule(rule: OutletRule, page: Page, day: date | None = None) -> OutletResult | None:
    """Apply the best-fitting version of a rule; None when no version's body selector matches."""
    tree = page.tree
    if tree is None:
        return None
    from .authors import normalize_authors
    from .title import clean_text

    for v in rule.version_order(day, tree):
        text = body_text(tree, v)
        if text is None:
            continue
        res = OutletResult(rule_id=f"{rule.id}@{v.version}", text=text)
        res.title = clean_text(_first_text(tree, v.title)) or None
        res.description = clean_text(_first_text(tree, v.description)) or None
        res.authors = normalize_authors(_all_texts(tree, v.authors))
        res.date_raw = _first_text(tree, v.date)
        return res
    return None
