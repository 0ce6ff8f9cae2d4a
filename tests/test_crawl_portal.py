"""End to end: `newsarchive crawl` against a local MediaWiki API stand-in (subprocess, random port)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from math import ceil
from pathlib import Path

import pytest

from crawler.portal.wikitext import parse_wikitext
from crawler.storage.days import day_events
from crawler.storage.schema import open_db
from tests.mockserver import MockServer

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "crawler" / "devtools" / "sample_data" / "portal"
REAL = ROOT.parent / "shared" / "realdata" / "portal" / "wikitext"
CLI = [sys.executable, "-m", "crawler.cli"]


from tests.conftest import OFFLINE  # noqa: E402

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess


def run_cli(*args, env=None, check=True):
    proc = subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=ROOT, timeout=240,
                          env={**os.environ, **OFFLINE, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
    return proc


def dump(db_path, ignore=("fetched_at", "parsed_at", "api_url")):
    db = open_db(db_path)
    out = {}
    for table in ("days", "events", "entities", "event_entities", "sources", "event_sources"):
        rows = []
        for r in db.query(f"SELECT * FROM {table}"):
            rows.append(tuple(sorted((k, v) for k, v in r.items() if k not in ignore)))
        out[table] = sorted(rows, key=repr)
    db.close()
    return out


@pytest.fixture
def wiki_dir(tmp_path):
    """Sample days 2014-02-11/12/15 (ours), the real 2014-02-13 page when present; 2014-02-14 missing."""
    d = tmp_path / "wiki"
    d.mkdir()
    for f in SAMPLES.glob("*.wiki"):
        shutil.copy(f, d / f.name)
    if REAL.exists():
        for f in [*REAL.glob("*_rev*.wiki"), *REAL.glob("*_rev*.meta.json")]:
            shutil.copy(f, d / f.name)
    return d


def test_crawl_range_real_and_missing_days(wiki_dir, tmp_path):
    if not REAL.exists():
        pytest.skip("../shared/realdata not found: real-page crawl skipped")
    db_path = tmp_path / "archive.db"
    log = tmp_path / "requests.jsonl"
    with MockServer(wiki=[wiki_dir], log=log) as srv:
        proc = run_cli("crawl", "--from", "2014-02-11", "--to", "2014-02-15", "--db", str(db_path),
                       "--wiki-api", srv.api, "--no-sources")
        assert "5 days (1 missing, 0 failed" in proc.stdout
        db = open_db(db_path)
        days = {r["day"]: r for r in db.query("SELECT * FROM days")}
        assert set(days) == {"2014-02-11", "2014-02-12", "2014-02-13", "2014-02-14", "2014-02-15"}
        assert days["2014-02-14"]["status"] == "missing" and days["2014-02-14"]["event_count"] == 0
        assert days["2014-02-13"]["revision_id"] == 1102326775
        assert days["2014-02-13"]["revision_timestamp"] == "2022-08-04T13:45:42Z"
        # per-day counts equal the parser's
        for f in wiki_dir.glob("2014-02-1*.wiki"):
            day = f.name[:10]
            expected = parse_wikitext(f.read_text(encoding="utf-8"))
            stored = day_events(db, day)
            assert days[day]["event_count"] == len(expected) == len(stored) > 0
            assert [e["text"] for e in stored] == [e.text for e in expected]
        # the sample event
        egypt = [e for e in day_events(db, "2014-02-13") if e["stories"] == ["Egypt–Russia relations"]][0]
        assert [e["title"] for e in egypt["entities"]] == ["Moscow", "Sergey Lavrov", "Cairo", "Sergey Shoigu"]
        assert [(s["outlet"], s["url"]) for s in egypt["sources"]] == [
            ("Al-Ahram", "http://english.ahram.org.eg/NewsContent/1/64/94184/Egypt/Politics-/"
                         "Russia-trip-new-start-to-military-cooperation-Egyp.aspx"),
            ("The Hindu", "http://www.thehindu.com/news/international/world/russia-egypt-to-boost-defence-ties/"
                          "article5684901.ece"),
        ]
        assert egypt["category"] == "International relations"
        # a single API request carried all five titles (the others resolve the entities)
        api_calls = [r for r in srv.requests() if r["path"].endswith("api.php") and "prop=revisions" in r["query"]]
        assert len(api_calls) == 1
        db.close()

        # a second crawl changes nothing
        before = dump(db_path)
        run_cli("crawl", "--from", "2014-02-11", "--to", "2014-02-15", "--db", str(db_path),
                "--wiki-api", srv.api, "--no-sources", "--quiet")
        assert dump(db_path) == before

        # an edited page replaces its day: drop one bullet, new revision
        page = wiki_dir / "2014-02-12_rev900000012.wiki"
        text = page.read_text(encoding="utf-8")
        edited = "\n".join(line for line in text.splitlines() if "Met Office" not in line)
        page.unlink()
        (wiki_dir / "2014-02-12_rev900000099.wiki").write_text(edited, encoding="utf-8")
        proc = run_cli("crawl", "--date", "2014-02-12", "--db", str(db_path), "--wiki-api", srv.api,
                       "--no-sources")
        db = open_db(db_path)
        stored = day_events(db, "2014-02-12")
        assert [e["text"] for e in stored] == [e.text for e in parse_wikitext(edited)]
        assert not any("Met Office" in e["text"] for e in stored)
        assert db["days"].get("2014-02-12")["revision_id"] == 900000099
        assert db.execute("SELECT COUNT(*) FROM events WHERE day = '2014-02-12'").fetchone()[0] == len(stored)
        runs = list(db.query("SELECT command, finish_reason, days FROM runs ORDER BY id"))
        assert [r["finish_reason"] for r in runs] == ["finished"] * 3 and runs[-1]["days"] == 1


def test_every_real_page_through_scrapy_crawl(tmp_path):
    """`scrapy crawl portal -a days=…` stores each real page with the parser's events."""
    if not REAL.exists():
        pytest.skip("../shared/realdata not found: real-page crawl skipped")
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    pages = sorted(REAL.glob("*_rev*.wiki"))
    for f in pages:
        shutil.copy(f, wiki / f.name)
    db_path = tmp_path / "a.db"
    days = ",".join(f.name[:10] for f in pages)
    with MockServer(wiki=[wiki]) as srv:
        proc = subprocess.run(
            ["scrapy", "crawl", "portal", "-a", f"days={days}", "-s", f"NEWSARCHIVE_DB={db_path}",
             "-s", f"NEWSARCHIVE_WIKI_API={srv.api}", "-s", "NEWSARCHIVE_FOLLOW_SOURCES=0", "-s", "LOG_LEVEL=WARNING"],
            cwd=ROOT, capture_output=True, text=True, timeout=240,
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
        assert proc.returncode == 0, proc.stderr
    db = open_db(db_path)
    for f in pages:
        expected = parse_wikitext(f.read_text(encoding="utf-8"))
        stored = day_events(db, f.name[:10])
        assert len(stored) == len(expected) > 0, f.name
        assert [(e["category"], e["stories"], e["text"]) for e in stored] == \
               [(e.category, e.stories, e.text) for e in expected]
        assert sum(len(e["sources"]) for e in stored) == sum(len(e.sources) for e in expected)


def test_api_faults_maxlag_503_and_continue(wiki_dir, tmp_path):
    """maxlag error JSON, a 503 with Retry-After, and `continue` answers: every day still arrives."""
    db_path = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    with MockServer("--maxlag-first", "1", "--status-first", "1", "--max-content-pages", "1",
                    wiki=[wiki_dir], log=log) as srv:
        run_cli("crawl", "--from", "2014-02-11", "--to", "2014-02-15", "--db", str(db_path),
                "--wiki-api", srv.api, "--no-sources", "-s", "NEWSARCHIVE_API_RETRIES=3")
        api_calls = [r for r in srv.requests() if r["path"].endswith("api.php") and "prop=revisions" in r["query"]]
    db = open_db(db_path)
    statuses = {r["day"]: r["status"] for r in db.query("SELECT day, status FROM days")}
    present = {p.name[:10] for p in wiki_dir.glob("2014-02-1*.wiki")}
    assert statuses == {d: ("ok" if d in present else "missing") for d in
                        ["2014-02-11", "2014-02-12", "2014-02-13", "2014-02-14", "2014-02-15"]}
    # 1 x 503 + 1 x maxlag + one answer per page with content (continue after each)
    assert len(api_calls) == 2 + len(present)
    assert sum("rvcontinue" in r["query"] for r in api_calls) == len(present) - 1


def test_titles_batched_fifty_per_request(tmp_path):
    log = tmp_path / "log.jsonl"
    (tmp_path / "wiki").mkdir()
    with MockServer(wiki=[tmp_path / "wiki"], log=log) as srv:
        proc = run_cli("crawl", "--from", "2010-01-01", "--to", "2010-04-30", "--db", str(tmp_path / "a.db"),
                       "--wiki-api", srv.api, "--no-sources")
        calls = [r for r in srv.requests() if r["path"].endswith("api.php")]
    assert len(calls) == ceil(120 / 50)
    assert "120 days (120 missing" in proc.stdout


def test_unreachable_api_is_a_one_line_failure(tmp_path):
    proc = run_cli("crawl", "--date", "2014-02-13", "--db", str(tmp_path / "a.db"),
                   "--wiki-api", "http://127.0.0.1:9/w/api.php", "--no-sources", "-s", "RETRY_TIMES=0",
                   check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsarchive: error:"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_date_is_a_usage_error(tmp_path):
    proc = run_cli("crawl", "--from", "2014-13-40", "--db", str(tmp_path / "a.db"), check=False)
    assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr and "Traceback" not in proc.stderr


def test_status_shows_counts(wiki_dir, tmp_path):
    db_path = tmp_path / "a.db"
    with MockServer(wiki=[wiki_dir]) as srv:
        run_cli("crawl", "--from", "2014-02-11", "--to", "2014-02-12", "--db", str(db_path),
                "--wiki-api", srv.api, "--no-sources", "--quiet")
    out = json.loads(run_cli("status", "--db", str(db_path), "--json").stdout)
    assert out["days"] == 2 and out["events"] == len(parse_wikitext((SAMPLES / "2014-02-11_rev900000011.wiki")
                                                                    .read_text())) + len(
        parse_wikitext((SAMPLES / "2014-02-12_rev900000012.wiki").read_text()))
    assert out["last_runs"][0]["finish_reason"] == "finished"
    human = run_cli("status", "--db", str(db_path)).stdout
    assert "coverage" in human and "2014" in human
