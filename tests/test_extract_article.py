"""Article extraction (crawler.extract.article / title / metrics) on fixtures and real pages."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from crawler.extract.article import (
    EXTRACTOR_VERSION,
    Article,
    ExtractOptions,
    extract_article,
    unwrap_archive_url,
)
from crawler.extract.language import guess_language
from crawler.devtools.metrics import body_scores, exact_words, same_authors, same_title, shingle_match
from crawler.extract.page import Page
from crawler.extract.authors import normalize_authors
from crawler.extract.title import descriptions, extract_title, strip_site_name

DATA = Path(__file__).parent / "data" / "articles"
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
GENERIC_URL = "https://www.example-news.com/world/2014/02/13/flood-barrier"


@pytest.fixture(scope="module")
def generic() -> Article:
    return extract_article((DATA / "generic_news_jsonld.html").read_bytes(), GENERIC_URL,
                           event_day=date(2014, 2, 13), content_type="text/html; charset=utf-8")


def test_generic_metadata(generic):
    assert generic.title == "Flood barrier opens early as storm surge nears coast"
    assert generic.authors == ["Jane Doe", "John Smith"]
    assert generic.description.startswith("Engineers closed the estuary barrier six hours ahead")
    assert generic.site_name == "The Daily Example"
    assert generic.language == "en"
    assert generic.published == date(2014, 2, 13) and generic.date_source == "jsonld"
    assert generic.published_at.isoformat() == "2014-02-13T07:45:00+00:00"
    assert generic.date_confidence >= 0.95 and generic.date_flag is None
    assert generic.outlet_rule is None
    assert generic.extractor == "trafilatura" and generic.extractor_version == EXTRACTOR_VERSION
    assert EXTRACTOR_VERSION.startswith("trafilatura-") and "+na" in EXTRACTOR_VERSION


def test_generic_body(generic):
    text = generic.text
    first, second = text.split("\n")[:2]
    # the fixture's displayed standfirst, then the body's first paragraph
    assert first == ("Engineers closed the estuary barrier six hours ahead of schedule as forecasters warned of "
                     "the highest tide in a decade.")
    assert second.startswith("Engineers closed the estuary flood barrier six hours earlier")
    assert text.rstrip().endswith("probably before midnight.")
    for junk in ("Related:", "Sign up", "More from World", "Record rainfall", "All rights reserved",
                 "Flood barrier opens early as storm surge nears coast", "Sunday 2 March 2014"):
        assert junk not in text
    assert generic.word_count == len(text.split()) or abs(generic.word_count - len(text.split())) < 10


def test_to_dict_is_json_ready(generic):
    d = json.loads(json.dumps(generic.to_dict()))
    assert d["published"] == "2014-02-13" and d["published_at"].startswith("2014-02-13T07:45")
    assert set(d) >= {"url", "title", "authors", "description", "language", "site_name", "text", "word_count",
                      "published", "published_at", "date_source", "date_confidence", "date_flag", "extractor",
                      "extractor_version", "outlet_rule"}


def test_article_is_frozen(generic):
    with pytest.raises(AttributeError):
        generic.title = "x"  # type: ignore[misc]


def test_bytes_in_legacy_charset():
    raw = (DATA / "generic_news_jsonld.html").read_text(encoding="utf-8")
    raw = raw.replace('<meta charset="utf-8">', "")
    raw = raw.replace("•", "-").replace("©", "(c)")
    art = extract_article(raw.replace("storm surge", "storm surgé").encode("cp1252"), GENERIC_URL,
                          content_type="text/html; charset=windows-1252")
    assert "surgé" in art.title


def test_str_input_and_no_url():
    art = extract_article((DATA / "generic_news_jsonld.html").read_text(encoding="utf-8"))
    assert art.url is None and art.title and art.published == date(2014, 2, 13)


@pytest.mark.parametrize("junk", [b"", b"   ", b"\x00\x01\x02", "<html></html>", b"%PDF-1.4 binary"])
def test_garbage_does_not_raise(junk):
    art = extract_article(junk, "https://example.org/x")
    assert isinstance(art, Article) and art.word_count == 0 or art.text == ""


def test_options_are_respected():
    raw = (DATA / "generic_news_jsonld.html").read_bytes()
    fast = extract_article(raw, GENERIC_URL, options=ExtractOptions(use_htmldate=False, clean_lines=False))
    assert "Related: Councils told to prepare sandbags" in fast.text  # no clean-up asked for
    with pytest.raises(Exception):
        ExtractOptions().fast = False  # type: ignore[misc]


BRIDGE = ["The regional council voted on Tuesday to rebuild the old river bridge, ending a long debate.",
        "Engineers had warned that the steel frame was corroding faster than expected after two wet winters.",
        "The new design keeps the original stone piers but replaces the deck with a lighter concrete one.",
        "A ferry will run between the two banks while the deck is replaced, the council said on Tuesday.",
        "The project is expected to cost 14 million euros, most of it paid by the regional government."]


def _page(inner: str) -> str:
    return ("<html><head><title>Council votes to rebuild river bridge</title></head><body><article>"
            f"<h1>Council votes to rebuild river bridge</h1>{inner}</article></body></html>")


def test_text_a_browser_hides_at_load_and_teasers_in_links_are_not_body():
    hidden = [
        "<div hidden><p>Thank you for visiting. You are using a browser version with limited support for "
        "CSS, so the site is shown without styles and scripts.</p></div>",
        "<div x-cloak><p>You must confirm your public display name before commenting on this article.</p>"
        "</div>",
        "<div class='c-banner u-hide'><p>Log in or create an account to continue reading our latest "
        "journalism from the award-winning team.</p></div>",
        "<a href='/other'><div><p>Five-year window? A defence institute said a timeline for an invasion was "
        "based on expected measures.</p></div></a>",
    ]
    shown = ("<details><div hidden='until-found'><p>The council's full report on the bridge, which a reader "
             "can open, runs to 300 pages and lists every repair since 1887.</p></div></details>")
    html = _page("".join(f"<p>{p}</p>" + (hidden[i] if i < len(hidden) else "")
                         for i, p in enumerate(BRIDGE)) + shown)
    text = extract_article(html, "https://news.example.org/a").text
    for p in BRIDGE:
        assert p in text
    for fragment in ("limited support for CSS", "display name", "create an account", "Five-year window"):
        assert fragment not in text
    assert "The council's full report on the bridge" in text  # hidden until found: a reader can open it
    kept = extract_article(html, "https://news.example.org/a",
                           options=ExtractOptions(prune_not_prose=False)).text
    assert "limited support for CSS" in kept and "Five-year window" in kept


def test_prose_a_page_hides_until_a_script_shows_it_is_read_when_nothing_else_is():
    html = _page("<div class='article-body hidden'>" + "".join(f"<p>{p}</p>" for p in BRIDGE) + "</div>")
    text = extract_article(html, "https://news.example.org/a").text
    assert all(p in text for p in BRIDGE)


def test_a_link_left_unclosed_in_the_body_does_not_make_the_rest_a_teaser():
    lead = ["Residents who cross the bridge every day said they were relieved that it would stay open.",
            "Shops on both banks had feared a closure of a year or more, the chamber of commerce said."]
    html = _page("<div class='body'>" + "".join(f"<p>{p}</p>" for p in lead)
                 + "<a href='/tag/bridges'>Bridges" + "".join(f"<p>{p}</p>" for p in BRIDGE * 2)
                 + "</div>")  # the parser puts every paragraph after the open link inside it
    text = extract_article(html, "https://news.example.org/a").text
    assert all(p in text for p in lead + BRIDGE)


def test_article_html_held_in_a_script_without_its_captions():
    content = ('<div class="editor-img-box"><img src="a.jpg"><div class="caption"><p>The old bridge at dawn '
               'on Tuesday, seen from the east bank. Photo agency</p></div></div>'
               + "".join(f'<p class="editor-p">{p}</p>' for p in BRIDGE[:3])
               + '<h3 class="editor-tit">What happens next</h3>'
               + '<figure><img src="b.jpg"><figcaption><p>Engineers at work under the deck on Monday.</p>'
               + "</figcaption></figure>" + "".join(f"<p>{p}</p>" for p in BRIDGE[3:]))
    state = json.dumps({"props": {"article": {"title": "Council votes", "contentHtml": content}}})
    html = ("<html><head><title>Council votes to rebuild river bridge</title></head><body>"
            "<div id='app'></div>"
            f"<script id='__NEXT_DATA__' type='application/json'>{state}</script></body></html>")
    text = extract_article(html, "https://news.example.org/a").text
    assert text.split("\n") == [*BRIDGE[:3], "What happens next", *BRIDGE[3:]]


# -- helpers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, original, day", [
    ("https://web.archive.org/web/20140214093000/http://www.telegraph.co.uk/news/2014/02/13/x.html",
     "http://www.telegraph.co.uk/news/2014/02/13/x.html", date(2014, 2, 14)),
    ("http://web.archive.org/web/20140214093000id_/https://english.ahram.org.eg/News/1.aspx",
     "https://english.ahram.org.eg/News/1.aspx", date(2014, 2, 14)),
    ("https://web.archive.org/web/20200201000000/www.thehindu.com/a", "http://www.thehindu.com/a", date(2020, 2, 1)),
    ("https://example.org/a", "https://example.org/a", None),
    (None, None, None),
])
def test_unwrap_archive_url(url, original, day):
    assert unwrap_archive_url(url) == (original, day)


@pytest.mark.parametrize("title, names, expected", [
    ("Starmer defiant over gifts - The Telegraph", ["The Telegraph"], "Starmer defiant over gifts"),
    ("Budget day | The Hindu", ["The Hindu", "thehindu"], "Budget day"),
    ("Prince Harry LIVE: snub | Royal | News | Express.co.uk", ["Express.co.uk", "express"],
     "Prince Harry LIVE: snub"),
    ("Ahram Online - Russia trip 'new start'", ["Ahram Online"], "Russia trip 'new start'"),
    ("Headline – Die Neue Südtiroler Tageszeitung", ["tageszeitung"], "Headline"),
    ("Chiesa ruft zum Widerstand auf - Politik - Tages-Anzeiger", ["Tages-Anzeiger"],
     "Chiesa ruft zum Widerstand auf"),
    ("Iran - US talks: what next", ["The Telegraph"], "Iran - US talks: what next"),  # no site name
    ("The Telegraph", ["The Telegraph"], "The Telegraph"),
    # a long segment that mentions the site is the headline, not the site's name
    ("How we rebuilt Acme's task queue - a story of retries", ["acme", "acme.com"],
     "How we rebuilt Acme's task queue - a story of retries"),
    ("Acme Engineering Blog - How retries work", ["acme"], "How retries work"),
    # title-only pages of the 2000s: breadcrumbs after the site, dates, abbreviated and bracketed site names
    ("DAILY ACME | World | Middle East | Ceasefire agreed in the south", ["dailyacme"],
     "Ceasefire agreed in the south"),
    ("Acme News | Talks | Geneva", ["acme"], "Talks | Geneva"),  # too short to be a headline after a label
    ("Acme.com - Ceasefire agreed in the south - Aug 15, 2005", ["acme"], "Ceasefire agreed in the south"),
    ("Ceasefire Agreed - Springfield Daily Shopper", ["sdshopper"], "Ceasefire Agreed"),
    ("Ceasefire Agreed - North Acme Post", ["napost", "napost.com"], "Ceasefire Agreed"),
    ("Ceasefire Agreed - New Young Teachers", ["nytimes"], "Ceasefire Agreed - New Young Teachers"),
    ("Ceasefire Agreed (acmepost.com)", ["acmepost"], "Ceasefire Agreed"),
    ("Talks resume (again)", ["acmepost"], "Talks resume (again)"),
    ("Acme Online -- Ceasefire agreed in the south", ["acme"], "Ceasefire agreed in the south"),
    ("Ceasefire agreed -- for now", ["acme"], "Ceasefire agreed -- for now"),
])
def test_strip_site_name(title, names, expected):
    assert strip_site_name(title, names) == expected


def test_title_prefers_jsonld_then_og_then_h1():
    head = ('<meta property="og:title" content="Social headline | Site">'
            '<meta property="og:site_name" content="Site">')
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Declared headline"}</script>'
    body = "<h1>Visible headline</h1><p>x</p>"

    def page(h: str) -> Page:
        return Page(f"<html><head><title>Visible headline - Site</title>{h}</head><body>{body}</body></html>")

    assert extract_title(page(head + ld)) == "Declared headline"
    assert extract_title(page(head)) == "Social headline"
    assert extract_title(page("")) == "Visible headline"  # the h1 matching the start of <title>


def test_jsonld_headline_that_is_something_else_yields_to_the_agreeing_h1():
    def page(headline, og="Hermitian matrix", title="Hermitian matrix - Wiki"):
        ld = f'<script type="application/ld+json">{{"@type":"Article","headline":"{headline}"}}</script>'
        og_tag = f'<meta property="og:title" content="{og}">' if og else ""
        return Page(f'<html><head><title>{title}</title>{og_tag}'
                    f"{ld}</head><body><h1>Hermitian matrix<a href='#x'>¶</a></h1><p>Text.</p></body></html>")

    assert extract_title(page("square matrix equal to its conjugate transpose")) == "Hermitian matrix"
    # a <title> that is the h1 and a site tail agrees too (a Wikipedia page without og:title)
    assert extract_title(page("square matrix equal to its conjugate transpose", og=None)) == "Hermitian matrix"
    # a JSON-LD headline that says more about the same subject stays first
    assert extract_title(page("Hermitian matrix: definition and properties")) == \
        "Hermitian matrix: definition and properties"
    # with no agreement between the visible headline and the other metadata, JSON-LD keeps its rank
    assert extract_title(page("square matrix equal to its conjugate transpose", og="Matrices",
                              title="Matrices of note")) == "square matrix equal to its conjugate transpose"
    # a longer <title> that only starts with the h1 is no agreement
    assert extract_title(page("square matrix equal to its conjugate transpose", og=None,
                              title="Hermitian matrix - the full story of a square matrix in linear algebra")) == \
        "square matrix equal to its conjugate transpose"


def test_truncated_jsonld_headline_yields_to_full_h1():
    ld = ('<script type="application/ld+json">'
          '{"@type":"NewsArticle","headline":"Who is the star and how many..."}</script>')
    h1 = "<h1>Who is the star and how many children do they have?</h1>"
    p = Page(f"<html><head>{ld}</head><body>{h1}</body></html>")
    assert extract_title(p) == "Who is the star and how many children do they have?"


@pytest.mark.parametrize("raw, expected", [
    (["By Jane Doe and John Smith"], ["Jane Doe", "John Smith"]),
    (["Jane Doe, John Smith & Ann Lee"], ["Jane Doe", "John Smith", "Ann Lee"]),
    (["By JANE DOE, Political Correspondent"], ["JANE DOE"]),
    (["jane.doe@example.org"], []),
    (["https://www.facebook.com/jane"], []),
    (["Staff"], []),
    (["Special Correspondent"], []),
    (["Our Foreign Staff"], []),
    (["Guardian staff reporter"], ["Guardian staff reporter"]),
    (["Von Anna Muster"], ["Anna Muster"]),
    (["신현주 기자"], ["신현주"]),
    (["Ahram Online , Thursday 13 Feb 2014"], ["Ahram Online"]),
    (["Jane Doe", "jane doe"], ["Jane Doe"]),
    (["Nachrichten"], []),  # a section label in the byline slot, not a name
    (["News", "Noticias", "Jane Doe"], ["Jane Doe"]),
    # a date or count glued to the byline is cut off; what is left of the date goes too
    (["by Jane Doe22 Dec 2016651"], ["Jane Doe"]),
    (["By John Smith\n   March 25, 2015"], ["John Smith"]),
    (["Jane Doe | Sept. 4, 2019", "Ann Lee, Mon 3 May 2021"], ["Jane Doe", "Ann Lee"]),
    (["Theresa May"], ["Theresa May"]),
    (["Maria (Clara Lopes) Santos"], ["Maria Santos"]),  # no double space left
])
def test_normalize_authors(raw, expected):
    assert normalize_authors(raw) == expected


def test_guess_language():
    en = "The minister said that the talks were held in Moscow and that the two sides "
    de = "Der Minister sagte, dass die Gespräche in Moskau mit dem Partner stattfanden und "
    assert guess_language(en * 5) == "en" and guess_language(de * 5) == "de"
    assert guess_language("short") is None


def test_metrics_match_the_benchmark_definition():
    assert shingle_match("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = shingle_match("one two three four five", "one two three four six")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert exact_words("Hello, world!", "hello world") == 0.0
    assert exact_words("Hello, world!", "Hello world") == 1.0
    s = body_scores([("a b c d", "a b c d"), ("a b c d e f", "")])
    assert s["precision"] == 1.0 and s["recall"] == 0.5 and s["accuracy"] == 0.5
    assert same_title("“Quoted” — title", '"quoted" - Title') and same_authors(["B", "A"], ["a", "b"])


# -- real pages, read in place ------------------------------------------------------------------

def _need_realdata():
    if not (REALDATA / "articles").is_dir():
        pytest.skip(f"{REALDATA} not found: real-page tests skipped")


def test_aeb_sample_body_f1():
    _need_realdata()
    base = REALDATA / "articles" / "aeb"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pairs = []
    for key in sorted(truth)[::4]:
        f = base / "html" / f"{key}.html.gz"
        if f.exists():
            art = extract_article(gzip.decompress(f.read_bytes()), truth[key]["url"])
            pairs.append((truth[key]["articleBody"], art.text))
    assert len(pairs) >= 40
    assert body_scores(pairs)["f1"] >= 0.95


def test_fundus_sample_titles_authors_dates():
    _need_realdata()
    from crawler.devtools.evaluate import fundus_cases, read_bytes

    cases = fundus_cases(REALDATA)[::3]
    assert len(cases) >= 20
    titles = authors = days = 0
    for c in cases:
        art = extract_article(read_bytes(c["path"]), c["url"])
        exp = c["expected"]
        titles += same_title(exp["title"], art.title)
        authors += same_authors(exp.get("authors"), art.authors)
        days += bool(art.published) and art.published.isoformat() == exp["publishing_date"][:10]
    n = len(cases)
    assert titles / n >= 0.75 and authors / n >= 0.8 and days / n >= 0.95, (titles, authors, days, n)


BODY = "<p>" + "The council met to debate the bridge and the budget for the coming year. " * 8 + "</p>"
KICKER_H1 = ("<h1><span class='article-title__overline'>Streit im Rat</span>"
             "<span class='h-offscreen' aria-hidden='true'> - </span><span>Brücke über den Fluss wird teurer</span></h1>")


def test_kicker_kept_where_the_headline_metadata_carries_it():
    page = ("<html lang='de'><head><meta property='og:title' content='Streit im Rat: Brücke über den Fluss wird teurer'></head>"
            f"<body><article>{KICKER_H1}{BODY}</article></body></html>")
    assert extract_article(page, "https://example.ch/a/1").title == "Streit im Rat: Brücke über den Fluss wird teurer"


def test_kicker_left_out_where_other_headline_metadata_gives_the_headline_alone():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"headline": "Streit im Rat: Brücke über den Fluss wird teurer"}</script>')
    page = (f"<html lang='de'><head>{ld}<meta property='og:title' content='Brücke über den Fluss wird teurer'></head>"
            f"<body><article>{KICKER_H1}{BODY}</article></body></html>")
    assert extract_article(page, "https://example.ch/a/1").title == "Brücke über den Fluss wird teurer"
    # the display headline alone without the kicker does not make the metadata's kicker go
    page = ("<html><head><meta property='og:title' content='Nach dem Rückzug: Anwältin soll Ministerin werden'>"
            "</head><body><article><h1>Anwältin soll Ministerin werden</h1>" + BODY + "</article></body></html>")
    assert extract_article(page, "https://example.at/s/1").title == "Nach dem Rückzug: Anwältin soll Ministerin werden"


def test_display_headline_without_its_marked_up_kicker():
    page = f"<html lang='de'><head></head><body><article>{KICKER_H1}{BODY}</article></body></html>"
    assert extract_article(page, "https://example.ch/a/1").title == "Brücke über den Fluss wird teurer"


def test_a_headline_source_that_is_the_site_name_is_not_the_title():
    page = ("<html><head><title>Storm cuts power to thousands - Example News</title>"
            "<meta property='og:site_name' content='Example News'><meta property='og:title' content='Example News'>"
            "</head><body><article><h1>Storm cuts power to thousands</h1>" + BODY + "</article></body></html>")
    assert extract_article(page, "https://news.example.com/a/1").title == "Storm cuts power to thousands"


def test_byline_elements_vcard_head_link_and_a_card_holding_the_headline():
    from crawler.extract.authors import extract_authors

    def authors(head, body):
        return extract_authors(Page(f"<html><head><title>Flood plan approved</title>{head}</head>"
                                    f"<body>{body}</body></html>"))

    article = "<h1>Flood plan approved</h1><p>The council approved the plan on Tuesday.</p>"
    # an hCard byline ("vcard") is the article's, not a teaser card's
    assert authors("", f"<article><header>{article}<address class='vcard'><a rel='author' href='/a'>Ann Lee"
                       "</a></address></header></article>") == ["Ann Lee"]
    # a <link rel="author"> in the head names nobody: the byline element is still looked for
    assert authors("<link rel='author' href='https://example.com/ann'>",
                   f"{article}<span class='pb-byline'>By Ann Lee</span>") == ["Ann Lee"]
    # the article's own container may be called a card: the one holding the headline is the article
    card = f"<section class='main-card'>{article}<cite class='byline'>By ANN LEE March 11, 2015</cite></section>"
    assert authors("", card) == ["ANN LEE"]
    # a related card's byline beside the article is still not the article's
    assert authors("", f"{article}<div class='related-card'><span class='byline'>By Bo Chen</span></div>") == []


def test_byline_elements_nearest_the_headline_win_over_other_articles_names():
    """Author links elsewhere on the page (a list of other stories, with no teaser-like class) belong to other
    articles: only those in the innermost container of the headline that holds any count."""
    from crawler.extract.authors import extract_authors

    page = ("<html><head><title>Flood plan approved</title></head><body>"
            "<div id='main'><div class='story'><h1>Flood plan approved</h1>"
            "<p class='meta'>By <a rel='author' href='/ann'>Ann Lee</a> and <a rel='author' href='/raj'>Raj Patel"
            "</a></p><p>The council approved the plan on Tuesday.</p></div>"
            "<ul class='stories'><li><a href='/x'>Bridge reopens</a> <a rel='author' href='/bo'>Bo Chen</a></li>"
            "<li><a href='/y'>Rail strike ends</a> <a rel='author' href='/cy'>Cy Young</a></li></ul></div>"
            "</body></html>")
    assert extract_authors(Page(page)) == ["Ann Lee", "Raj Patel"]
    # an article whose byline sits at its end is the same container: both names count, the list's do not
    at_end = page.replace("<p class='meta'>", "<p>Text.</p><p class='meta'>", 1)
    assert extract_authors(Page(at_end)) == ["Ann Lee", "Raj Patel"]
    # no headline found: every byline element still counts (up to six)
    no_headline = page.replace("<h1>Flood plan approved</h1>", "")
    assert extract_authors(Page(no_headline)) == ["Ann Lee", "Raj Patel", "Bo Chen", "Cy Young"]


def test_byline_classes_that_name_the_author_and_their_profile_links():
    """A class that names the author element itself ("author", "post-author", "article__author") marks a byline;
    one for more than the name ("author-bio") does not. Inside such a byline, links to author pages give the
    names, so a role beside them stays out."""
    from crawler.extract.authors import extract_authors

    def authors(byline):
        return extract_authors(Page("<html><head><title>Flood plan approved</title></head><body><article>"
                                    f"<h1>Flood plan approved</h1>{byline}<p>The council approved the plan.</p>"
                                    "</article></body></html>"))

    assert authors("<div class='article__author'>By\n\t\tScott Cunningham\t</div>") == ["Scott Cunningham"]
    assert authors("<p class='post-author'>By Ann Lee</p>") == ["Ann Lee"]
    assert authors("<div class='author-bio'>Ann Lee writes about cities and rivers.</div>") == []
    assert authors("<div class='author'><a href='/author/ben-silverman'>Ben Silverman</a>"
                   "<span>Games Editor</span></div>") == ["Ben Silverman"]
    assert authors("<div class='author'>By <a href='/people/ann-lee'>Ann Lee</a> and "
                   "<a href='/people/raj-patel'>Raj Patel</a></div>") == ["Ann Lee", "Raj Patel"]


def test_headline_in_dublin_core_or_parsely_metadata():
    body = "<body><article><h2>Springfield Gazette</h2>" + BODY + "</article></body>"
    for meta in ("<meta name='DC.Title' content='Council approves the 2025 budget'>",
                 "<meta name='parsely-title' content='Council approves the 2025 budget'>"):
        page = f"<html><head><title>Springfield Gazette - Local news</title>{meta}</head>{body}</html>"
        assert extract_article(page, "https://gazette.example.org/n/1").title == "Council approves the 2025 budget"
    # og:title and the JSON-LD headline keep their rank
    page = ("<html><head><meta property='og:title' content='Budget approved after a long night'>"
            "<meta name='dc.title' content='Council approves the 2025 budget'></head>" + body + "</html>")
    assert extract_article(page, "https://gazette.example.org/n/1").title == "Budget approved after a long night"


def test_descriptions_are_read_in_order_without_repeats():
    html = ('<html><head><meta property="og:description" content="One  two"><meta name="description" '
            'content="One two"><meta name="twitter:description" content="Three"></head><body></body></html>')
    assert descriptions(Page(html, GENERIC_URL)) == ["One two", "Three"]
