"""wcep and hf dataset exports (crawler.archive.datasets.training): files per split, Parquet schema and counts, the card,
loading with pyarrow and with Hugging Face datasets."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.archive.datasets.training import DatasetError, arrow_schema, export_dataset
from crawler.archive.datasets.wcep import RECORD_FIELDS
from crawler.cli.archive import export as export_cmd
from tests.test_wcep import URLS, build_archive

SPLIT = "train=0.5,validation=0.2,test=0.3"  # days of 2, 1, 3, 4 events → 3 / 3 / 4 events (tests/test_splits.py)


@pytest.fixture
def db(tmp_path):
    return build_archive(tmp_path / "a.db")


def lines(path):
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines()]


def test_wcep_single_file_with_card_beside_it(db, tmp_path):
    stats = export_dataset(db, "wcep", tmp_path / "wcep.jsonl")
    records = lines(tmp_path / "wcep.jsonl")
    assert stats.events == len(records) == 10 and stats.files == [str(tmp_path / "wcep.jsonl")]
    assert records[0]["articles"][0]["duplicate_urls"] == [URLS["copy"]]
    assert (tmp_path / "wcep.jsonl.datacard.md").read_text().startswith("# Data card")


def test_wcep_splits_are_files_named_after_them_and_no_day_is_in_two(db, tmp_path):
    out = tmp_path / "wcep"
    stats = export_dataset(db, "wcep", out, split=SPLIT)
    got = {name: lines(out / f"{name}.jsonl") for name in ("train", "validation", "test")}
    assert {k: len(v) for k, v in got.items()} == {"train": 3, "validation": 3, "test": 4}
    assert {r["date"] for r in got["train"]} == {"2020-01-01", "2020-01-02"}
    assert {r["date"] for r in got["validation"]} == {"2020-01-03"}
    assert {r["date"] for r in got["test"]} == {"2020-01-05"}
    assert all(r["collection"] == name for name, rs in got.items() for r in rs)
    card = (out / "README.md").read_text()
    assert "| train | `train.jsonl` | 3 | 3 | 2020-01-01 | 2020-01-02 | 2 |" in card
    assert "| test | `test.jsonl` | 4 | 4 | 2020-01-05 | 2020-01-05 | 1 |" in card
    assert [s.events for s in stats.splits] == [3, 3, 4]


def test_hf_parquet_shards_load_with_pyarrow(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow not installed (pip install '.[parquet]')")
    export_dataset(db, "hf", tmp_path / "hf", split=SPLIT)
    shards = sorted(p.name for p in (tmp_path / "hf" / "data").iterdir())
    assert shards == ["test-00000-of-00001.parquet", "train-00000-of-00001.parquet",
                      "validation-00000-of-00001.parquet"]
    train = pq.read_table(tmp_path / "hf" / "data" / "train-00000-of-00001.parquet")
    assert train.schema == arrow_schema() and train.num_rows == 3
    rows = train.to_pylist()
    assert rows[0]["articles"][0]["url"] == URLS["wire"] and rows[0]["collection"] == "train"
    assert rows[0]["wiki_links"] == ["/wiki/Richter_scale", "/wiki/S%C3%A3o_Paulo"]
    assert pq.read_table(tmp_path / "hf" / "data" / "test-00000-of-00001.parquet").num_rows == 4


def test_hf_card_header_declares_configs_features_and_split_sizes(db, tmp_path):
    export_dataset(db, "hf", tmp_path / "hf", split=SPLIT)
    text = (tmp_path / "hf" / "README.md").read_text()
    header = text.split("---\n")[1]
    assert "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data/train-*.parquet\"" \
        in header
    assert "  - name: validation\n    num_bytes: " in header and "    num_examples: 3\n" in header
    assert "  - name: articles\n    list:\n    - name: title\n      dtype: string" in header
    assert "license: other" in header and "## Compared with WCEP" in text


def test_hf_loads_with_hugging_face_datasets(db, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets", reason="Hugging Face datasets not installed: the pyarrow checks "
                                   "above cover the files; pip install datasets to check the card's header too")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    export_dataset(db, "hf", tmp_path / "hf", split=SPLIT)
    loaded = datasets.load_dataset(str(tmp_path / "hf"), cache_dir=str(tmp_path / "cache"))
    assert {k: v.num_rows for k, v in loaded.items()} == {"train": 3, "validation": 3, "test": 4}
    assert loaded["train"][0]["articles"][0]["url"] == URLS["wire"]
    assert set(loaded["test"].features) == {n for n, _, _ in RECORD_FIELDS}
    by_dir = datasets.load_dataset("parquet", data_dir=str(tmp_path / "hf" / "data"), cache_dir=str(tmp_path / "c2"))
    assert sum(v.num_rows for v in by_dir.values()) == 10


def test_hf_without_splits_is_one_train_split_and_reexport_replaces_old_shards(db, tmp_path):
    export_dataset(db, "hf", tmp_path / "hf", split=SPLIT)
    export_dataset(db, "hf", tmp_path / "hf")
    assert sorted(p.name for p in (tmp_path / "hf" / "data").iterdir()) == ["train-00000-of-00001.parquet"]


def test_bad_split_and_bad_paths_are_one_line_errors(db, tmp_path):
    with pytest.raises(DatasetError, match="add up to"):
        export_dataset(db, "wcep", tmp_path / "w", split="train=0.5")
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetError, match="not a directory"):
        export_dataset(db, "hf", tmp_path / "file")
    with pytest.raises(DatasetError, match="is a directory"):
        export_dataset(db, "wcep", tmp_path)


def test_cli_export_wcep_with_split_and_flags(db, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(export_cmd, ["--db", str(tmp_path / "a.db"), "--format", "wcep", "--out", str(out),
                                        "--split", SPLIT, "--keep-duplicates"])
    assert result.exit_code == 0, result.output
    assert "validation: 3 events (2020-01-03 … 2020-01-03)" in result.output
    assert [a["url"] for a in lines(out / "train.jsonl")[0]["articles"]] == [URLS["wire"], URLS["copy"]]
    bad = runner.invoke(export_cmd, ["--db", str(tmp_path / "a.db"), "--format", "jsonl", "--out",
                                     str(tmp_path / "x.jsonl"), "--split", SPLIT])
    assert bad.exit_code == 2 and "--format wcep or hf" in bad.output
    bad = runner.invoke(export_cmd, ["--db", str(tmp_path / "a.db"), "--format", "hf", "--out",
                                     str(tmp_path / "y"), "--split", "train=2"])
    assert bad.exit_code == 1 and "at most 1" in bad.output
