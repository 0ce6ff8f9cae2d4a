"""The data card of wcep/hf exports (crawler.archive.datasets.card): WCEP's figures beside the export's."""

from pathlib import Path

from crawler.archive.datasets.splits import Split
from crawler.archive.datasets.wcep import CardFigures
from crawler.archive.datasets.card import hf_header, render_wcep_card


class Stats:
    first_day, last_day = "2020-01-01", "2020-01-05"
    splits = [Split("train", 0.8, "2020-01-01", "2020-01-04", 3, 2), Split("test", 0.2, "2020-01-05", "2020-01-05", 1, 1)]


FACTS = {"extractors": ["trafilatura-2.3.1+na3.r1"]}
DUPS = {"sources": 8, "ok": 6, "grouped": 2, "duplicates": 1, "groups": 1, "failed": 2, "pending": 0,
        "recovered": 3, "canonical": 0, "date_sources": [("jsonld", 4), ("url", 2)],
        "recovered_from": [("wayback", 2), ("commoncrawl", 1)]}


def card(out: Path, **kw):
    fig = CardFigures(events=4, articles=[2, 1, 0, 3], citations=[3, 1, 1, 3], summary_words=[10, 20, 30, 41],
                      summary_sentences=[1, 1, 2, 1], collapsed=1, article_total=6, with_time=5)
    fig.per_split.update({"train": 3, "test": 1})
    fig.articles_per_split.update({"train": 3, "test": 3})
    return render_wcep_card("wcep", Stats(), fig, FACTS, DUPS, start=None, end=None, with_text=True,
                            keep_duplicates=False, files={"train": [str(out / "train.jsonl")],
                                                         "test": [str(out / "test.jsonl")]}, out=out, **kw)


def test_comparison_rows_put_wceps_paper_figures_beside_ours(tmp_path):
    text = card(tmp_path)
    assert "| events (clusters) | 4 | 10,200 |" in text
    assert "| articles per event | min 0, max 3, mean 1.5, median 1.5 | min 1, max 8,411, mean 234.5, median 78" in text
    assert "| summary length in words | min 10, max 41, mean 25.2, median 25 | min 4, max 141, mean 32, median 29 |" \
        in text
    assert "| cited sources per event | min 1, max 3, mean 2, median 2 | min 1, max 5, mean 1.2, median 1" in text
    assert "collapsed: 1 of 7 (14.3%)" in text and "1 of 6 (16.7%) of the cited articles are a copy" in text
    assert "| dead sources | 2 of 8 (25.0%)" in text
    assert "| events with no article | 1 of 4 (25.0%) | none: only events with at least one" in text
    assert "| recovered from web archives | 3 of 6 (50.0%) of the articles (wayback 2, commoncrawl 1)" in text
    assert "| extractor versions | trafilatura-2.3.1+na3.r1 | newspaper3k |" in text
    assert "| train | `train.jsonl` | 3 | 3 | 2020-01-01 | 2020-01-04 | 2 |" in text
    assert "| jsonld | 4 |" in text


def test_hf_header_lists_each_split_file_pattern_and_size():
    head = hf_header(Stats.splits, {}, {"train": 100, "test": 50}, True)
    assert head.startswith("---\n") and head.rstrip().endswith("---")
    assert '  - split: test\n    path: "data/test-*.parquet"' in head
    assert "  - name: train\n    num_bytes: 100\n    num_examples: 3" in head
    assert "  download_size: 150" in head
    assert "  - name: wiki_links\n    sequence: string" in head
