"""Wikidata wbgetentities requests and answers (crawler.portal.wikidata), on hand-written answers."""

from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.portal.api import ApiError
from crawler.portal.wikidata import (ITEM_PROPS, LABEL_PROPS, claim_items, failed_items, read_items, read_labels,
                                     wbgetentities_url)


def item_claim(prop, qid, rank="normal"):
    return {"mainsnak": {"snaktype": "value", "property": prop, "datatype": "wikibase-item",
                         "datavalue": {"value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid},
                                       "type": "wikibase-entityid"}},
            "type": "statement", "rank": rank}


COORD = {"mainsnak": {"snaktype": "value", "property": "P625", "datatype": "globe-coordinate",
                      "datavalue": {"value": {"latitude": 30.04, "longitude": 31.23, "precision": 0.0001,
                                              "globe": "http://www.wikidata.org/entity/Q2"},
                                    "type": "globecoordinate"}}, "type": "statement", "rank": "normal"}

ANSWER = {"success": 1, "entities": {
    "Q85": {"type": "item", "id": "Q85", "lastrevid": 2201, "modified": "2026-10-01T10:00:00Z",
            "labels": {"en": {"language": "en", "value": "Cairo"}},
            "descriptions": {"en": {"language": "en", "value": "capital  city of Egypt"}},
            "claims": {"P31": [item_claim("P31", "Q5119"), item_claim("P31", "Q515"),
                               item_claim("P31", "Q1637706", "deprecated")],
                       "P17": [item_claim("P17", "Q79")], "P625": [COORD]}},
    "Q76": {"type": "item", "id": "Q76", "lastrevid": 2202,
            "labels": {"en": {"language": "en", "value": "Barack Obama"}},
            "claims": {"P31": [item_claim("P31", "Q5")], "P17": [item_claim("P17", "Q30")]}},
    "Q404": {"id": "Q404", "missing": ""},
    "Q999": {"type": "item", "id": "Q1000", "redirects": {"from": "Q999", "to": "Q1000"},
             "labels": {"en": {"language": "en", "value": "Merged"}}, "claims": {}},
}}


def test_request_url():
    url = wbgetentities_url("https://www.wikidata.org/w/api.php", ["Q85", "Q76"], ITEM_PROPS, 5)
    q = parse_qs(urlsplit(url).query)
    assert q == {"action": ["wbgetentities"], "ids": ["Q85|Q76"], "props": ["labels|descriptions|claims"],
                 "languages": ["en"], "format": ["json"], "maxlag": ["5"]}
    assert parse_qs(urlsplit(wbgetentities_url("http://x/api.php", ["Q5"], LABEL_PROPS)).query)["props"] == \
        ["labels"]


def test_items_labels_types_and_country_of_places():
    cairo, obama, missing, merged, absent = read_items(["Q85", "Q76", "Q404", "Q999", "Q7"], ANSWER)
    assert (cairo.status, cairo.label, cairo.description) == ("ok", "Cairo", "capital city of Egypt")
    assert cairo.types == ["Q5119", "Q515"]  # the deprecated statement is left out
    assert cairo.country == "Q79" and cairo.revision_id == 2201 and cairo.modified == "2026-10-01T10:00:00Z"
    assert obama.types == ["Q5"] and obama.country is None  # P17 of an item without coordinates: not a place
    assert obama.description is None
    assert missing.status == "missing" and missing.label is None
    assert (merged.status, merged.label, merged.merged_into) == ("ok", "Merged", "Q1000")
    assert absent.status == "api_error" and "absent" in absent.error


def test_preferred_rank_first_and_bad_values_left_out():
    claims = {"P17": [item_claim("P17", "Q15180"), item_claim("P17", "Q159", "preferred"),
                      {"mainsnak": {"snaktype": "novalue", "property": "P17"}, "rank": "normal"},
                      {"mainsnak": {"snaktype": "value", "datavalue": {"value": {"id": "L12"}}}, "rank": "normal"},
                      "junk"]}
    assert claim_items(claims, "P17") == ["Q159", "Q15180"]
    assert claim_items({"P17": "not a list"}, "P17") == [] and claim_items({}, "P31") == []


def test_labels():
    got = read_labels(["Q85", "Q404", "Q1"], ANSWER)
    assert [(x.qid, x.status, x.label) for x in got] == [("Q85", "ok", "Cairo"), ("Q404", "missing", None),
                                                         ("Q1", "api_error", None)]


def test_errors():
    with pytest.raises(ApiError) as err:
        read_items(["Q1"], {"error": {"code": "maxlag", "info": "lagged", "lag": 3}})
    assert err.value.retryable
    for bad in ([], {"entities": []}, {"success": 1}):
        with pytest.raises(ValueError):
            read_items(["Q1"], bad)
    failed = failed_items(["Q1", "Q2"], "api_error: HTTP 500", labels=True)
    assert [(x.qid, x.status, x.error) for x in failed] == [("Q1", "api_error", "api_error: HTTP 500"),
                                                            ("Q2", "api_error", "api_error: HTTP 500")]
