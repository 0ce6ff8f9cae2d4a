"""Per-publisher headline sources: the dated data and their use by extract_title (own small pages)."""

import json
from datetime import date

import pytest

from crawler.extract.headline_sources import DATA, HeadlineSources
from crawler.extract.page import Page
from crawler.extract.title import extract_title

TABLE = HeadlineSources.load()
headline_order = TABLE.order

PAGE = """<html><head>
<title>The SEO headline of the story | {site}</title>
<meta property="og:title" content="The social headline">
<meta name="title" content="The meta-title headline">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "The JSON-LD headline of the story"}}</script>
</head><body><article><h1>The display headline of the story</h1>
<p>Some words of the story that follow the headline, long enough to be a paragraph of an article.</p>
</article></body></html>"""


def title_of(url: str, day=None) -> str:
    return extract_title(Page(PAGE.format(site="Site"), url), day, headline_order(url, day))


def test_data_file_is_well_formed():
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    known = {"og", "jsonld", "h1", "twitter", "title"}
    assert len(doc["publishers"]) > 100
    for host, entry in doc["publishers"].items():
        assert host == host.lower() and "/" not in host
        untils = [u for u, _ in entry["versions"]]
        assert untils[-1] is None, f"{host}: the current version comes last"
        assert untils[:-1] == sorted(untils[:-1]), f"{host}: dated versions in order"
        for _, order in entry["versions"]:
            assert order and all(s in known or s.startswith("meta:") for s in order), host


def test_unknown_publisher_has_no_preference_and_keeps_the_generic_order():
    assert headline_order("https://news.example.org/2024/story") == ()
    assert headline_order(None) == ()
    assert title_of("https://news.example.org/2024/story") == "The JSON-LD headline of the story"


def test_publisher_choice_comes_first():
    # The Daily Mail's own title is its og:title (a shorter headline than its h1 and JSON-LD one)
    assert headline_order("https://www.dailymail.co.uk/news/article-1/x.html") == ("og",)
    assert title_of("https://www.dailymail.co.uk/news/article-1/x.html") == "The social headline"
    # a named <meta>: NZZ's <meta name="title">
    assert title_of("https://www.nzz.ch/international/story-ld.1") == "The meta-title headline"


def test_dated_versions_follow_the_page_day():
    url = "https://www.bbc.co.uk/news/articles/c0000000"
    assert headline_order(url, date(2025, 6, 1)) == ("jsonld",)
    assert headline_order(url, date(2026, 6, 1)) == ("h1",)
    assert headline_order(url) == ("h1",)  # no day: the current version
    assert title_of(url, date(2025, 6, 1)) == "The JSON-LD headline of the story"
    assert title_of(url, date(2026, 6, 1)) == "The display headline of the story"


@pytest.mark.parametrize("url", ["https://dailymail.co.uk/news/x", "https://WWW.DailyMail.co.uk/news/x"])
def test_host_variants_match(url):
    assert headline_order(url) == ("og",)


def test_missing_preferred_source_falls_back():
    html = PAGE.format(site="Site").replace('<meta property="og:title" content="The social headline">', "")
    url = "https://www.dailymail.co.uk/news/x"
    assert extract_title(Page(html, url), None, headline_order(url)) == "The JSON-LD headline of the story"


def test_without_drops_every_host_of_the_registered_domains():
    small = HeadlineSources({"www.dailymail.co.uk": ((None, ("og",)),), "www.bbc.co.uk": ((None, ("h1",)),),
                             "news.bbc.co.uk": ((None, ("h1",)),)})
    assert small.order("https://dailymail.co.uk/x") == ("og",)  # by registered domain
    rest = small.without({"bbc.co.uk"})
    assert len(rest) == 1 and rest.order("https://www.bbc.co.uk/news/1") == ()
    assert rest.order("https://www.dailymail.co.uk/x") == ("og",)
    assert small.order("https://news.bbc.co.uk/x") == ("h1",)  # the original is unchanged
