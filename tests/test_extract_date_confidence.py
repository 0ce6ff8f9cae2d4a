"""The date-confidence table (crawler.extract.date_confidence): fitting, smoothing, the shipped data."""

import json

import pytest

from crawler.extract.date_confidence import AGREEMENTS, DATA, WEIGHT, DateTable
from crawler.extract.dates import step_of


def test_fit_counts_exact_days_by_evidence_and_leaves_out_pages_without_a_date():
    table = DateTable.fit([("meta|agreed", True), ("meta|agreed", True), ("meta|agreed", False),
                           ("url|alone", True), (None, False)])
    assert dict(table.cells) == {"meta|agreed": (2, 3), "url|alone": (1, 1)}


def test_confidence_is_the_share_leaning_on_the_step_then_on_all_pages():
    table = DateTable({"meta|agreed": (98, 100), "meta|alone": (8, 10), "url|alone": (3, 4)})
    overall = (98 + 8 + 3 + 1) / (114 + 2)
    meta = (106 + WEIGHT * overall) / (110 + WEIGHT)
    assert table.confidence("meta|agreed") == round((98 + WEIGHT * meta) / (100 + WEIGHT), 3)
    assert table.confidence("meta|disputed") == round(meta, 3)  # no page: the step's share
    assert table.confidence("dateline|alone") == round(overall, 3)  # unknown step: the share over all
    assert table.confidence(None) == 0.0
    assert DateTable({}).confidence("meta|agreed") == 0.5


def test_json_round_trip(tmp_path):
    table = DateTable({"jsonld|agreed": (50, 51), "htmldate|alone": (7, 10)})
    path = tmp_path / "t.json"
    path.write_text(table.to_json(), encoding="utf-8")
    again = DateTable.load(path)
    assert dict(again.cells) == dict(table.cells)
    assert again.confidence("jsonld|agreed") == table.confidence("jsonld|agreed")


def test_shipped_table_names_only_known_steps_and_agreements():
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    steps = {step_of(s) for s in ("jsonld", "meta:date", "meta:article:published_time", "time-element",
                                  "jsonld:webpage", "url", "dateline", "htmldate", "outlet:x")}
    assert doc["cells"]
    for key, cell in doc["cells"].items():
        step, agreement = key.split("|")
        assert step in steps and agreement in AGREEMENTS, key
        assert 0 <= cell["exact"] <= cell["pages"]


@pytest.mark.parametrize("source, step", [("jsonld", "jsonld"), ("meta:article:published_time", "meta"),
                                          ("meta:date", "meta:weak"), ("jsonld:dateCreated", "jsonld:secondary"),
                                          ("outlet:telegraph", "outlet"), ("htmldate", "htmldate")])
def test_step_of(source, step):
    assert step_of(source) == step


def test_docs_show_the_shipped_table():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    for key, cell in json.loads(DATA.read_text(encoding="utf-8"))["cells"].items():
        assert f"| `{key}` | {cell['exact']}/{cell['pages']} | {cell['confidence']:.3f} |" in doc, key
