"""Wikidata items, types and labels in the archive (crawler.storage.wikidata)."""

from datetime import datetime, timedelta, timezone

import pytest

from crawler.items import WikidataBatch, WikidataItem, WikidataLabel
from crawler.storage.schema import open_db
from crawler.storage.wikidata import (entity_types, labels_to_fetch, qids_to_describe, save_wikidata,
                                      wikidata_summary)

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "a.db")


def at(days_ago):
    return (NOW - timedelta(days=days_ago)).isoformat()


def test_items_types_labels_and_what_is_due(db):
    counts = save_wikidata(db, WikidataBatch(at(1), items=[
        WikidataItem("Q85", "ok", label="Cairo", description="capital city of Egypt", types=["Q5119", "Q515"],
                     country="Q79", revision_id=2201, modified="2026-10-01T10:00:00Z"),
        WikidataItem("Q404", "missing"),
        WikidataItem("Q7", "api_error", error="api_error: HTTP 503")]))
    assert counts == {"ok": 1, "missing": 1, "api_error": 1}
    save_wikidata(db, WikidataBatch(at(200), labels=[WikidataLabel("Q5119", "ok", label="capital city")]))
    save_wikidata(db, WikidataBatch(at(1), labels=[WikidataLabel("Q515", "ok", label="city")]))
    cairo = db["wikidata_items"].get("Q85")
    assert (cairo["label"], cairo["country_qid"], cairo["revision_id"], cairo["status"]) == \
        ("Cairo", "Q79", 2201, "ok")
    assert entity_types(db, ["Q85", "Q404"]) == {"Q85": [{"qid": "Q5119", "label": "capital city"},
                                                         {"qid": "Q515", "label": "city"}]}
    assert qids_to_describe(db, ["Q85", "Q404", "Q7", "Q1"], 90, now=NOW) == ["Q7", "Q1"]
    assert labels_to_fetch(db, ["Q5119", "Q515", "Q79"], 90, now=NOW) == ["Q5119", "Q79"]
    assert wikidata_summary(db) == {"items_by_status": {"api_error": 1, "missing": 1, "ok": 1}, "typed": 1}


def test_a_new_answer_replaces_types_and_a_failure_keeps_them(db):
    save_wikidata(db, WikidataBatch(at(100), items=[WikidataItem("Q1", "ok", label="One", types=["Q5", "Q6"])]))
    save_wikidata(db, WikidataBatch(at(1), items=[WikidataItem("Q1", "ok", label="One", types=["Q6"])]))
    assert [t["qid"] for t in entity_types(db, ["Q1"])["Q1"]] == ["Q6"]
    save_wikidata(db, WikidataBatch(at(0), items=[WikidataItem("Q1", "api_error", error="api_error: maxlag")]))
    row = db["wikidata_items"].get("Q1")
    assert (row["label"], row["status"], row["error"], row["fetched_at"]) == \
        ("One", "api_error", "api_error: maxlag", at(1))
    assert [t["qid"] for t in entity_types(db, ["Q1"])["Q1"]] == ["Q6"]
