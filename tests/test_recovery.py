"""Dead sources recovered from a local fake Wayback Machine (CDX + raw id_ captures) on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crawler.storage.schema import open_db
from crawler.net.wayback import rank_captures, unwrap_archive_url
from tests.mockserver import MockServer
from tests.sitegen import article_html
from tests.test_crawl_portal import run_cli

DAY = date(2014, 2, 13)
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
        "-s", "NEWSARCHIVE_WAYBACK_DELAY=0", "-s", "NEWSARCHIVE_COMMONCRAWL_URL=", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1"]


def page(*cites: str) -> str:
    lines = ["{{Current events|year=2014|month=02|day=13|content=", ";International relations"]
    lines += [f"*Event number {i} about [[Cairo]] happens. {c}" for i, c in enumerate(cites)]
    return "\n".join(lines + ["}}"]) + "\n"


def setup_site(tmp_path, captures: dict, mirror: dict, cites: list[str]):
    (tmp_path / "wiki").mkdir()
    (tmp_path / "wiki" / "2014-02-13_rev7.wiki").write_text(page(*cites), encoding="utf-8")
    (tmp_path / "wayback.json").write_text(json.dumps(captures))
    (tmp_path / "map.json").write_text(json.dumps(mirror))


def cap(tmp_path, ts: str, title: str) -> dict:
    f = tmp_path / f"cap-{ts}-{abs(hash(title)) % 10**6}.html"
    f.write_text(article_html(title, DAY, int(ts[-6:])), encoding="utf-8")
    return {"timestamp": ts, "file": str(f)}


def crawl(tmp_path, *extra_server_args, settings=()):
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(tmp_path / "map.json"), "--wayback", str(tmp_path / "wayback.json"),
                    *extra_server_args, wiki=[tmp_path / "wiki"], log=tmp_path / "log.jsonl") as srv:
        run_cli("crawl", "--date", DAY.isoformat(), "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "--wayback-url", srv.url(""), *FAST, *settings)
        log = srv.requests()
    return open_db(db_path), log


@pytest.mark.e2e
@pytest.mark.parametrize("nearest_first", [True, False], ids=["timestamp-lookup", "cdx-index"])
def test_dead_source_recovered_with_the_capture_nearest_the_event_day(tmp_path, nearest_first):
    dead = "http://news.example.com/2014/02/13/egypt-russia.html"
    captures = {dead: [cap(tmp_path, "20130301090000", "First capture"),
                       cap(tmp_path, "20140215080000", "Nearest capture"),
                       cap(tmp_path, "20150101000000", "Latest capture")]}
    setup_site(tmp_path, captures, {}, [f"[{dead} (Example News)]"])
    db, log = crawl(tmp_path, settings=("-s", f"NEWSARCHIVE_WAYBACK_NEAREST={int(nearest_first)}"))
    row = next(db.query("SELECT * FROM sources"))
    assert row["status"] == "ok"
    assert row["recovered_from"] == "wayback" and row["archive_timestamp"] == "20140215080000"
    assert row["archive_url"].endswith("/web/20140215080000id_/" + dead)
    assert row["title"] == "Nearest capture"
    assert (row["failure_status"], row["failure_error"]) == ("http_error", "HTTP 404")
    assert row["archive_checked_at"] and row["text"]
    archive = [r["path"] for r in log if r["path"] == "/cdx/search/cdx" or r["path"].startswith("/web/")]
    if nearest_first:  # one lookup: the event day's timestamp, redirected to the nearest capture
        assert archive == [f"/web/20140213120000id_/{dead}", f"/web/20140215080000id_/{dead}"]
    else:  # the index, then the nearest capture it lists
        cdx = [r for r in log if r["path"] == "/cdx/search/cdx"]
        assert len(cdx) == 1 and "statuscode%3A200" in cdx[0]["query"]
        assert archive == ["/cdx/search/cdx", f"/web/20140215080000id_/{dead}"]
    status = json.loads(run_cli("status", "--db", db.conn.execute("PRAGMA database_list").fetchone()[2],
                                "--json").stdout)
    assert status["sources_recovered"] == {"wayback": 1}


@pytest.mark.e2e
def test_no_capture_keeps_the_failure_and_says_the_archives_were_searched(tmp_path):
    dead = "http://gone.example.org/story"
    setup_site(tmp_path, {}, {}, [f"[{dead} (Gone)]"])
    db, _ = crawl(tmp_path)
    row = next(db.query("SELECT * FROM sources"))
    assert row["status"] == "http_error" and row["error"] == "HTTP 404"
    assert row["recovered_from"] is None and row["archive_checked_at"]


@pytest.mark.e2e
def test_archive_429_then_success(tmp_path):
    dead = "http://news.example.com/a.html"
    setup_site(tmp_path, {dead: [cap(tmp_path, "20140213110000", "Only capture")]}, {}, [f"[{dead} (X)]"])
    db, log = crawl(tmp_path, "--wayback-429-first", "1")
    row = next(db.query("SELECT * FROM sources"))
    assert row["status"] == "ok" and row["title"] == "Only capture"
    assert [r["path"] for r in log if r["path"].startswith("/web/")] == [  # 429, retried: the redirect, the capture
        f"/web/20140213120000id_/{dead}", f"/web/20140213120000id_/{dead}", f"/web/20140213110000id_/{dead}"]


@pytest.mark.e2e
def test_capture_redirect_and_failed_capture_fall_through(tmp_path):
    dead = "http://news.example.com/moved.html"
    target = cap(tmp_path, "20140214000000", "After the redirect")
    captures = {dead: [{"timestamp": "20140213120000", "status": 200, "redirect": "/web/20140214000000id_/" + dead},
                       target],
                "http://news.example.com/broken.html": [
                    {"timestamp": "20140213120000", "status": 200, "body": ""},  # listed but empty
                    cap(tmp_path, "20140220000000", "Second best")]}
    setup_site(tmp_path, captures, {}, [f"[{dead} (X)]", "[http://news.example.com/broken.html (Y)]"])
    db, _ = crawl(tmp_path)
    rows = {r["url"]: r for r in db.query("SELECT * FROM sources")}
    assert rows[dead]["status"] == "ok" and rows[dead]["title"] == "After the redirect"
    broken = rows["http://news.example.com/broken.html"]
    assert broken["status"] == "http_error" and broken["archive_checked_at"]  # empty capture: failure kept


@pytest.mark.e2e
def test_web_archive_citation_is_unwrapped_and_fetched_raw(tmp_path):
    original = "http://www.dailytech.com/article.aspx?newsid=13152"
    cited = "https://web.archive.org/web/20081010102849/" + original
    setup_site(tmp_path, {original: [cap(tmp_path, "20081010102849", "Ozone hole report")]}, {},
               [f"[{cited} (DailyTech)]"])
    db, log = crawl(tmp_path)
    row = next(db.query("SELECT * FROM sources"))
    assert row["url"] == original and row["cited_url"] == cited
    assert row["status"] == "ok" and row["recovered_from"] == "wayback" and row["failure_status"] is None
    assert any(r["path"].startswith("/web/20081010102849id_/") for r in log)
    assert not any(r["path"].startswith("/mirror/") and "dailytech" in r["path"] for r in log)


@pytest.mark.e2e
def test_dead_link_template_goes_to_the_archive_first(tmp_path):
    url = "http://news.example.com/dead-marked.html"
    setup_site(tmp_path, {url: [cap(tmp_path, "20140213100000", "Archived copy")]},
               {url: {"body": "<html><body>Parked domain. Buy this domain!</body></html>"}},
               [f"[{url} (X)]{{{{Dead link|date=May 2020}}}}"])
    db, log = crawl(tmp_path)
    row = next(db.query("SELECT * FROM sources"))
    assert row["status"] == "ok" and row["title"] == "Archived copy" and row["failure_status"] == "reported_dead"
    assert not any(r["path"].startswith("/mirror/") and "dead-marked" in r["path"] for r in log)


def test_unwrap_and_rank_units():
    assert unwrap_archive_url("https://web.archive.org/web/20120222014306/http://news.example.com/x?y=1") == (
        "http://news.example.com/x?y=1", "20120222014306")
    assert unwrap_archive_url("http://archive.org/web/2012im_/example.com/a") == ("http://example.com/a", "2012")
    assert unwrap_archive_url("https://example.com/web/2012/x") is None
    rows = [{"timestamp": t, "statuscode": "200", "mimetype": "text/html"} for t in
            ("20100101000000", "20140212230000", "20140214020000", "20200101000000")]
    assert [r["timestamp"] for r in rank_captures(rows, DAY)][:2] == ["20140212230000", "20140214020000"]


@pytest.mark.e2e
def test_common_crawl_after_the_wayback_has_nothing(tmp_path):
    """No Wayback capture: the collection nearest after the event day is searched in a local fake Common Crawl
    (collinfo → CDX index → WARC byte range) and the page is read from its WARC record."""
    dead = "http://news.example.com/2014/02/13/cairo-talks.html"
    before, after = cap(tmp_path, "20131201000000", "Too early"), cap(tmp_path, "20140305120000", "From Common Crawl")
    cc = {dead: [{**before, "collection": "CC-MAIN-2013-48"}, {**after, "collection": "CC-MAIN-2014-10"}]}
    (tmp_path / "cc.json").write_text(json.dumps(cc))
    setup_site(tmp_path, {}, {}, [f"[{dead} (Example News)]"])
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(tmp_path / "map.json"), "--wayback", str(tmp_path / "wayback.json"),
                    "--commoncrawl", str(tmp_path / "cc.json"), wiki=[tmp_path / "wiki"],
                    log=tmp_path / "log.jsonl") as srv:
        run_cli("crawl", "--date", DAY.isoformat(), "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "--wayback-url", srv.url(""), *FAST,
                "-s", f"NEWSARCHIVE_COMMONCRAWL_URL={srv.url('/cc')}",
                "-s", f"NEWSARCHIVE_COMMONCRAWL_DATA_URL={srv.url('/ccdata')}")
        log = srv.requests()
    row = next(open_db(db_path).query("SELECT * FROM sources"))
    assert row["status"] == "ok" and row["recovered_from"] == "commoncrawl"
    assert row["title"] == "From Common Crawl" and row["text"]
    assert row["archive_timestamp"] == "20140305120000"
    assert (row["failure_status"], row["failure_error"]) == ("http_error", "HTTP 404")
    paths = [r["path"] for r in log]
    assert paths.index(f"/web/20140213120000id_/{dead}") < paths.index("/cc/collinfo.json")  # the Wayback first
    assert "/cdx/search/cdx" not in paths  # never archived: the nearest-capture lookup said so
    assert "/cc/CC-MAIN-2014-10-index" in paths and "/cc/CC-MAIN-2013-48-index" not in paths
    assert any(p.startswith("/ccdata/") for p in paths)


@pytest.mark.e2e
def test_common_crawl_without_the_page_is_an_archive_miss(tmp_path):
    dead = "http://gone.example.org/story"
    other = cap(tmp_path, "20140305120000", "Another page")
    (tmp_path / "cc.json").write_text(json.dumps({"http://elsewhere.example.org/x": [
        {**other, "collection": "CC-MAIN-2014-10"}]}))
    setup_site(tmp_path, {}, {}, [f"[{dead} (Gone)]"])
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(tmp_path / "map.json"), "--wayback", str(tmp_path / "wayback.json"),
                    "--commoncrawl", str(tmp_path / "cc.json"), wiki=[tmp_path / "wiki"]) as srv:
        run_cli("crawl", "--date", DAY.isoformat(), "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "--wayback-url", srv.url(""), *FAST,
                "-s", f"NEWSARCHIVE_COMMONCRAWL_URL={srv.url('/cc')}",
                "-s", f"NEWSARCHIVE_COMMONCRAWL_DATA_URL={srv.url('/ccdata')}")
    row = next(open_db(db_path).query("SELECT * FROM sources"))
    assert row["status"] == "http_error" and row["recovered_from"] is None and row["archive_checked_at"]
