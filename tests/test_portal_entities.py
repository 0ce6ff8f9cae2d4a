"""Entity resolution requests and answers (crawler.portal.entities), on hand-written formatversion=2 answers."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.items import Entity, Event
from crawler.portal.api import ApiError
from crawler.portal.entities import (Batcher, answer_query, day_titles, extent_m, failed_resolutions, merge_query,
                                     read_resolutions, resolve_url)

API = "https://en.wikipedia.org/w/api.php"

# One answer as en.wikipedia gives it: a normalised title, a redirect chain (one hop to a section), a red link,
# an invalid title, a page without coordinates, pages with Wikidata ids and primary coordinates.
ANSWER = {
    "batchcomplete": True,
    "query": {
        "normalized": [{"fromencoded": False, "from": "sergey_shoigu", "to": "Sergey shoigu"}],
        "redirects": [
            {"from": "Sergey shoigu", "to": "Sergey Shoigu"},
            {"from": "Sergey Shoigu", "to": "Sergei Shoigu"},
            {"from": "Parwan Detention Facility", "to": "Bagram Airfield", "tofragment": "Detention facility"},
        ],
        "pages": [
            {"pageid": 1002, "ns": 0, "title": "Sergei Shoigu", "contentmodel": "wikitext", "lastrevid": 555001,
             "pageprops": {"wikibase_item": "Q193509"}},
            {"pageid": 1003, "ns": 0, "title": "Cairo", "lastrevid": 555002,
             "pageprops": {"wikibase_item": "Q85"},
             "coordinates": [{"lat": 30.0444, "lon": 31.2358, "primary": True, "globe": "earth", "type": "city",
                              "dim": 30000}]},
            {"pageid": 1004, "ns": 0, "title": "Bagram Airfield", "lastrevid": 555003,
             "coordinates": [{"lat": 34.946, "lon": 69.265, "primary": True, "globe": "earth",
                              "type": "airport"}]},
            {"ns": 0, "title": "Kenya–Tanzania Fibre Link", "missing": True},
            {"title": "Foo|bar", "invalidreason": "The requested page title contains invalid characters: \"|\".",
             "invalid": True},
        ],
    },
}
TITLES = ["sergey_shoigu", "Cairo", "Parwan Detention Facility", "Kenya–Tanzania Fibre Link", "Foo|bar"]


def test_resolve_url_asks_for_pageprops_coordinates_info_with_redirects_and_maxlag():
    url = resolve_url(API, ["Cairo", "Sergey Shoigu"], 5, {"cocontinue": "1003|7", "continue": "||pageprops|info"})
    q = parse_qs(urlsplit(url).query)
    assert url.startswith(API + "?")
    assert q["action"] == ["query"] and q["format"] == ["json"] and q["formatversion"] == ["2"]
    assert q["titles"] == ["Cairo|Sergey Shoigu"] and q["redirects"] == ["1"]
    assert q["prop"] == ["pageprops|coordinates|info"] and q["ppprop"] == ["wikibase_item"]
    assert q["colimit"] == ["max"] and q["maxlag"] == ["5"]
    assert q["cocontinue"] == ["1003|7"] and q["continue"] == ["||pageprops|info"]


def test_read_resolutions_follows_normalisation_and_redirect_chains():
    query, cont = answer_query(ANSWER)
    assert cont is None
    got = {r.title: r for r in read_resolutions(TITLES, merge_query(None, query))}
    assert list(got) == TITLES
    shoigu = got["sergey_shoigu"]
    assert (shoigu.status, shoigu.canonical_title, shoigu.qid, shoigu.page_id, shoigu.revision_id) == \
        ("ok", "Sergei Shoigu", "Q193509", 1002, 555001)
    assert shoigu.lat is None and shoigu.lon is None and shoigu.error is None  # a page without coordinates
    cairo = got["Cairo"]
    assert (cairo.canonical_title, cairo.qid, cairo.lat, cairo.lon, cairo.coord_type, cairo.coord_dim) == \
        ("Cairo", "Q85", 30.0444, 31.2358, "city", 30000)
    parwan = got["Parwan Detention Facility"]
    assert (parwan.canonical_title, parwan.fragment, parwan.qid, parwan.lat) == \
        ("Bagram Airfield", "Detention facility", None, 34.946)
    red = got["Kenya–Tanzania Fibre Link"]
    assert (red.status, red.canonical_title, red.qid) == ("missing", "Kenya–Tanzania Fibre Link", None)
    bad = got["Foo|bar"]
    assert bad.status == "invalid" and "invalid characters" in bad.error


def test_a_title_the_answer_does_not_mention_is_an_api_error():
    query, _ = answer_query(ANSWER)
    (res,) = read_resolutions(["Nowhere"], query)
    assert res.status == "api_error" and res.error == "title absent from the API answer"


def test_redirect_loop_and_interwiki_are_invalid():
    query = {"redirects": [{"from": "A", "to": "B"}, {"from": "B", "to": "A"}],
             "interwiki": [{"title": "fr:Paris", "iw": "fr"}], "pages": []}
    a, fr = read_resolutions(["A", "fr:Paris"], query)
    assert (a.status, a.error) == ("invalid", "redirect loop")
    assert fr.status == "invalid" and "interwiki" in fr.error


@pytest.mark.parametrize("qid", ["q85", "Q85x", "85", "", 85, None, "Q"])
def test_bad_qid_is_recorded_and_the_rest_kept(qid):
    page = {"pageid": 7, "title": "Cairo", "lastrevid": 9, "pageprops": {"wikibase_item": qid},
            "coordinates": [{"lat": 30.0, "lon": 31.0, "primary": True}]}
    (res,) = read_resolutions(["Cairo"], {"pages": [page]})
    if qid is None:  # no wikibase_item at all: fine
        assert res.status == "ok" and res.qid is None
        return
    assert res.status == "bad_qid" and res.qid is None and "bad wikibase_item" in res.error
    assert (res.canonical_title, res.page_id, res.lat, res.lon) == ("Cairo", 7, 30.0, 31.0)


@pytest.mark.parametrize("coord", [
    {"lat": 91.0, "lon": 0.0, "primary": True},
    {"lat": 10.0, "lon": -180.5, "primary": True},
    {"lat": "30.1", "lon": 31.0, "primary": True},
    {"lat": None, "lon": 31.0, "primary": True},
    {"lat": True, "lon": 31.0, "primary": True},
    {"lat": float("nan"), "lon": 31.0, "primary": True},
])
def test_malformed_coordinates_are_recorded_and_left_out(coord):
    page = {"pageid": 7, "title": "X", "pageprops": {"wikibase_item": "Q1"}, "coordinates": [coord]}
    (res,) = read_resolutions(["X"], {"pages": [page]})
    assert res.status == "bad_coordinates" and res.lat is None and res.lon is None
    assert res.qid == "Q1" and res.error.startswith("malformed coordinates")


def test_bad_qid_and_bad_coordinates_together_keep_both_messages():
    page = {"pageid": 7, "title": "X", "pageprops": {"wikibase_item": "P31"},
            "coordinates": [{"lat": 100, "lon": 0, "primary": True}]}
    (res,) = read_resolutions(["X"], {"pages": [page]})
    assert res.status == "bad_qid" and "bad wikibase_item" in res.error and "malformed coordinates" in res.error


def test_only_primary_earth_coordinates_count():
    secondary = {"pageid": 1, "title": "S", "coordinates": [{"lat": 1.0, "lon": 2.0}]}
    moon = {"pageid": 2, "title": "M", "coordinates": [{"lat": 1.0, "lon": 2.0, "primary": True, "globe": "moon"}]}
    both = {"pageid": 3, "title": "B", "coordinates": [{"lat": 5.0, "lon": 6.0},
                                                        {"lat": 7.0, "lon": 8.0, "primary": True}]}
    s, m, b = read_resolutions(["S", "M", "B"], {"pages": [secondary, moon, both]})
    assert (s.status, s.lat) == ("ok", None)
    assert (m.status, m.lat) == ("ok", None)
    assert (b.lat, b.lon) == (7.0, 8.0)


def test_continued_answers_merge_their_properties():
    first = {"continue": {"cocontinue": "12|0", "continue": "||pageprops|info"},
             "query": {"normalized": [{"from": "cairo", "to": "Cairo"}],
                       "pages": [{"pageid": 11, "ns": 0, "title": "Cairo", "lastrevid": 5,
                                  "pageprops": {"wikibase_item": "Q85"},
                                  "coordinates": [{"lat": 30.0, "lon": 31.0, "primary": True}]},
                                 {"pageid": 12, "ns": 0, "title": "Moscow", "lastrevid": 6,
                                  "pageprops": {"wikibase_item": "Q649"}}]}}
    second = {"batchcomplete": True,
              "query": {"normalized": [{"from": "cairo", "to": "Cairo"}],
                        "pages": [{"pageid": 11, "ns": 0, "title": "Cairo"},
                                  {"pageid": 12, "ns": 0, "title": "Moscow",
                                   "coordinates": [{"lat": 55.75, "lon": 37.62, "primary": True}]}]}}
    q1, cont = answer_query(first)
    assert cont == {"cocontinue": "12|0", "continue": "||pageprops|info"}
    q2, cont2 = answer_query(second)
    assert cont2 is None
    merged = merge_query(merge_query(None, q1), q2)
    cairo, moscow = read_resolutions(["cairo", "Moscow"], merged)
    assert (cairo.canonical_title, cairo.qid, cairo.lat, cairo.revision_id) == ("Cairo", "Q85", 30.0, 5)
    assert (moscow.qid, moscow.lat, moscow.lon, moscow.revision_id) == ("Q649", 55.75, 37.62, 6)
    assert merged["normalized"] == [{"from": "cairo", "to": "Cairo"}]  # repeated parts are not doubled


def test_api_error_json_and_unreadable_answers():
    with pytest.raises(ApiError) as err:
        answer_query({"error": {"code": "maxlag", "info": "Waiting for db1: 6 seconds lagged.", "lag": 6}})
    assert err.value.retryable and err.value.lag == 6
    with pytest.raises(ApiError) as err:
        answer_query({"error": {"code": "toomanyvalues", "info": "Too many values"}})
    assert not err.value.retryable
    for bad in ([], "x", {"query": []}, {"query": {"pages": {"1": {}}}}):
        with pytest.raises(ValueError):
            answer_query(bad)


def test_failed_resolutions_carry_a_one_line_reason():
    got = failed_resolutions(["A", "B"], "api_error: HTTP 503\nService Unavailable")
    assert [(r.title, r.status, r.error) for r in got] == [
        ("A", "api_error", "api_error: HTTP 503 Service Unavailable"),
        ("B", "api_error", "api_error: HTTP 503 Service Unavailable")]


def test_day_titles_links_and_story_names_once_in_page_order():
    day = date(2014, 2, 13)
    events = [
        Event(day, "International relations", ["Egypt–Russia relations"], "…",
              entities=[Entity("Moscow", "Moscow"), Entity("Sergey Lavrov", "Lavrov")]),
        Event(day, None, ["Egypt–Russia relations", "Protests erupt in Cairo after the verdict."], "…",
              entities=[Entity("Moscow", "Moscow"), Entity("Cairo", "Cairo")]),
        Event(day, None, ["egypt_news"], "…"),
    ]
    assert day_titles(events) == ["Egypt–Russia relations", "Moscow", "Sergey Lavrov", "Cairo", "Egypt news"]


def test_batcher_full_batches_at_once_the_rest_on_drain():
    b = Batcher(size=50)
    titles = [f"Title {i}" for i in range(120)]
    assert b.new(titles[:10] + titles[:3]) == titles[:10]
    full = b.add(titles[:60])
    assert [len(x) for x in full] == [50] and full[0] == titles[:50]
    assert b.new(titles[55:65]) == titles[60:65]  # taken ones are not new
    full = b.add(titles[60:120])
    assert [len(x) for x in full] == [50]
    assert b.drain() == [titles[100:120]] and b.drain() == []
    batches = [titles[:50], titles[50:100], titles[100:120]]
    assert [len(x) for x in batches] == [50, 50, 20]  # ceil(120 / 50) requests in all


def test_batcher_cuts_a_batch_before_the_url_gets_too_long():
    b = Batcher(size=50, max_chars=300)
    # 15 Cyrillic letters × 6 ("%D0%94"), 2 spaces × 3, a digit, and 3 for the "|": 100 characters a title
    long = [f"Длинное название {i}" for i in range(10)]
    out = b.add(long) + b.drain()
    assert [len(x) for x in out] == [3, 3, 3, 1]
    assert [t for x in out for t in x] == long


def test_extent_prefers_dim_then_type():
    assert extent_m("city", 30000) == 30000
    assert extent_m("landmark", None) < extent_m("city", None) < extent_m("adm1st", None) < extent_m("country", None)
    assert extent_m(None, None) == extent_m("city", None)
