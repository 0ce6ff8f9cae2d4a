"""Publication-date cascade (crawler.extract.dates)."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.extract.dates import find_text_date, parse_datetime, resolve_date, url_date
from crawler.extract.encoding import decode_html

DATA = Path(__file__).parent / "data" / "articles"
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
AHRAM_URL = ("http://english.ahram.org.eg/NewsContent/1/64/94184/Egypt/Politics-/"
             "Russia-trip-new-start-to-military-cooperation-Egyp.aspx")


def html(head: str = "", body: str = "<p>text</p>") -> str:
    return f"<html><head><title>Some headline here</title>{head}</head><body>{body}</body></html>"


def ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# -- parsing ------------------------------------------------------------------------------------

def test_parse_iso_with_offset_keeps_local_day():
    day, at = parse_datetime("2014-02-13T23:30:00-05:00")
    assert day == date(2014, 2, 13)
    assert at == datetime(2014, 2, 14, 4, 30, tzinfo=timezone.utc)
    assert at.utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize("raw, day, has_time", [
    ("2014-02-13T07:45:00Z", date(2014, 2, 13), True),
    ("2014-02-13T07:45+0100", date(2014, 2, 13), True),
    ("2020-12-05T23:15:0Z", date(2020, 12, 5), True),  # single-digit seconds seen in the wild
    ("20200414T00:38:07Z", date(2020, 4, 14), True),
    ("2014-02-13T07:45:00", date(2014, 2, 13), False),  # naive: no published_at
    ("2014-02-13", date(2014, 2, 13), False),
    ("1392277500", date(2014, 2, 13), True),  # epoch seconds
    ("Thu, 13 Feb 2014 07:45:00 GMT", date(2014, 2, 13), True),
    ("February 13, 2014 5:07 PM", date(2014, 2, 13), False),
    ({"@value": "2014-02-13"}, date(2014, 2, 13), False),
])
def test_parse_datetime(raw, day, has_time):
    got = parse_datetime(raw)
    assert got is not None and got[0] == day
    assert (got[1] is not None) == has_time
    if got[1] is not None:
        assert got[1].tzinfo is not None


@pytest.mark.parametrize("raw", ["", "yesterday", "1200-01-01", "2014-13-45", None, 12, "3025-01-01"])
def test_parse_datetime_rejects(raw):
    assert parse_datetime(raw) is None


@pytest.mark.parametrize("url, day", [
    ("https://www.telegraph.co.uk/news/2014/02/13/story/", date(2014, 2, 13)),
    ("https://www.spokesman.com/stories/2019/nov/19/meth/", date(2019, 11, 19)),
    ("https://www.registerguard.com/news/20200413/second-suspect", date(2020, 4, 13)),
    ("https://example.org/2014-02-13-flood-barrier.html", date(2014, 2, 13)),
    ("https://www.nieuwsblad.be/cnt/dmf20250202_96887132", date(2025, 2, 2)),
    ("https://example.org/news/123456789/story", None),
    ("https://example.org/2014/43/story", None),
    ("https://example.org/2014/02/", None),
    (None, None),
])
def test_url_date(url, day):
    assert url_date(url) == day


@pytest.mark.parametrize("text, day", [
    ("Thursday 13 Feb 2014", date(2014, 2, 13)),
    ("Ahram Online , Thursday 13 Feb 2014", date(2014, 2, 13)),
    ("Feb. 13, 2014 5:07 PM EST", date(2014, 2, 13)),
    ("13. Februar 2014", date(2014, 2, 13)),
    ("Publicado el 13 de febrero de 2014", date(2014, 2, 13)),
    ("13.02.2014 um 10:52", date(2014, 2, 13)),
    ("2014年2月13日", date(2014, 2, 13)),
    ("13/02/2014", date(2014, 2, 13)),
    ("no date here", None),
])
def test_find_text_date(text, day):
    assert find_text_date(text) == day


def test_find_text_date_month_first():
    assert find_text_date("02/03/2014", month_first=True) == date(2014, 2, 3)
    assert find_text_date("02/03/2014") == date(2014, 3, 2)


# -- cascade ------------------------------------------------------------------------------------

def test_jsonld_graph_beats_meta_and_ignores_related_items():
    page = html(ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "datePublished": "2010-01-01"},
        {"@type": "NewsArticle", "headline": "x", "datePublished": "2014-02-13T10:00:00+02:00"},
        {"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", "datePublished": "2012-05-05"}]},
    ]}) + '<meta property="article:published_time" content="2014-02-12">')
    r = resolve_date(page, "https://example.org/a")
    assert r.published == date(2014, 2, 13) and r.source == "jsonld"
    assert r.published_at.utcoffset() == timedelta(hours=2)


def test_modified_date_is_never_used():
    page = html('<meta property="article:modified_time" content="2014-03-01T10:00:00Z">'
                + ld({"@type": "NewsArticle", "dateModified": "2014-03-01"}),
                '<article><p>Body</p></article>')
    r = resolve_date(page, "https://example.org/story/2014/02/13/x")
    assert r.published == date(2014, 2, 13) and r.source == "url"


@pytest.mark.parametrize("meta", ["article:published_time", "og:published_time", "pubdate", "publishdate",
                                  "DC.date.issued", "sailthru.date", "parsely-pub-date", "datePublished"])
def test_meta_names(meta):
    attr = "itemprop" if meta == "datePublished" else ("property" if ":" in meta else "name")
    r = resolve_date(html(f'<meta {attr}="{meta}" content="2014-02-13T09:00:00+00:00">'), None)
    assert r.published == date(2014, 2, 13) and r.source.startswith("meta:")


def test_time_element():
    r = resolve_date(html(body='<article><header><h1>Headline</h1><time datetime="2014-02-13">13 Feb</time>'
                               '</header><p>x</p></article>'), None)
    assert r.published == date(2014, 2, 13) and r.source == "time-element"


def test_confidence_comes_from_the_table_by_evidence():
    from crawler.extract.date_confidence import DateTable

    table = DateTable({"meta|agreed": (99, 100), "meta|alone": (45, 50), "meta|disputed": (1, 4)})
    meta = html('<meta property="article:published_time" content="2014-02-13">')
    agree = resolve_date(meta, "https://example.org/2014/02/13/x", table=table)
    alone = resolve_date(meta, None, table=table)
    disagree = resolve_date(meta, "https://example.org/2014/05/01/x", table=table)
    assert (agree.evidence, alone.evidence, disagree.evidence) == ("meta|agreed", "meta|alone", "meta|disputed")
    assert agree.confidence == round((99 + 4 * table.confidence("meta")) / 104, 3)
    assert agree.confidence > alone.confidence > disagree.confidence


def test_utc_instant_gives_its_utc_day_whatever_the_publisher_country():
    page = html('<meta property="article:published_time" content="2020-12-05T23:15:00Z">')
    r = resolve_date(page, "https://www.example.it/news/1")
    assert r.published == date(2020, 12, 5)
    assert r.published_at == datetime(2020, 12, 5, 23, 15, tzinfo=timezone.utc)
    page = html(ld({"@type": "NewsArticle", "datePublished": "2019-03-05T03:10:00Z"}), "")
    assert resolve_date(page.replace("<html>", "<html lang='en-US'>"), "https://news.example.com/a").published \
        == date(2019, 3, 5)


def test_offset_keeps_its_own_day():
    page = html('<meta property="article:published_time" content="2014-02-13T23:30:00-05:00">')
    r = resolve_date(page, "https://example.org/a")
    assert r.published == date(2014, 2, 13) and r.published_at.utcoffset() == timedelta(hours=-5)


def test_utc_instant_takes_the_day_the_page_writes_for_the_same_instant():
    # the same instant with an offset in another source
    page = html(ld({"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"})
                + '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">')
    r = resolve_date(page, "https://example.org/a")
    assert r.published == date(2019, 10, 19) and r.published_at.utcoffset() == timedelta(hours=2)
    # another timestamp's offset (a modification time) is not the same instant: the UTC day stays
    page = html(ld({"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z",
                    "dateModified": "2019-10-19T08:00:00+02:00"}))
    assert resolve_date(page, "https://example.org/a").published == date(2019, 10, 18)


def test_utc_instant_and_the_url_day():
    page = html(ld({"@type": "NewsArticle", "datePublished": "2020-02-18T02:18:11Z"}))
    r = resolve_date(page, "https://news.example.com/2020/02/17/story/")
    assert r.published == date(2020, 2, 17)  # 02:18 UTC is the 17th west of UTC−2:18: the URL says so
    assert r.published_at == datetime(2020, 2, 18, 2, 18, 11, tzinfo=timezone.utc)
    late = html(ld({"@type": "NewsArticle", "datePublished": "2020-07-09T10:04:04Z"}))
    # 10:04 UTC is the 9th in every inhabited zone: a URL of the 8th is the day the story was started
    assert resolve_date(late, "https://news.example.com/2020/07/08/story/").published == date(2020, 7, 9)


def test_utc_instant_and_a_local_time_in_the_page_data():
    data = "<script>var info = {}; info.article.publication_date = '2020-12-06 00:15';</script>"
    page = html('<meta property="article:published_time" content="2020-12-05T23:15:00Z">', data)
    assert resolve_date(page, "https://example.org/a").published == date(2020, 12, 6)
    # a time of another item that is not a whole or half hour off the instant is not this one
    other = "<script>x = {'dateOfPublication': '2020-12-05 14:30:00'}</script>"
    page = html('<meta property="article:published_time" content="2020-12-06T03:45:00Z">', other)
    assert resolve_date(page, "https://example.org/a").published == date(2020, 12, 6)


@pytest.mark.parametrize("lang, text, day", [
    ("de", "Stand: 01.11.2023 10:00", date(2023, 11, 1)),
    ("en-US", "Updated 11/01/2023 10:00", date(2023, 11, 1)),
    ("en-GB", "Updated 11/01/2023 10:00", date(2023, 1, 11)),
    ("fr", "Publié le 03/04/2020 à 10:00", date(2020, 4, 3)),
])
def test_numeric_dates_read_in_the_page_order(lang, text, day):
    page = (f"<html lang='{lang}'><head><title>A headline of the story</title></head><body><article>"
            f"<h1>A headline of the story</h1><time pubdate>{text}</time><p>text</p></article></body></html>")
    assert resolve_date(page, "https://example.org/a").published == day


def test_ambiguous_numeric_date_checked_against_the_other_dates():
    page = ("<html lang='en-GB'><head><title>A headline of the story</title></head><body><article>"
            "<h1>A headline of the story</h1><time pubdate>03/04/2020 10:00</time><p>text</p></article></body></html>")
    assert resolve_date(page, "https://example.org/a").published == date(2020, 4, 3)
    assert resolve_date(page, "https://example.org/2020/03/04/a").published == date(2020, 3, 4)


COMMENTS = ("<section class='comments'><article><header><time datetime='2019-06-01T10:00'>1 June</time>"
            "</header><p>First!</p></article></section>")
RELATED = ("<aside><ul><li><article><time datetime='2018-02-02'>2 Feb 2018</time><a href='/x'>Other story</a>"
           "</article></li></ul></aside>")
TEASER_META = ("<div class='teaser' itemscope itemtype='https://schema.org/NewsArticle'>"
               "<meta itemprop='datePublished' content='2017-07-07'><a href='/y'>Another story</a></div>")


@pytest.mark.parametrize("outside", [COMMENTS, RELATED, TEASER_META,
                                     "<footer><p>© <time datetime='2021-01-01'>2021</time> Example</p></footer>"])
def test_a_date_outside_the_article_does_not_win_over_htmldate(outside):
    body = ("<article><h1>Some headline here</h1><p>Posted on March 3, 2015 by admin</p><p>"
            + "text " * 50 + "</p></article>" + outside)
    r = resolve_date(html(body=body), "https://blog.example.org/post")
    assert r.published == date(2015, 3, 3) and r.source in ("dateline", "htmldate")


def test_time_element_inside_the_article_counts():
    body = (RELATED + "<article class='story-card'><h1>Some headline here</h1><time datetime='2015-03-04'>4 March"
            "</time><p>text</p></article>")
    r = resolve_date(html(body=body), "https://example.org/post")
    assert r.published == date(2015, 3, 4) and r.source == "time-element"


def test_structured_date_after_the_url_day_is_a_republication():
    page = html(ld({"@type": "NewsArticle", "datePublished": "2019-06-17T10:00:00+02:00"}))
    r = resolve_date(page, "https://www.example.de/home/2017/7/12/story")
    assert r.published == date(2017, 7, 12) and r.source == "url"
    near = html(ld({"@type": "NewsArticle", "datePublished": "2017-07-13T10:00:00+02:00"}))
    assert resolve_date(near, "https://www.example.de/home/2017/7/12/story").published == date(2017, 7, 13)


def test_no_time_zone_means_no_published_at():
    r = resolve_date(html('<meta property="article:published_time" content="2014-02-13T09:00:00">'), None)
    assert r.published == date(2014, 2, 13) and r.published_at is None


def test_event_window_flags_update_dates():
    page = html(ld({"@type": "NewsArticle", "datePublished": "2014-06-01T10:00:00Z"}))
    r = resolve_date(page, "https://example.org/a", event_day=date(2014, 2, 13))
    plain = resolve_date(page, "https://example.org/a")
    assert r.flag == "after_event_window" and r.confidence == round(plain.confidence * 0.5, 3)
    # an in-window candidate (the URL) is preferred over the late structured date
    r2 = resolve_date(page, "https://example.org/2014/02/13/a", event_day=date(2014, 2, 13))
    assert r2.published == date(2014, 2, 13) and r2.flag == "later_date_ignored"
    # inside the window: no flag
    r3 = resolve_date(page, "https://example.org/a", event_day=date(2014, 5, 30))
    assert r3.flag is None and r3.published == date(2014, 6, 1)


def test_dateline_next_to_headline_and_today_box_ignored():
    raw = (DATA / "ahram_english_newscontent_2014.html").read_text(encoding="utf-8")
    r = resolve_date(raw, AHRAM_URL)
    assert r.published == date(2014, 2, 13) and r.source == "dateline"  # not the header's "today" date


def test_htmldate_fallback_and_year_only_guard():
    body = "<article><h1>Some headline here</h1><p>Posted on March 3, 2015 by admin</p><p>" + "text " * 50
    r = resolve_date(html(body=body + "</p></article>"), "https://blog.example.org/post")
    assert r.published == date(2015, 3, 3)
    # only a copyright year: no date rather than YYYY-01-01
    r2 = resolve_date(html(body="<p>" + "text " * 50 + "</p><footer>© 2016 Example</footer>"),
                      "https://example.org/about")
    assert r2.published is None and r2.source is None


def test_to_dict_is_json_ready():
    meta = '<meta property="article:published_time" content="2014-02-13T09:00:00+01:00">'
    r = resolve_date(html(meta), None)
    d = json.loads(json.dumps(r.to_dict()))
    assert d["published"] == "2014-02-13" and d["published_at"] == "2014-02-13T09:00:00+01:00"


# -- real pages ---------------------------------------------------------------------------------

def _need_realdata():
    if not (REALDATA / "articles").is_dir():
        pytest.skip(f"{REALDATA} not found: real-page tests skipped")


def test_htmldate_set_sample_accuracy():
    _need_realdata()
    files = sorted((REALDATA / "articles" / "htmldate").glob("**/*.html.date.json"))[::3]
    assert files
    ok = 0
    for j in files:
        exp = json.loads(j.read_text(encoding="utf-8"))
        want = exp["date"] if isinstance(exp["date"], str) else None
        raw = gzip.decompress(j.with_name(j.name[: -len(".date.json")] + ".gz").read_bytes())
        r = resolve_date(decode_html(raw)[0], exp["url"])
        ok += (r.published.isoformat() if r.published else None) == want
    assert ok / len(files) >= 0.9, f"{ok}/{len(files)}"


def test_fundus_dates_sample():
    _need_realdata()
    checked = 0
    for meta_file in sorted((REALDATA / "articles" / "fundus").glob("*/meta.info"))[:8]:
        metas = json.loads(meta_file.read_text(encoding="utf-8"))
        for name, info in list(metas.items())[:2]:
            page_file = meta_file.parent / name
            expected_file = meta_file.parent / (name.rsplit("_", 3)[0] + ".json")
            if not page_file.exists() or not expected_file.exists():
                continue
            expected = json.loads(expected_file.read_text(encoding="utf-8"))
            days = {v["publishing_date"][:10] for v in expected.values() if v.get("publishing_date")}
            r = resolve_date(decode_html(gzip.decompress(page_file.read_bytes()))[0], info["url"])
            assert r.published and r.published.isoformat() in days, (name, r)
            checked += 1
    assert checked >= 5


# -- htmldate's dateparser fallback: the page's language only ---------------------------------------------


def _languages_htmldate_sees(monkeypatch, page_html: str):
    """Run the cascade on a page with no date, recording the languages of the dateparser htmldate would use."""
    import htmldate.extractors

    import crawler.extract.dates as dates

    seen = []

    def fake_find_date(*args, **kwargs):
        seen.append(htmldate.extractors.get_external_parser().languages)
        return None

    monkeypatch.setattr(dates, "find_date", fake_find_date)
    resolve_date(page_html, "https://news.example.org/story/flood-plan")
    assert len(seen) == 1
    return seen[0]


def test_htmldate_dateparser_gets_the_declared_language_and_english(monkeypatch):
    page = "<html lang='de-AT'><head><title>Hochwasserplan beschlossen</title></head><body><p>Text</p></body></html>"
    assert _languages_htmldate_sees(monkeypatch, page) == ["de", "en"]


def test_htmldate_dateparser_language_guessed_from_prose_when_undeclared(monkeypatch):
    prose = ("<p>The council said on Tuesday that the river flood plan was approved by the members and that "
             "work on the defences is to start in the spring, after the winter storms have passed.</p>") * 3
    assert _languages_htmldate_sees(monkeypatch, html(body=prose)) == ["en"]


def test_htmldate_dateparser_languages_of_the_script_when_undeclared(monkeypatch):
    cyrillic = "<p>" + "Городской совет утвердил план защиты от наводнений после долгого обсуждения. " * 3 + "</p>"
    assert _languages_htmldate_sees(monkeypatch, html(body=cyrillic))[:2] == ["ru", "uk"]
    japanese = "<p>" + "市議会は長い議論の末、洪水対策の計画を承認したと火曜日に発表しました。" * 3 + "</p>"
    assert _languages_htmldate_sees(monkeypatch, html(body=japanese)) == ["ja", "en"]


def test_htmldate_dateparser_keeps_every_language_when_nothing_tells(monkeypatch):
    page = "<html><head><title>2019 · 42</title></head><body><p>12 34</p></body></html>"
    assert _languages_htmldate_sees(monkeypatch, page) is None  # htmldate's own all-language parser
    page = "<html lang='la'><head><title>Pagina Latina</title></head><body><p>x</p></body></html>"
    assert _languages_htmldate_sees(monkeypatch, page) == ["en"]  # dateparser has no Latin


def test_htmldate_language_parser_reads_the_language_with_htmldate_settings():
    import htmldate.extractors

    from crawler.extract.htmldate_languages import _HTMLDATE_PARSER, page_languages, usable_languages

    assert usable_languages(("no", "en", "en")) == ("nb", "en")
    assert usable_languages(("xx",)) is None and usable_languages(None) is None
    with page_languages(("de", "en")) as languages:
        parser = htmldate.extractors.get_external_parser()
        assert languages == ("de", "en") and parser.languages == ["de", "en"]
        assert parser._settings is _HTMLDATE_PARSER()._settings
        assert parser.get_date_data("3. März 2019")["date_obj"].date() == date(2019, 3, 3)
    assert htmldate.extractors.get_external_parser() is _HTMLDATE_PARSER()
