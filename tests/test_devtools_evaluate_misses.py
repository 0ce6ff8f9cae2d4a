"""The pages behind a figure of make eval (crawler.devtools.evaluate_misses), on made-up cases."""

import gzip
from pathlib import Path

from crawler.devtools.evaluate_misses import body_misses, title_misses
from crawler.devtools.evaluate_unseen import Case, Reading, Run, assign_folds

HTML = ("<html><head><title>Bridge to be rebuilt - Gazette</title><meta property='og:title' content='Bridge rebuilt'>"
        "</head><body><h1>Bridge to be rebuilt</h1><p>The council voted.</p></body></html>").encode()


def run(cases, unseen, visible=None):
    return Run(cases, assign_folds(cases), {"visible": visible or unseen, "unseen": unseen,
                                            "htmldate": [], "trafilatura": []})


def test_title_misses_list_expected_ours_and_every_candidate(tmp_path: Path):
    right = Case("fundus", tmp_path / "a.html.gz", "https://a.example/1", title="Bridge to be rebuilt", raw=HTML)
    wrong = Case("fundus", tmp_path / "b.html.gz", "https://b.example/1", title="Bridge to be rebuilt", raw=HTML)
    lines = title_misses(run([right, wrong], [Reading(title="Bridge to be rebuilt"), Reading(title="Bridge rebuilt")],
                             [Reading(title="Bridge to be rebuilt"), Reading(title="Bridge to be rebuilt")]))
    text = "\n".join(lines)
    assert "b.html.gz" in text and "a.html.gz" not in text
    assert "unseen       'Bridge rebuilt'" in text and "visible      'Bridge to be rebuilt'" in text
    assert "cand og      'Bridge rebuilt'" in text and "cand h1      'Bridge to be rebuilt'" in text


def test_body_misses_worst_first_with_extra_and_missing_lines(tmp_path: Path):
    truth = "The council voted to rebuild the bridge on Tuesday.\nThe works will take three months in all."
    good = Case("aeb", tmp_path / "good.html.gz", None, body=truth, raw=gzip.compress(b""))
    bad = Case("aeb", tmp_path / "bad.html.gz", None, body=truth)
    lines = body_misses(run([good, bad], [Reading(text=truth), Reading(
        text="The council voted to rebuild the bridge on Tuesday.\nSign up for our newsletter to get the news first")]),
        worst=1)
    assert lines[0].startswith("[aeb] ") and "bad.html.gz" in lines[0] and "F1 " in lines[0]
    assert lines[1:] == ["  + Sign up for our newsletter to get the news first",
                         "  - The works will take three months in all."]
