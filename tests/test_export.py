"""Dataset exports (crawler.archive.datasets.export): JSONL, Parquet and CSV round trips, --no-text, data cards."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.archive.datasets import export as export_mod
from crawler.cli.archive import export as export_cmd
from crawler.archive.datasets.export import ExportError, export, iter_events
from crawler.items import DayPage, SourceFetch
from crawler.portal.wikitext import parse_wikitext
from crawler.storage.days import save_day
from crawler.storage.schema import open_db
from crawler.storage.sources import save_source
from tests.conftest import RETRY

FIXTURES = Path(__file__).parent / "data" / "archive"
ARTICLE = "The full article body, which belongs to its publisher. Zeppelin."
KERRY_URL = "https://www.reuters.com/article/us-russia-usa-kerry-idUSKCN0WO1LC"


@pytest.fixture
def db(tmp_path):
    db = open_db(tmp_path / "a.db")
    for i, path in enumerate(sorted(FIXTURES.glob("*.wiki")), 1):
        text = path.read_text(encoding="utf-8")
        events = parse_wikitext(text)
        save_day(db, DayPage(day=events[0].day, title=f"day {i}", status="ok", revision_id=500 + i,
                             revision_timestamp=f"2024-01-{i:02d}T00:00:00Z", events=events), text)
    save_source(db, SourceFetch(url=KERRY_URL, status="ok", http_status=200, event_day=date(2016, 3, 22)),
                {"status": "ok", "title": "Kerry to Moscow", "authors": ["A. Reporter"], "text": ARTICLE,
                 "published": "2016-03-22", "date_source": "jsonld", "date_confidence": 0.9, "word_count": 12,
                 "extractor": "trafilatura", "extractor_version": "2.3.1"}, RETRY)
    db.execute("INSERT INTO runs (command, started_at, finished_at, finish_reason, days, events, "
               "software_version) VALUES ('crawl', '2024-02-01T00:00:00+00:00', '2024-02-01T00:10:00+00:00', "
               "'finished', 10, 12, '0.1.0')")
    return db


# the fixture days hold 12 events: 2016-12-09 has three, every other day one
KERRY_RECORD = {
    "day": "2016-03-22", "position": 1, "category": "International relations",
    "stories": ["Russia–United States relations"],
    "text": "U.S. Secretary of State John Kerry leaves for Moscow for talks on Syria and Ukraine with Russian "
            "President Vladimir Putin and Foreign Minister Sergey Lavrov.",
    "entities": [{"title": t, "label": t, "canonical_title": None, "qid": None, "lat": None, "lon": None}
                 for t in ("John Kerry", "Moscow", "Vladimir Putin", "Sergey Lavrov")],  # not resolved
    "location": None,
}


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_jsonl_one_record_per_event(db, tmp_path):
    stats = export(db, "jsonl", tmp_path / "out" / "events.jsonl")
    records = read_jsonl(tmp_path / "out" / "events.jsonl")
    assert len(records) == stats.events == 12
    assert [r["day"] for r in records][:3] == ["2013-11-14", "2015-06-01", "2016-03-22"]
    kerry = records[2]
    assert {k: kerry[k] for k in KERRY_RECORD} == KERRY_RECORD
    assert kerry["revision_id"] == 503 and len(kerry["id"]) == 16
    (src,) = kerry["sources"]
    assert src["url"] == KERRY_URL and src["outlet"] == "Reuters" and src["status"] == "ok"
    assert src["title"] == "Kerry to Moscow" and src["authors"] == ["A. Reporter"] and src["text"] == ARTICLE
    assert src["reported_dead"] is False and src["position"] == 1
    pending = records[0]["sources"][0]
    assert pending["status"] == "pending" and pending["text"] is None and pending["authors"] == []
    assert (stats.days, stats.first_day, stats.last_day) == (10, "2013-11-14", "2017-04-03")


def test_no_text_drops_article_text(db, tmp_path):
    export(db, "jsonl", tmp_path / "e.jsonl", with_text=False)
    raw = (tmp_path / "e.jsonl").read_text(encoding="utf-8")
    assert "Zeppelin" not in raw
    assert all("text" not in s for r in read_jsonl(tmp_path / "e.jsonl") for s in r["sources"])
    assert all("text" in r for r in read_jsonl(tmp_path / "e.jsonl"))  # the event text stays
    card = (tmp_path / "e.jsonl.datacard.md").read_text(encoding="utf-8")
    assert "left out (`--no-text`)" in card


def test_date_range(db, tmp_path):
    stats = export(db, "jsonl", tmp_path / "e.jsonl", start=date(2016, 12, 1), end="2016-12-31")
    records = read_jsonl(tmp_path / "e.jsonl")
    assert [(r["day"], r["position"]) for r in records] == [
        ("2016-12-09", 1), ("2016-12-09", 2), ("2016-12-09", 3), ("2016-12-30", 1)]
    assert (stats.events, stats.days, stats.sources) == (4, 2, 4)


def test_iter_events_streams_in_batches(db):
    assert [len(b) for b in iter_events(db, batch=5)] == [5, 5, 2]


def test_parquet_round_trip(db, tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    monkeypatch.setattr(export_mod, "ROW_GROUP", 5)
    export(db, "jsonl", tmp_path / "e.jsonl")
    stats = export(db, "parquet", tmp_path / "e.parquet")
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.schema == export_mod.parquet_schema()
    assert table.schema.field("day").type == pa.date32()
    assert pq.ParquetFile(tmp_path / "e.parquet").metadata.num_row_groups == 3  # 5 + 5 + 2 events
    rows = table.to_pylist()
    assert len(rows) == stats.events == 12
    for row in rows:
        row["day"] = row["day"].isoformat()
    assert rows == read_jsonl(tmp_path / "e.jsonl")
    export(db, "parquet", tmp_path / "n.parquet", with_text=False)
    schema = pq.read_schema(tmp_path / "n.parquet")
    assert "text" not in [f.name for f in schema.field("sources").type.value_type]
    assert Path(str(tmp_path / "e.parquet") + ".datacard.md").exists()


def test_csv_tables(db, tmp_path):
    stats = export(db, "csv", tmp_path / "csv")

    def rows(name):
        with open(tmp_path / "csv" / f"{name}.csv", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    events, sources, links = rows("events"), rows("sources"), rows("event_sources")
    assert len(events) == stats.events == 12 and len(links) == 12 and len(sources) == 12
    assert len(rows("entities")) == 11  # distinct link targets of the fixture days
    assert len(rows("event_entities")) == 22
    kerry = next(e for e in events if e["day"] == "2016-03-22")
    assert json.loads(kerry["stories"]) == ["Russia–United States relations"] and kerry["category"] != ""
    src = next(s for s in sources if s["url"] == KERRY_URL)
    assert src["text"] == ARTICLE and json.loads(src["authors"]) == ["A. Reporter"]
    link = next(r for r in links if r["event_id"] == kerry["id"])
    assert link["source_id"] == src["id"] and link["outlet"] == "Reuters" and link["reported_dead"] == "0"
    assert "html" not in src
    card = (tmp_path / "csv" / "README.md").read_text(encoding="utf-8")
    assert "| events | 12 |" in card and "event_sources.csv" in card
    export(db, "csv", tmp_path / "csv2", with_text=False)
    no_text = (tmp_path / "csv2" / "sources.csv").read_text(encoding="utf-8")
    assert "Zeppelin" not in no_text and "text" not in no_text.splitlines()[0].split(",")
    assert "title" in no_text.splitlines()[0].split(",")


def test_data_card_counts_provenance_licences(db, tmp_path):
    export(db, "jsonl", tmp_path / "e.jsonl")
    card = (tmp_path / "e.jsonl.datacard.md").read_text(encoding="utf-8")
    for line in ("| events | 12 |", "| days with events | 10 (2013-11-14 … 2017-04-03) |",
                 "| entities (distinct wikilink targets) | 11 |", "| cited sources (distinct URLs) | 12 |",
                 "| sources by status | pending 11, ok 1 |", "| sources with article text (included) | 1 |",
                 "| ok | 10 | 10 | 2024-01-01T00:00:00Z … 2024-01-10T00:00:00Z |"):
        assert line in card, line
    assert "CC BY-SA 4.0" in card and "--no-text" in card and "2.3.1" in card
    assert "| 1 | crawl | 2024-02-01T00:00:00+00:00 |" in card
    assert "| sources | `list<struct>` | citations in order, each a source record (next table) |" in card


def test_errors(db, tmp_path):
    with pytest.raises(ExportError, match="unknown format"):
        export(db, "xml", tmp_path / "x")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="not a directory"):
        export(db, "csv", tmp_path / "file")
    with pytest.raises(ExportError, match="is a directory"):
        export(db, "jsonl", tmp_path)


def test_export_command(db, tmp_path):
    runner = CliRunner()
    out = tmp_path / "e.jsonl"
    result = runner.invoke(export_cmd, ["--format", "jsonl", "--out", str(out), "--db", str(tmp_path / "a.db"),
                                        "--from", "2017-01-01", "--no-text"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("5 events, 5 days (2017-01-07 … 2017-04-03), 5 sources → ")
    result = runner.invoke(export_cmd, ["--format", "jsonl", "--out", str(out), "--db", str(tmp_path / "no.db")])
    assert result.exit_code == 1 and result.output.startswith("newsarchive: error: no archive at ")
    result = runner.invoke(export_cmd, ["--format", "csv", "--out", str(out), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1 and "not a directory" in result.output and "Traceback" not in result.output


def resolved_db(tmp_path):
    """Four events whose entities are resolved: places of every size, a redirect, a red link."""
    from crawler.items import Entity, EntityBatch, EntityResolution, Event
    from crawler.storage.entities import save_resolutions

    db = open_db(tmp_path / "r.db")
    day = date(2024, 5, 1)
    links = [["Japan", "Tokyo", "Tokyo Tower"], ["Sergey Shoygu", "Moscow", "Russia"], ["Japan", "South Korea"],
             ["Nowhere Bridge"]]
    events = [Event(day, None, [], f"Event {i}", entities=[Entity(t, t.lower()) for t in ts], position=i)
              for i, ts in enumerate(links, 1)]
    save_day(db, DayPage(day=day, title="d", status="ok", revision_id=1, events=events))
    R = EntityResolution
    save_resolutions(db, EntityBatch([
        R("Japan", "ok", canonical_title="Japan", qid="Q17", lat=36.0, lon=138.0, coord_type="country"),
        R("Tokyo", "ok", canonical_title="Tokyo", qid="Q1490", lat=35.68, lon=139.69, coord_type="city"),
        R("Tokyo Tower", "ok", canonical_title="Tokyo Tower", qid="Q16233", lat=35.6586, lon=139.7454,
          coord_type="landmark"),
        R("Sergey Shoygu", "ok", canonical_title="Sergei Shoigu", qid="Q193509"),
        R("Moscow", "ok", canonical_title="Moscow", qid="Q649", lat=55.75, lon=37.62, coord_type="city",
          coord_dim=30000),
        R("Russia", "ok", canonical_title="Russia", qid="Q159", lat=60.0, lon=90.0, coord_type="country"),
        R("South Korea", "ok", canonical_title="South Korea", qid="Q884", lat=36.5, lon=127.8,
          coord_type="country"),
        R("Nowhere Bridge", "missing", canonical_title="Nowhere Bridge")], "2026-12-01T00:00:00+00:00"))
    return db


def test_exports_carry_qids_coordinates_and_the_most_specific_location(tmp_path):
    db = resolved_db(tmp_path)
    export(db, "jsonl", tmp_path / "r.jsonl")
    records = read_jsonl(tmp_path / "r.jsonl")
    assert [r["location"] for r in records] == [
        {"title": "Tokyo Tower", "qid": "Q16233", "lat": 35.6586, "lon": 139.7454},  # a landmark before a city
        {"title": "Moscow", "qid": "Q649", "lat": 55.75, "lon": 37.62},  # the redirect has no coordinates
        {"title": "Japan", "qid": "Q17", "lat": 36.0, "lon": 138.0},  # two countries: the first linked
        None]  # a red link has no place
    assert records[1]["entities"][0] == {"title": "Sergey Shoygu", "label": "sergey shoygu",
                                         "canonical_title": "Sergei Shoigu", "qid": "Q193509", "lat": None,
                                         "lon": None}
    assert records[3]["entities"][0]["qid"] is None
    card = (tmp_path / "r.jsonl.datacard.md").read_text(encoding="utf-8")
    assert "| canonical entities (after redirects) / with a Wikidata id | 8 / 7 |" in card
    assert "| events with a location | 3 |" in card

    export(db, "csv", tmp_path / "csv")

    def rows(name):
        with open(tmp_path / "csv" / f"{name}.csv", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    entities = {r["title"]: r for r in rows("entities")}
    assert set(entities) == {"Japan", "Tokyo", "Tokyo Tower", "Sergey Shoygu", "Sergei Shoigu", "Moscow",
                             "Russia", "South Korea", "Nowhere Bridge"}  # the redirect's target too
    assert entities["Sergey Shoygu"]["canonical_id"] == entities["Sergei Shoigu"]["id"]
    assert entities["Nowhere Bridge"]["missing"] == "1" and entities["Moscow"]["qid"] == "Q649"
    shoygu = next(r for r in rows("event_entities") if r["entity_id"] == entities["Sergey Shoygu"]["id"])
    assert shoygu["canonical_id"] == entities["Sergei Shoigu"]["id"]
    assert [(r["title"], r["lat"]) for r in rows("event_locations")] == [
        ("Tokyo Tower", "35.6586"), ("Moscow", "55.75"), ("Japan", "36.0")]


def test_parquet_carries_the_same_entity_fields_and_location(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    db = resolved_db(tmp_path)
    export(db, "jsonl", tmp_path / "r.jsonl")
    export(db, "parquet", tmp_path / "r.parquet")
    rows = pq.read_table(tmp_path / "r.parquet").to_pylist()
    for row in rows:
        row["day"] = row["day"].isoformat()
    assert rows == read_jsonl(tmp_path / "r.jsonl")
