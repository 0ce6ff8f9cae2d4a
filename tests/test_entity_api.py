"""The API stand-in's entity and Wikidata answers (crawler.devtools.entity_api), read back with the crawler's own
readers: what `make demo` and the e2e tests are served is the MediaWiki / Wikibase wire format."""

from crawler.devtools.entity_api import answer_resolution, answer_wbgetentities
from crawler.portal.entities import answer_query, merge_query, read_resolutions
from crawler.portal.wikidata import read_items

DATA = {
    "pages": {"Cairo": {"qid": "Q85", "coordinates": {"lat": 30.0, "lon": 31.2, "type": "city"}},
              "Moscow": {"qid": "Q649", "coordinates": {"lat": 55.7, "lon": 37.6, "type": "city"}},
              "Sergei Shoigu": {"qid": "Q193509"}},
    "redirects": {"Sergey Shoygu": "Sergey Shoigu", "Sergey Shoigu": "Sergei Shoigu",
                  "Parwan Detention Facility": "Bagram Airfield#Detention facility"},
    "missing": ["Red link"],
    "items": {"Q85": {"label": "Cairo", "P31": ["Q515"], "P17": "Q79", "P625": [30.0, 31.2]}},
}


def test_resolution_answer_with_redirects_red_link_and_continue():
    titles = ["Sergey_Shoygu", "Cairo", "Moscow", "Red link", "Parwan Detention Facility", "Unknown page"]
    first = answer_resolution({"titles": ["|".join(titles)]}, DATA, coordinates_limit=1)
    assert first["continue"]["cocontinue"] == "1" and "batchcomplete" not in first
    q = first["query"]
    assert q["normalized"] == [{"from": "Sergey_Shoygu", "to": "Sergey Shoygu"}]
    assert q["redirects"] == [{"from": "Sergey Shoygu", "to": "Sergey Shoigu"},
                              {"from": "Sergey Shoigu", "to": "Sergei Shoigu"},
                              {"from": "Parwan Detention Facility", "to": "Bagram Airfield",
                               "tofragment": "Detention facility"}]
    assert sum("coordinates" in p for p in q["pages"]) == 1
    second = answer_resolution({"titles": ["|".join(titles)], "cocontinue": ["1"]}, DATA, coordinates_limit=1)
    assert "continue" not in second and sum("coordinates" in p for p in second["query"]["pages"]) == 1
    assert not any("pageprops" in p for p in second["query"]["pages"])  # pageprops came complete first
    merged = merge_query(answer_query(first)[0], answer_query(second)[0])
    got = {r.title: r for r in read_resolutions(titles, merged)}
    assert (got["Sergey_Shoygu"].canonical_title, got["Sergey_Shoygu"].qid) == ("Sergei Shoigu", "Q193509")
    assert (got["Cairo"].lat, got["Moscow"].lat) == (30.0, 55.7)
    assert got["Red link"].status == "missing"
    assert (got["Parwan Detention Facility"].canonical_title, got["Parwan Detention Facility"].fragment) == \
        ("Bagram Airfield", "Detention facility")
    assert (got["Unknown page"].status, got["Unknown page"].qid, got["Unknown page"].page_id is not None) == \
        ("ok", None, True)


def test_wbgetentities_answer():
    answer = answer_wbgetentities({"ids": ["Q85|Q1"], "props": ["labels|descriptions|claims"]}, DATA)
    cairo, missing = read_items(["Q85", "Q1"], answer)
    assert (cairo.label, cairo.types, cairo.country) == ("Cairo", ["Q515"], "Q79")
    assert missing.status == "missing"
    labels_only = answer_wbgetentities({"ids": ["Q85"], "props": ["labels"]}, DATA)
    assert set(labels_only["entities"]["Q85"]) >= {"labels"} and "claims" not in labels_only["entities"]["Q85"]
