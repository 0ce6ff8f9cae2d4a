"""storage.report + archive.report: the report's aggregates on a hand-built archive, the page, the command.

The fixture's expected numbers are counted by hand from the rows it writes (see the comments in build_fixture).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.items import DayPage, Entity, Event, SourceFetch, SourceRef
from crawler.storage.days import save_day
from crawler.storage.report import Range, collect, has_locations
from crawler.storage.runs import finish_run, start_run, status_summary
from crawler.storage.schema import open_db
from crawler.storage.sources import save_source
from tests.conftest import RETRY

CUR, OLD = "trafilatura-9.9+cur", "trafilatura-1.0+old"
URL = {k: f"https://{k.lower()}.example/story" for k in "ABCDEFG"}
# coordinates and extent (m) of the located entities; "Nothing" has none
PLACES = {"Cairo": (30.04, 31.24, 10_000), "Moscow": (55.75, 37.62, 10_000), "Lima": (-12.05, -77.04, 1_000)}


def _event(day, pos, sources, entities):
    return Event(day=day, category="Politics", stories=["Story"], text=f"Event {day} {pos}.", position=pos,
                 entities=[Entity(t, t) for t in entities], sources=[SourceRef(URL[k], o) for k, o in sources])


def _day(db, day: str, status: str, events=()):
    d = date.fromisoformat(day)
    save_day(db, DayPage(day=d, title=f"Portal:Current events/{day}", status=status, revision_id=1,
                         error="line 3: unclosed template" if status == "parse_error" else None,
                         events=[_event(d, i, s, e) for i, (s, e) in enumerate(events, 1)]))


def _fetch(db, key, day, status, *, published=None, date_source=None, confidence=None, version=None,
           recovered=None, failure=None, http=200):
    fetch = SourceFetch(url=URL[key], final_url=URL[key], http_status=http, status=status,
                        event_day=date.fromisoformat(day), body=b"<html>page</html>" if version else None,
                        error=None if status == "ok" else f"{status} here")
    if recovered:
        fetch.recovered_from, fetch.archive_url = recovered, f"https://archive.example/{key}"
        fetch.failure = {"failure_status": failure, "failure_error": "gone"}
    result = {"status": status, "text": "Body.", "published": published, "date_source": date_source,
              "date_confidence": confidence, "extractor": "trafilatura", "extractor_version": version} \
        if version else None
    save_source(db, fetch, result, RETRY)


def build_fixture(path: Path, *, located: bool = True):
    """Days 2013-12-30 ok (E1, E2), 12-31 missing, 2014-01-01 never crawled, 01-02 ok (E3–E5), 01-03 parse_error,
    02-10 ok (E6). Sources A–G with the outcomes written below; entities located when ``located``."""
    db = open_db(path)
    _day(db, "2013-12-30", "ok", [([("A", "Alpha"), ("B", "Beta")], ["Cairo", "Moscow"]),  # E1
                                  ([], ["Nothing"])])                                      # E2
    _day(db, "2013-12-31", "missing")
    _day(db, "2014-01-02", "ok", [([("A", "Alpha")], ["Moscow"]),                         # E3
                                  ([("C", "Alpha"), ("D", None)], ["Cairo", "Lima"]),     # E4
                                  ([("E", "Gamma")], [])])                                 # E5
    _day(db, "2014-01-03", "parse_error")
    _day(db, "2014-02-10", "ok", [([("F", "Beta"), ("G", "Beta")], ["Lima", "Cairo"])])   # E6
    _fetch(db, "A", "2013-12-30", "ok", published="2013-12-30", date_source="jsonld", confidence=0.95, version=CUR)
    _fetch(db, "B", "2013-12-30", "ok", published="2013-12-28", date_source="url", confidence=0.75, version=OLD,
           recovered="wayback", failure="http_error")
    _fetch(db, "C", "2014-01-02", "http_error", http=404)
    _fetch(db, "D", "2014-01-02", "ok", version=OLD)  # no date found
    _fetch(db, "E", "2014-01-02", "ok", published="2014-03-15", date_source="htmldate", confidence=0.45,
           version=CUR, recovered="commoncrawl", failure="dns_error")
    _fetch(db, "F", "2014-02-10", "timeout", http=None)
    # G stays pending
    for n in (1, 2):
        run = start_run(db, "crawl", {"n": n})
        finish_run(db, run, "finished", {"days": n, "days_missing": 0, "days_failed": 0, "events": 10 * n,
                                         "sources_fetched": 3, "sources_ok": 2, "sources_failed": 1})
    if located:
        for title, (lat, lon, extent) in PLACES.items():
            db.execute("UPDATE entities SET lat = ?, lon = ?, extent_m = ? WHERE title = ?", [lat, lon, extent, title])
    return db


@pytest.fixture
def archive(tmp_path):
    return build_fixture(tmp_path / "archive.db")


def test_overview_counts_by_hand_and_equal_to_status(archive):
    ov = collect(archive)["overview"]
    assert ov == {
        "days": 5, "first_day": "2013-12-30", "last_day": "2014-02-10",
        "days_by_status": {"missing": 1, "ok": 3, "parse_error": 1},
        "events": 6, "entities": 4, "sources": 7, "event_sources": 8,
        "sources_by_status": {"ok": 4, "http_error": 1, "pending": 1, "timeout": 1},
        "sources_recovered": {"commoncrawl": 1, "wayback": 1},
    }
    status = status_summary(archive)
    assert {k: status[k] for k in ov} == ov


def test_range_restricts_days_events_and_the_sources_they_cite(archive):
    ov = collect(archive, "2014-01-01", "2014-01-31")["overview"]
    assert ov["days"] == 2 and ov["days_by_status"] == {"ok": 1, "parse_error": 1}
    assert ov["events"] == 3 and ov["event_sources"] == 4 and ov["entities"] == 3  # Moscow, Cairo, Lima
    assert ov["sources"] == 4  # A (cited again on 01-02), C, D, E
    assert ov["sources_by_status"] == {"ok": 3, "http_error": 1}
    assert ov["sources_recovered"] == {"commoncrawl": 1}


def test_months_days_and_sources_per_event(archive):
    from crawler.archive.report.page import month_rows, per_event_rows

    data = collect(archive)
    assert data["months"] == [
        {"month": "2013-12", "days": 2, "missing": 1, "failed": 0, "events": 2},
        {"month": "2014-01", "days": 2, "missing": 0, "failed": 1, "events": 3},
        {"month": "2014-02", "days": 1, "missing": 0, "failed": 0, "events": 1}]
    filled = month_rows(data["months"], "2013-12-30", "2014-02-10")
    # not crawled: Dec 30–31 both stored; January 31 days, 2 stored; February 1–10, 1 stored
    assert [(m["month"], m["not_crawled"]) for m in filled] == [("2013-12", 0), ("2014-01", 29), ("2014-02", 9)]
    assert [(d["day"], d["status"]) for d in data["days_not_ok"]] == [("2013-12-31", "missing"),
                                                                       ("2014-01-03", "parse_error")]
    assert data["sources_per_event"] == [{"sources": 0, "events": 1}, {"sources": 1, "events": 2},
                                         {"sources": 2, "events": 3}]
    assert per_event_rows([{"sources": 3, "events": 1}, {"sources": 10, "events": 2}, {"sources": 14, "events": 1}]) \
        == [{"sources": "3", "events": 1}, {"sources": "10+", "events": 3}]


def test_status_by_year_and_recoveries(archive):
    from crawler.archive.report.page import status_rows

    data = collect(archive)
    _, cats, table = status_rows(data["status_by_year"])
    assert cats[:3] == ["ok", "recovered: Wayback", "recovered: Common Crawl"] and cats[-1] == "pending"
    assert set(cats[3:-1]) == {"failed: http_error", "failed: timeout"}
    assert table == [{"year": "2013", "total": 2, "ok": 1, "recovered: Wayback": 1},
                     {"year": "2014", "total": 5, "ok": 1, "recovered: Common Crawl": 1, "failed: http_error": 1,
                      "failed: timeout": 1, "pending": 1}]
    assert data["recovered"] == [{"recovered_from": "commoncrawl", "failure_status": "dns_error", "sources": 1},
                                 {"recovered_from": "wayback", "failure_status": "http_error", "sources": 1}]


def test_outlets_with_their_rates(archive):
    from crawler.archive.report.page import outlet_rows

    rows = collect(archive)["outlets"]
    assert [(r["outlet"], r["citations"], r["sources"], r["ok"], r["recovered"], r["failed"], r["pending"])
            for r in rows] == [("Alpha", 3, 2, 2, 0, 1, 0), ("Beta", 3, 3, 0, 1, 1, 1), ("", 1, 1, 1, 0, 0, 0),
                               ("Gamma", 1, 1, 0, 1, 0, 0)]
    _, table = outlet_rows(rows)
    rates = {r["outlet"]: (r["readable"], r["recovery"]) for r in table}
    assert rates == {"Alpha": (2 / 3, 0.0), "Beta": (0.5, 0.5), "[bare URL]": (1.0, None), "Gamma": (1.0, 1.0)}


def test_dates_lag_provenance_and_versions(archive):
    from crawler.archive.report.page import lag_rows, version_rows

    data = collect(archive)
    assert data["lag"] == [{"lag": -2, "sources": 1}, {"lag": 0, "sources": 1}, {"lag": 72, "sources": 1}]
    buckets = {r["lag"]: r["sources"] for r in lag_rows(data["lag"])}
    assert buckets["-2"] == 1 and buckets["0"] == 1 and buckets["> 30"] == 1 and sum(buckets.values()) == 3
    assert sorted((r["date_source"], r["confidence"], r["sources"]) for r in data["provenance"]) == [
        ("", None, 1), ("htmldate", "< 0.5", 1), ("jsonld", "≥ 0.9", 1), ("url", "0.5–0.8", 1)]
    assert data["versions"] == [{"version": OLD, "sources": 2, "stored": 2}, {"version": CUR, "sources": 2, "stored": 2}]
    _, table, upgrade = version_rows(data["versions"], CUR)
    assert upgrade == 2 and [r["current"] for r in table] == ["", "yes"]


def test_lag_buckets_edges():
    from crawler.archive.report.page import lag_label

    assert [lag_label(v) for v in (-31, -30, -8, -7, 0, 7, 8, 30, 31, None)] == [
        "< -30", "-30…-8", "-30…-8", "-7", "0", "7", "8…30", "8…30", "> 30", "unreadable"]


def test_locations_use_the_located_entity_of_smallest_extent(archive):
    loc = collect(archive)["locations"]
    # E1 → Cairo (first of two of equal extent), E3 → Moscow, E4 → Lima (smaller than Cairo), E6 → Lima;
    # E2 and E5 have no located entity
    assert [(p["title"], p["events"]) for p in loc["places"]] == [("Lima", 2), ("Cairo", 1), ("Moscow", 1)]
    assert loc["events"] == 4 and loc["place_count"] == 3
    assert (loc["places"][1]["lat"], loc["places"][1]["lon"]) == PLACES["Cairo"][:2]
    assert [p["title"] for p in collect(archive, "2014-02-01", None)["locations"]["places"]] == ["Lima"]


def test_no_located_entity_is_a_note_not_an_error(tmp_path):
    db = build_fixture(tmp_path / "plain.db", located=False)
    assert not has_locations(db) and collect(db)["locations"] is None
    page = _page(collect(db))
    assert "no located entities yet (run entity resolution)" in page
    assert len(_specs(page)) == 7


def test_runs_newest_first_and_durations(archive):
    from crawler.archive.report.page import duration

    runs = collect(archive)["runs"]
    assert [(r["id"], r["events"]) for r in runs] == [(2, 20), (1, 10)]
    assert duration("2026-01-01T10:00:00+00:00", "2026-01-01T11:02:03+00:00") == "1 h 02 min"
    assert duration("2026-01-01T10:00:00+00:00", "2026-01-01T10:03:07+00:00") == "3 min 07 s"
    assert duration("2026-01-01T10:00:00+00:00", None) == ""


def _page(data) -> str:
    from crawler.archive.report.page import build_page
    from crawler.archive.report.charts import land

    return build_page(data, vega_js="/* vega */", land=land(), current_version=CUR,
                      meta={"database": "a.db", "generated": "now", "software": "0"})


def _specs(page: str) -> list[dict]:
    return [json.loads(s) for s in re.findall(r'<script type="application/json" id="spec-\d+">(.*?)</script>', page)]


def _walk(spec):
    yield spec
    for key in ("vconcat", "hconcat", "layer"):
        for sub in spec.get(key, []):
            yield from _walk(sub)


def test_page_has_every_section_with_titled_charts_and_guides(archive):
    page = _page(collect(archive))
    for key in ("months", "per_event", "status", "outlets", "lag", "provenance", "versions", "map", "runs"):
        section = re.search(rf'<section id="{key}"><h2>[^<]+</h2><p class="guide">([^<]+)</p>', page)
        assert section and len(section.group(1)) > 30, key
    specs = _specs(page)
    assert len(specs) == 8 and page.count('class="chart"') == 8
    for spec in specs:
        titles = [s.get("title") for s in _walk(spec) if s.get("title")]
        assert titles, spec
        for s in _walk(spec):
            for channel in ("x", "y"):
                enc = s.get("encoding", {}).get(channel)
                if enc:
                    assert enc.get("title"), (channel, titles)
    assert "Alpha" in page and "[bare URL]" in page and 'data-key="reextract_upgrades"' in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # nothing loaded from a network


def test_empty_archive_page_has_notes_not_charts(tmp_path):
    page = _page(collect(open_db(tmp_path / "empty.db")))
    assert "<title>newsarchive report: empty archive</title>" in page and not _specs(page)
    for note in ("no days stored yet", "no events yet", "no sources yet", "no dated sources yet", "no runs recorded",
                 "no located entities yet (run entity resolution)"):
        assert f'<p class="empty">{note}</p>' in page


def test_page_escapes_archive_text(archive):
    archive.execute("UPDATE event_sources SET outlet = '<script>alert(1)</script>' WHERE outlet = 'Gamma'")
    page = _page(collect(archive))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def summary_numbers(page: str) -> dict:
    """The summary's data-key cells and the runs table's cells, as the status JSON spells them."""
    out = {}
    for key, value in re.findall(r'<td data-key="([^"]+)" data-v="([^"]*)">', page):
        out[key] = int(value) if value.isdigit() else value
    for run_id, cells in re.findall(r'<tr data-row="(\d+)">(.*?)</tr>', page):
        for field, value in re.findall(r'data-k="([^"]+)" data-v="([^"]*)"', cells):
            out[f"run.{run_id}.{field}"] = int(value) if value.isdigit() else value
    return out


def status_numbers(status: dict) -> dict:
    out = {k: status[k] for k in ("days", "first_day", "last_day", "events", "entities", "sources", "event_sources")}
    for group in ("days_by_status", "sources_by_status", "sources_recovered"):
        out.update({f"{group}.{k}": v for k, v in status[group].items()})
    for run in status["last_runs"]:  # the report shows a run's duration instead of its end time
        out.update({f"run.{run['id']}.{k}": v for k, v in run.items() if k not in ("id", "finished_at")})
    return out


def test_summary_numbers_equal_status(archive):
    expected = status_numbers(status_summary(archive))
    shown = summary_numbers(_page(collect(archive)))
    assert {k: shown.get(k) for k in expected} == expected


def test_report_command_writes_the_page(tmp_path):
    from crawler.cli import main

    build_fixture(tmp_path / "a.db")
    out = tmp_path / "r" / "report.html"
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("report of 5 days, 6 events, 7 sources") and str(out) in result.output
    page = out.read_text(encoding="utf-8")
    assert "window.vegaEmbed" in page and len(_specs(page)) == 8 and len(page) < 2_000_000


def test_missing_plotting_library_is_one_line(tmp_path, monkeypatch):
    from crawler.archive.report import charts as report_charts
    from crawler.cli import main

    build_fixture(tmp_path / "a.db")
    monkeypatch.setitem(sys.modules, "altair", None)  # import altair → ImportError
    report_charts.javascript_bundle.cache_clear()
    result = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert result.output == ("newsarchive: error: the report needs its plotting libraries: "
                             "pip install -e '.[report]' (Vega-Altair, vl-convert)\n")
    assert not (tmp_path / "r.html").exists()


def test_bad_range_and_missing_archive(tmp_path):
    from crawler.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no archive at" in result.output
    build_fixture(tmp_path / "a.db")
    result = runner.invoke(main, ["report", "--db", str(tmp_path / "a.db"), "--from", "2014-02-01",
                                  "--to", "2014-01-01"])
    assert result.exit_code == 2 and "is before" in result.output


def test_range_object_sql():
    assert Range().days() == ("1", []) and Range().sources() == ("1", [])
    where, params = Range("2014-01-01", None).days("e.day")
    assert where == "e.day >= ?" and params == ["2014-01-01"]


@pytest.mark.e2e
def test_report_of_a_crawled_archive_matches_status(tmp_path):
    """`make demo`'s crawl (a real Scrapy crawl of the sample and real day pages from local servers) writes the
    report beside the archive; its numbers are those of `newsarchive status --json`."""
    import os
    import subprocess

    from tests.conftest import OFFLINE
    from tests.test_crawl_portal import ROOT, run_cli

    db = tmp_path / "archive.db"
    proc = subprocess.run([sys.executable, "-m", "crawler.devtools.demo", "--db", str(db)], cwd=ROOT, capture_output=True,
                          text=True, timeout=240, env={**os.environ, **OFFLINE}, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"coverage report: {tmp_path / 'report.html'}" in proc.stdout
    status = json.loads(run_cli("status", "--json", "--db", str(db)).stdout)
    assert status["events"] > 0 and status["sources"] > 0 and status["last_runs"]
    expected = status_numbers(status)
    shown = summary_numbers((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert {k: shown.get(k) for k in expected} == expected
