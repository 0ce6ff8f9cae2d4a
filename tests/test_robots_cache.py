"""robots.txt answers kept between runs: freshness rules, and a second crawl that asks no host again."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from crawler.storage.robots import cached_robots, save_robots
from crawler.storage.schema import open_db
from tests.mockserver import MockServer
from tests.sitegen import article_html
from tests.test_crawl_portal import run_cli

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(hours=24)


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "a.db")


def test_fresh_answers_are_reused_stale_and_transient_ones_are_not(db):
    assert save_robots(db, "a.example", "https://a.example/robots.txt", 200, b"User-agent: *\nDisallow: /x\n",
                       NOW - timedelta(hours=23))
    assert cached_robots(db, "a.example", DAY, NOW) == b"User-agent: *\nDisallow: /x\n"
    assert cached_robots(db, "a.example", DAY, NOW + timedelta(hours=2)) is None  # 25 h old
    assert cached_robots(db, "a.example", DAY, NOW - timedelta(days=1)) is None  # fetched "in the future"
    assert cached_robots(db, "b.example", DAY, NOW) is None
    assert save_robots(db, "c.example", "https://c.example/robots.txt", 404, b"<html>Not found</html>", NOW)
    assert cached_robots(db, "c.example", DAY, NOW) == b""  # a 4xx: no rules
    for status in (500, 503, 429, 408):
        assert not save_robots(db, "d.example", "https://d.example/robots.txt", status, b"busy", NOW)
    assert cached_robots(db, "d.example", DAY, NOW) is None
    assert save_robots(db, "a.example", "https://a.example/robots.txt", 200, b"User-agent: *\nAllow: /\n", NOW)
    assert cached_robots(db, "a.example", DAY, NOW) == b"User-agent: *\nAllow: /\n"  # replaced, one row
    assert db["robots_txt"].count == 2


def _site(tmp_path):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    urls = {1: ["http://open.example.com/first", "http://closed.example.org/first"],
            2: ["http://open.example.com/second", "http://closed.example.org/second"]}
    url_map = {"http://closed.example.org/robots.txt": {"body": "User-agent: *\nDisallow: /\n",
                                                        "content_type": "text/plain"}}
    for day, cited in urls.items():
        refs = " ".join(f"[{u} (Outlet)]" for u in cited)
        (wiki / f"2022-05-0{day}_rev{day}.wiki").write_text(
            f"{{{{Current events|year=2022|month=05|day={day}|content=\n;Politics\n*Day {day} news. {refs}\n}}}}\n",
            encoding="utf-8")
        for i, url in enumerate(cited):
            page = tmp_path / f"p{day}{i}.html"
            page.write_text(article_html(f"Story {day} {i}", date(2022, 5, day), day * 10 + i), encoding="utf-8")
            url_map[url] = {"file": str(page)}
    (tmp_path / "map.json").write_text(json.dumps(url_map))
    return wiki, tmp_path / "map.json"


@pytest.mark.e2e
def test_second_run_asks_no_host_for_robots_txt_again(tmp_path):
    wiki, url_map = _site(tmp_path)
    db_path, log = tmp_path / "a.db", tmp_path / "log.jsonl"
    common = ["--db", str(db_path), "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
              "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "NEWSARCHIVE_ARCHIVE_FALLBACK=0"]

    def robots_asked(since: int) -> list[str]:
        return [e["path"] for e in srv.requests()[since:] if e["path"].endswith("/robots.txt")]

    with MockServer("--url-map", str(url_map), wiki=[wiki], log=log) as srv:
        mirror = ["--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}"]
        run_cli("crawl", "--date", "2022-05-01", *common, *mirror)
        assert len(robots_asked(0)) == 2
        mark = len(srv.requests())
        run_cli("crawl", "--date", "2022-05-02", *common, *mirror)
        assert robots_asked(mark) == []  # both hosts answered from the archive
        mark = len(srv.requests())
        run_cli("crawl", "--date", "2022-05-02", "-s", "NEWSARCHIVE_REFETCH_OK_SOURCES=1",
                "-s", "NEWSARCHIVE_ROBOTS_CACHE_HOURS=0", *common, *mirror)
        # cache off: asked again (the refetch is of the ok source; the denied one is not due)
        assert robots_asked(mark) == ["/mirror/http/open.example.com/robots.txt"]
    status = {r["url"]: r["status"] for r in open_db(db_path).query("SELECT url, status FROM sources")}
    assert status["http://closed.example.org/second"] == "robots_denied"  # the cached Disallow still applies
    assert status["http://open.example.com/second"] == "ok"
    rows = {r["netloc"]: r for r in open_db(db_path).query("SELECT * FROM robots_txt")}
    assert set(rows) == {"open.example.com", "closed.example.org"}
    assert rows["closed.example.org"]["http_status"] == 200 and rows["closed.example.org"]["fetched_at"]


def _busy_site(tmp_path):
    """One day citing a host whose robots.txt answers 503, and a host that works."""
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    cited = ["http://busy.example.net/story", "http://busy.example.net/private/memo", "http://open.example.com/ok"]
    refs = " ".join(f"[{u} (Outlet)]" for u in cited)
    (wiki / "2022-05-01_rev1.wiki").write_text(
        f"{{{{Current events|year=2022|month=05|day=1|content=\n;Politics\n*Day news. {refs}\n}}}}\n", encoding="utf-8")
    url_map = {"http://busy.example.net/robots.txt": {"body": "<html>overloaded</html>", "status": 503}}
    for i, url in enumerate(cited):
        page = tmp_path / f"p{i}.html"
        page.write_text(article_html(f"Story {i}", date(2022, 5, 1), 40 + i), encoding="utf-8")
        url_map[url] = {"file": str(page)}
    (tmp_path / "map.json").write_text(json.dumps(url_map))
    return wiki, tmp_path / "map.json"


@pytest.mark.e2e
@pytest.mark.parametrize("kept_answer_age", [None, timedelta(days=3), timedelta(days=40)])
def test_robots_txt_answering_5xx_means_disallow_unless_a_recent_answer_was_kept(tmp_path, kept_answer_age):
    """RFC 9309 §2.3.1.4: an unreachable robots.txt is a complete disallow; a cached copy may stand in for it."""
    wiki, url_map = _busy_site(tmp_path)
    db_path, log = tmp_path / "a.db", tmp_path / "log.jsonl"
    if kept_answer_age is not None:
        save_robots(open_db(db_path), "busy.example.net", "http://busy.example.net/robots.txt", 200,
                    b"User-agent: *\nDisallow: /private/\n", datetime.now(timezone.utc) - kept_answer_age)
    with MockServer("--url-map", str(url_map), wiki=[wiki], log=log) as srv:
        run_cli("crawl", "--date", "2022-05-01", "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
                "-s", "RETRY_TIMES=1", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "NEWSARCHIVE_ARCHIVE_FALLBACK=0")
        asked = [e["path"] for e in srv.requests() if "busy.example.net" in e["path"]]
    rows = {r["url"]: r for r in open_db(db_path).query("SELECT url, status, error, next_attempt_at FROM sources")}
    assert rows["http://open.example.com/ok"]["status"] == "ok"
    assert asked.count("/mirror/http/busy.example.net/robots.txt") == 2  # the answer and one retry, both 503
    story, memo = rows["http://busy.example.net/story"], rows["http://busy.example.net/private/memo"]
    if kept_answer_age == timedelta(days=3):  # the kept answer's rules apply
        assert story["status"] == "ok" and memo["status"] == "robots_denied"
        assert "/mirror/http/busy.example.net/story" in asked
    else:  # none kept, or older than 30 days: nothing of the host is fetched, and it is tried again later
        assert not [p for p in asked if not p.endswith("/robots.txt")]
        for row in (story, memo):
            assert row["status"] == "robots_unreachable", row
            assert "HTTP 503" in row["error"] and row["next_attempt_at"]
    kept = next(open_db(db_path).query("SELECT http_status FROM robots_txt WHERE netloc = 'busy.example.net'"), None)
    assert kept == (None if kept_answer_age is None else {"http_status": 200})  # a 503 is never kept
