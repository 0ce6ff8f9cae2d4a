"""Per-outlet rules (crawler.extract.outlets) on the Al-Ahram fixture and real Telegraph / Hindu pages."""

from __future__ import annotations

import bz2
import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from crawler.extract.article import extract_article
from crawler.devtools.metrics import body_scores, same_authors, same_title
from crawler.extract.outlets import RULES, apply_rule, find_rule
from crawler.extract.page import Page

DATA = Path(__file__).parent / "data" / "articles"
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
OUTLETS = REALDATA / "articles" / "outlets"
AHRAM_URL = ("http://english.ahram.org.eg/NewsContent/1/64/94184/Egypt/Politics-/"
             "Russia-trip-new-start-to-military-cooperation-Egyp.aspx")


# -- rules as data ------------------------------------------------------------------------------

def test_every_selector_compiles_and_versions_are_ordered():
    for rule in RULES:
        assert rule.versions, rule.id
        for v in rule.versions:
            for expr in (*v.title, *v.description, *v.authors, *v.date, *v.body, *v.drop, v.paragraphs,
                         *([v.detect] if v.detect else [])):
                etree.XPath(expr)
            if v.valid_from and v.valid_until:
                assert v.valid_from < v.valid_until
        ids = [v.version for v in rule.versions]
        assert len(ids) == len(set(ids))


@pytest.mark.parametrize("url, rule_id", [
    (AHRAM_URL, "ahram"),
    ("https://english.ahram.org.eg/News/515000.aspx", "ahram"),
    ("https://gate.ahram.org.eg/News/123.aspx", "ahram"),
    ("https://www.thehindu.com/news/national/article123.ece", "thehindu"),
    ("https://frontline.thehindu.com/politics/x/article1.ece", "thehindu"),
    ("http://www.telegraph.co.uk/news/worldnews/1/x.html", "telegraph"),
    ("https://telegraph.co.uk/politics/2024/09/16/x/", "telegraph"),
    ("https://www.dailytelegraph.com.au/news/x", None),
    ("https://telegraph.co.uk.example.com/x", None),
    ("https://notthehindu.com/x", None),
    ("https://www.bbc.com/news/x", None),
    (None, None),
])
def test_find_rule_by_registered_domain(url, rule_id):
    rule = find_rule(url)
    assert (rule.id if rule else None) == rule_id


def test_version_order_by_day_and_template_signature():
    rule = find_rule("https://www.telegraph.co.uk/x")
    assert [v.version for v in rule.version_order(None)][0] == "3"  # newest first
    assert [v.version for v in rule.version_order(date(2014, 2, 13))][0] == "1"
    assert [v.version for v in rule.version_order(date(2018, 5, 1))][0] == "2"
    # an old article served in the current template: the signature wins over the date
    tree = etree.HTML('<html><body><h1 class="e-headline">H</h1>'
                      '<div data-test="article-body-text"><p>x</p></div></body></html>')
    assert rule.version_order(date(2012, 4, 17), tree)[0].version == "3"


def test_language_by_host():
    rule = find_rule(AHRAM_URL)
    assert rule.language_for("english.ahram.org.eg") == "en"
    assert rule.language_for("gate.ahram.org.eg") == "ar"


# -- Al-Ahram fixture (ASP.NET NewsContent template) --------------------------------------------

@pytest.fixture(scope="module")
def ahram():
    return extract_article((DATA / "ahram_english_newscontent_2014.html").read_bytes(), AHRAM_URL,
                           event_day=date(2014, 2, 13), content_type="text/html; charset=utf-8")


def test_ahram_fields(ahram):
    assert ahram.outlet_rule == "ahram@1"
    assert ahram.title == "Russia trip 'new start' to military cooperation: Egypt's Sisi"
    assert ahram.description.startswith("Field Marshal Abdel-Fattah El-Sisi says his visit to Moscow")
    assert ahram.authors == ["Ahram Online"]
    assert ahram.published == date(2014, 2, 13) and ahram.date_flag is None
    assert ahram.language == "en" and ahram.site_name == "Ahram Online"


def test_ahram_body_keeps_article_and_drops_boilerplate(ahram):
    text = ahram.text
    first, second = text.split("\n")[:2]
    assert first == ahram.description  # the standfirst the page displays, then the body
    assert second.startswith("Egypt's defence minister Abdel-Fattah El-Sisi described his two-day trip")
    assert "Shifting alliances" in text  # a sub-heading inside the body
    assert text.rstrip().endswith("keeping strategic ties with the United States.")
    for junk in ("Short link", "Related", "Comments posted here", "Share on Facebook", "Photo: Reuters",
                 "All rights reserved", "Friday, 14 February 2014"):
        assert junk not in text
    assert 150 < ahram.word_count < 260


def test_archived_copy_is_read_as_the_original():
    archived = "https://web.archive.org/web/20140214093000/" + AHRAM_URL
    art = extract_article((DATA / "ahram_english_newscontent_2014.html").read_bytes(), archived)
    assert art.url == archived and art.outlet_rule == "ahram@1" and art.language == "en"
    assert art.published == date(2014, 2, 13)


def test_ahram_rule_does_not_touch_the_tree():
    raw = (DATA / "ahram_english_newscontent_2014.html").read_text(encoding="utf-8")
    page = Page(raw, AHRAM_URL)
    before = etree.tostring(page.tree)
    res = apply_rule(find_rule(AHRAM_URL), page, date(2014, 2, 13))
    assert res and res.rule_id == "ahram@1" and res.date_raw == "Thursday 13 Feb 2014"
    assert etree.tostring(page.tree) == before


def test_rule_falls_back_to_generic_fields_when_selectors_miss():
    html = ("<html><head><title>Budget day: what changed | The Hindu</title>"
            '<meta property="og:title" content="Budget day: what changed">'
            '<meta name="author" content="Jane Doe"></head><body><h1>Budget day: what changed</h1>'
            '<div id="content-body-1-2"><p>' + "The finance minister presented the budget. " * 8 + "</p>"
            "<p>" + "Farm groups reacted with caution to the plan. " * 6 + "</p></div></body></html>")
    art = extract_article(html, "https://www.thehindu.com/business/budget/article1.ece")
    assert art.outlet_rule and art.outlet_rule.startswith("thehindu@")
    assert art.title == "Budget day: what changed" and art.authors == ["Jane Doe"]
    assert art.text.startswith("The finance minister presented the budget.")


# -- real pages, read in place ------------------------------------------------------------------

def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else bz2.decompress(raw)


def _url(rel: str) -> str | None:
    for line in (REALDATA / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if cols[0] == rel:
            return cols[5] or None
    return None


@pytest.fixture(scope="module")
def outlets():
    if not OUTLETS.is_dir():
        pytest.skip(f"{OUTLETS} not found: real-page tests skipped")
    return OUTLETS


def _article(rel: str):
    return extract_article(_read(REALDATA / rel), _url(rel))


@pytest.mark.parametrize("rel, version", [
    ("articles/outlets/telegraph/goose3_content_test_issue28.html.gz", "telegraph@1"),
    ("articles/outlets/telegraph/newspaper_telegraph.co.uk2.html.gz", "telegraph@1"),
    ("articles/outlets/telegraph/readability_telegraph/source.html.gz", "telegraph@2"),
    ("articles/outlets/telegraph/fundus_uk_TheTelegraph_2024_09_17.html.gz", "telegraph@3"),
    ("articles/outlets/telegraph/trafilatura_telegraph.co.uk.plumber.html.gz", "telegraph@3"),
    ("articles/outlets/thehindu/newslookout_mod_en_in_hindu_30713792.html.bz2", "thehindu@2"),
])
def test_layout_versions_recognised(outlets, rel, version):
    assert _article(rel).outlet_rule == version


def test_telegraph_fundus_pages(outlets):
    expected = json.loads((outlets / "telegraph" / "fundus_uk_TheTelegraph.json").read_text(encoding="utf-8"))
    pages = {"V1": "fundus_uk_TheTelegraph_2023_08_30.html.gz",
             "V1_1": "fundus_uk_TheTelegraph_2024_09_17.html.gz"}
    for version, name in pages.items():
        exp = expected[version]
        art = _article(f"articles/outlets/telegraph/{name}")
        assert same_title(exp["title"], art.title), (art.title, exp["title"])
        assert same_authors(exp["authors"], art.authors), art.authors
        assert art.published.isoformat() == exp["publishing_date"][:10]
        truth = "\n".join(p for s in exp["body"]["sections"] for p in s["headline"] + s["paragraphs"])
        assert body_scores([(truth, art.text)])["f1"] > 0.9


def test_telegraph_2017_page_against_readability_metadata(outlets):
    base = outlets / "telegraph" / "readability_telegraph"
    meta = json.loads((base / "expected-metadata.json").read_text(encoding="utf-8"))
    art = _article("articles/outlets/telegraph/readability_telegraph/source.html.gz")
    assert same_title(meta["title"], art.title)
    assert art.description == meta["excerpt"]
    assert art.authors == []  # "Our Foreign Staff" names nobody
    assert art.published == date(2017, 11, 16)  # the URL's and the page's day, not the later dateCreated


def test_telegraph_2014_bodies_against_newspaper_text(outlets):
    for n in (1, 2):
        art = _article(f"articles/outlets/telegraph/newspaper_telegraph.co.uk{n}.html.gz")
        truth = (outlets / "telegraph" / f"newspaper_telegraph.co.uk{n}.txt").read_text(encoding="utf-8")
        assert body_scores([(truth, art.text)])["f1"] > 0.9
        assert art.authors in (["Harriet Alexander"], ["Edward Malnick"])


def test_telegraph_snippets_and_dates(outlets):
    tg = outlets / "telegraph"
    exp = json.loads((tg / "trafilatura_telegraph.co.uk.plumber.html.expected.json").read_text())
    art = _article("articles/outlets/telegraph/trafilatura_telegraph.co.uk.plumber.html.gz")
    for s in exp["with"]:
        assert s in art.text
    for s in exp["without"]:
        assert s not in art.text
    assert art.published == date(2012, 4, 17)
    assert art.authors == []  # the teaser cards' bylines are not this article's
    wta = _article("articles/outlets/telegraph/htmldate_telegraph.co.uk-WTA.html.gz")
    want = json.loads((tg / "htmldate_telegraph.co.uk-WTA.html.date.json").read_text())["date"]
    assert wta.published.isoformat() == want
    goose = _article("articles/outlets/telegraph/goose3_content_test_issue28.html.gz")
    gexp = json.loads((tg / "goose3_content_test_issue28.json").read_text())["expected"]
    # goose3's cleaned text is the body alone; ours opens with the standfirst the page displays
    first, rest = goose.text.split("\n", 1)
    assert first == goose.description and rest.startswith(gexp["cleaned_text"])
    assert goose.language == gexp["meta_lang"]


def test_thehindu_page(outlets):
    art = _article("articles/outlets/thehindu/newslookout_mod_en_in_hindu_30713792.html.bz2")
    assert art.title == "16-point action plan for agriculture evokes mixed response"
    assert art.description == "Farmers’ body resents failure to address rising debts, cost of inputs"
    assert art.published == date(2020, 2, 1) and art.published_at is not None
    assert art.authors == []  # "Special Correspondent"
    first, rest = art.text.split("\n", 1)
    assert first == art.description  # the displayed standfirst, then the body
    assert rest.startswith("The proposed 16-point action plan to boost agriculture")
    assert "Also Read" not in art.text and art.word_count > 300
