"""Resumable backfills (kill -9, rerun, same database) and `newsarchive update` against a changing mock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from crawler.storage.schema import open_db
from tests.mockserver import MockServer
from tests.sitegen import build_site
from tests.test_crawl_portal import ROOT, run_cli

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0",
        "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1"]
VOLATILE = {"fetched_at", "parsed_at", "created_at", "extracted_at", "api_url", "event_day", "next_attempt_at",
            "resolved_at"}


def content(db_path) -> dict:
    """Every table by natural content, ignoring times of fetch/parse (ids are content-derived)."""
    db = open_db(db_path)
    out = {}
    for table in ("days", "events", "entities", "event_entities", "sources", "event_sources"):
        rows = [tuple(sorted((k, v) for k, v in r.items() if k not in VOLATILE)) for r in db.query(f"SELECT * FROM {table}")]
        out[table] = sorted(rows, key=repr)
    db.close()
    return out


def test_kill_9_then_rerun_equals_clean_run(tmp_path):
    site = build_site(tmp_path / "site", date(2015, 3, 1), days=24, events_per_day=3,
                      skip={date(2015, 3, 10)}, shared_every=5, delay=0.05)
    args = ["crawl", "--from", "2015-03-01", "--to", "2015-03-24", *FAST,
            "-s", "NEWSARCHIVE_TITLES_PER_REQUEST=4"]
    with MockServer("--url-map", str(site["map"]), "--delay", "0.4", wiki=[site["wiki"]]) as srv:
        env_args = ["--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}"]
        clean = tmp_path / "clean.db"
        run_cli(*args, "--db", str(clean), *env_args)

        killed = tmp_path / "killed.db"
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args, "--db", str(killed), *env_args],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 60
        stored = 0
        while time.time() < deadline:
            time.sleep(0.2)
            if killed.exists():
                try:
                    stored = open_db(killed, migrate=False).execute("SELECT COUNT(*) FROM days").fetchone()[0]
                except Exception:
                    stored = 0
            if stored >= 8:
                break
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 8 <= stored < 24, f"kill came too late or too early ({stored} days)"
        # the interrupted archive is consistent (whole days only), then a rerun completes it
        db = open_db(killed)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for row in db.query("SELECT day, event_count FROM days WHERE status = 'ok'"):
            assert db.execute("SELECT COUNT(*) FROM events WHERE day = ?", [row["day"]]).fetchone()[0] == row["event_count"]
        db.close()
        proc2 = run_cli(*args, "--db", str(killed), *env_args)
        assert "24 days" in proc2.stdout
    a, b = content(clean), content(killed)
    for table in a:
        assert a[table] == b[table], f"{table} differs after resume"
    assert len(a["sources"]) == 3 * 23 + 1 and all(dict(r)["status"] == "ok" for r in a["sources"])


def test_update_reparses_only_changed_days_and_retries_due_sources(tmp_path):
    today = date(2020, 6, 20)
    site = build_site(tmp_path / "site", today - timedelta(days=12), days=12, events_per_day=2)
    # one source fails once with a 503, then recovers
    import json
    url_map = json.loads(site["map"].read_text())
    flaky = site["urls"][-1]
    url_map[flaky]["fail_times"] = 1
    site["map"].write_text(json.dumps(url_map))
    db_path = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]], log=log) as srv:
        common = ["--db", str(db_path), "--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST,
                  "-s", "NEWSARCHIVE_SOURCE_RETRY_BASE=0"]
        run_cli("update", "--today", today.isoformat(), *common)
        db = open_db(db_path)
        days = [r["day"] for r in db.query("SELECT day FROM days ORDER BY day")]
        assert days[0] == (today - timedelta(days=7)).isoformat() and days[-1] == today.isoformat()
        assert db.execute("SELECT status FROM sources WHERE url = ?", [flaky]).fetchone()[0] == "http_error"
        before = {r["day"]: r["ids"] for r in db.query(
            "SELECT day, group_concat(rowid) AS ids FROM events GROUP BY day")}
        db.close()

        # the portal moves on: a new day appears, an old day is edited
        new_day = today + timedelta(days=1)
        (site["wiki"] / f"{new_day.isoformat()}_rev5000.wiki").write_text(
            "{{Current events|year=%d|month=%02d|day=%d|content=\n;Sports\n*[[Oslo]] wins. [http://news0.example.com/new (X)]\n}}\n"
            % (new_day.year, new_day.month, new_day.day), encoding="utf-8")
        edited_day = today - timedelta(days=5)
        old = next(site["wiki"].glob(f"{edited_day.isoformat()}_rev*.wiki"))
        text = old.read_text().replace("An event number 1", "An edited event number 1")
        old.unlink()
        (site["wiki"] / f"{edited_day.isoformat()}_rev6000.wiki").write_text(text, encoding="utf-8")
        n_before = len(srv.requests())
        proc = run_cli("update", "--today", new_day.isoformat(), *common)
        second = srv.requests()[n_before:]
    db = open_db(db_path)
    after = {r["day"]: r["ids"] for r in db.query("SELECT day, group_concat(rowid) AS ids FROM events GROUP BY day")}
    reparsed = {d for d in after if before.get(d) != after[d]}
    assert reparsed == {edited_day.isoformat(), new_day.isoformat()}
    assert db.execute("SELECT status FROM sources WHERE url = ?", [flaky]).fetchone()[0] == "ok"
    # only the recovered source and the new day's source were fetched again; ok sources were not
    fetched = sorted(r["path"] for r in second if r["path"].startswith("/mirror/") and "robots" not in r["path"])
    assert fetched == sorted(["/mirror/http/news0.example.com/new", "/mirror/" + flaky.replace("://", "/", 1)])
    runs = list(db.query("SELECT command, finish_reason FROM runs ORDER BY id"))
    assert runs == [{"command": "update", "finish_reason": "finished"}] * 2
    assert proc.stdout.strip()


def test_quiet_prints_nothing_and_second_writer_is_refused(tmp_path):
    site = build_site(tmp_path / "site", date(2015, 3, 1), days=2)
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]]) as srv:
        common = ["--db", str(db_path), "--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST]
        proc = run_cli("crawl", "--from", "2015-03-01", "--to", "2015-03-02", "--quiet", *common)
        assert proc.stdout == "" and proc.stderr == ""
        from crawler.storage.lock import ArchiveLock
        with ArchiveLock(db_path, "crawl"):
            busy = run_cli("crawl", "--date", "2015-03-01", *common, check=False)
        assert busy.returncode == 1
        assert busy.stderr.count("\n") == 1 and "is writing this archive" in busy.stderr


def test_refetch_is_conditional_and_304_keeps_the_text(tmp_path):
    import json as _json

    today = date(2020, 6, 20)
    site = build_site(tmp_path / "site", today - timedelta(days=2), days=2, events_per_day=1)
    url_map = _json.loads(site["map"].read_text())
    for spec in url_map.values():
        spec["etag"] = '"v1"'
    site["map"].write_text(_json.dumps(url_map))
    db_path = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]], log=log) as srv:
        common = ["--db", str(db_path), "--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST]
        run_cli("update", "--today", today.isoformat(), *common)
        db = open_db(db_path)
        before = {r["url"]: (r["etag"], r["text"], r["fetched_at"]) for r in db.query("SELECT * FROM sources")}
        db.close()
        assert before and all(v[0] == '"v1"' and v[1] for v in before.values())
        time.sleep(1.1)  # fetched_at has second resolution
        run_cli("update", "--today", today.isoformat(), "--refetch-sources", *common)
    db = open_db(db_path)
    after = {r["url"]: (r["etag"], r["text"], r["fetched_at"], r["status"]) for r in db.query("SELECT * FROM sources")}
    for url, (etag, text, fetched_at) in before.items():
        assert after[url][:2] == (etag, text) and after[url][3] == "ok"
        assert after[url][2] > fetched_at  # checked again
    refetches = [r for r in srv.requests() if r["path"].startswith("/mirror/") and "robots" not in r["path"]]
    assert len(refetches) == 2 * len(before)
    assert [r["if_none_match"] for r in refetches[len(before):]] == ['"v1"'] * len(before)  # conditional GETs


@pytest.mark.parametrize("backlog", [6, 0])
def test_backfill_backlog_is_bounded(tmp_path, backlog):
    """NEWSARCHIVE_MAX_BACKLOG: the next batch of days is asked for only once the sources already found have
    mostly been fetched, so a years-long backfill does not hold every cited URL in memory; 0 lifts the bound."""
    site = build_site(tmp_path / "site", date(2016, 1, 1), days=30, events_per_day=3, delay=0.05)
    log = tmp_path / "log.jsonl"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]], log=log) as srv:
        run_cli("crawl", "--from", "2016-01-01", "--to", "2016-01-30", "--db", str(tmp_path / "a.db"),
                "--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST,
                "-s", "NEWSARCHIVE_TITLES_PER_REQUEST=3", "-s", f"NEWSARCHIVE_MAX_BACKLOG={backlog}",
                "-s", "CONCURRENT_REQUESTS=2")  # few in flight: the backlog waits in the scheduler
        reqs = [r for r in srv.requests() if not r["path"].endswith("robots.txt")]
    api = [i for i, r in enumerate(reqs) if r["path"].endswith("api.php") and "prop=revisions" in r["query"]]
    pages_before_last_api = sum(1 for r in reqs[: api[-1]] if "/mirror/" in r["path"])
    print("pages before the last API call:", pages_before_last_api)
    db = open_db(tmp_path / "a.db")
    assert db.execute("SELECT count(*) FROM days WHERE status = 'ok'").fetchone()[0] == 30
    assert db.execute("SELECT count(*) FROM sources WHERE status = 'ok'").fetchone()[0] == 90
    db.close()
    assert len(api) == 10
    if backlog:  # batches wait for the backlog to drain: most pages are fetched before the last batch is asked for
        assert pages_before_last_api >= 65, pages_before_last_api
    else:  # unbounded: the API chain runs far ahead of the pages
        assert pages_before_last_api < 45, pages_before_last_api
