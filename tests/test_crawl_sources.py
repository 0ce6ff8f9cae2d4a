"""End to end: cited sources served by a local mirror with real pages; failures end in their status."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from crawler.storage.schema import open_db
from tests.mockserver import MockServer
from tests.test_crawl_portal import run_cli

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess

ROOT = Path(__file__).resolve().parents[1]
TELEGRAPH = ROOT.parent / "shared" / "realdata" / "articles" / "outlets" / "telegraph"
AEB_PAGE = "aeb_88c328b68b038a625b4b3f8c322215caa30b0e88af0754bd71056ffc15c7b4b7"

DAY = """{{Current events|year=2023|month=11|day=2|content=
<!-- All news items below this line -->
;Sports
*The [[WTA Finals]] open in [[Cancún]]. [WTA_URL (''The Telegraph'')] [DAVIS_URL?utm_source=feed (The Telegraph)]
*A second event cites the same page again. [WTA_URL (The Telegraph)] [http://gone.example.com/story (Gone Times)]
;Science and technology
*A slow host and a report. [http://slow.example.com/story (Slow Post)] [http://docs.example.org/report.pdf (Report)]
*A host that forbids crawlers. [http://private.example.net/story (Private)]
<!-- All news items above this line -->}}
"""


def words(text):
    return re.findall(r"\w+", text.lower())


def shingle_f1(got, want, n=4):
    g = Counter(tuple(words(got)[i:i + n]) for i in range(max(0, len(words(got)) - n + 1)))
    w = Counter(tuple(words(want)[i:i + n]) for i in range(max(0, len(words(want)) - n + 1)))
    tp = sum((g & w).values())
    p, r = tp / max(1, sum(g.values())), tp / max(1, sum(w.values()))
    return 2 * p * r / (p + r) if p + r else 0.0


@pytest.fixture
def site(tmp_path):
    if not TELEGRAPH.exists():
        pytest.skip("../shared/realdata not found: real-page source crawl skipped")
    wta = json.loads((TELEGRAPH / "htmldate_telegraph.co.uk-WTA.html.date.json").read_text())
    davis = json.loads((TELEGRAPH / f"{AEB_PAGE}.json").read_text())
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "2023-11-02_rev5.wiki").write_text(
        DAY.replace("WTA_URL", wta["url"]).replace("DAVIS_URL", davis["url"]), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    url_map = {
        wta["url"]: {"file": str(TELEGRAPH / "htmldate_telegraph.co.uk-WTA.html.gz")},
        davis["url"]: {"file": str(TELEGRAPH / f"{AEB_PAGE}.html.gz")},
        "http://slow.example.com/story": {"delay": 15, "body": "<html><body>late</body></html>"},
        "http://docs.example.org/report.pdf": {"file": str(pdf), "content_type": "application/pdf"},
        "http://private.example.net/robots.txt": {"body": "User-agent: *\nDisallow: /\n",
                                                  "content_type": "text/plain"},
    }
    (tmp_path / "map.json").write_text(json.dumps(url_map))
    return {"wiki": wiki, "map": tmp_path / "map.json", "wta": wta, "davis": davis}


def test_sources_fetched_extracted_and_failures_recorded(site, tmp_path):
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]]) as srv:
        proc = run_cli("crawl", "--date", "2023-11-02", "--db", str(db_path), "--wiki-api", srv.api,
                       "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "-s", "DOWNLOAD_TIMEOUT=2",
                       "-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
                       "-s", "NEWSARCHIVE_EXTRACT_WORKERS=2")
    assert "6 fetched, 2 ok, 4 failed" in proc.stdout, proc.stdout
    db = open_db(db_path)
    rows = {r["url"]: r for r in db.query("SELECT * FROM sources")}
    assert len(rows) == 6  # the WTA page is cited three times (once with a tracking parameter): one row
    assert db["event_sources"].count == 7

    wta = rows[site["wta"]["url"]]
    assert wta["status"] == "ok" and wta["http_status"] == 200
    assert wta["published"] == site["wta"]["date"]
    assert wta["date_source"] and wta["fetched_at"] and wta["extractor_version"]
    assert wta["title"] and "WTA Finals" in wta["title"] and "Telegraph" not in wta["title"]
    assert wta["word_count"] > 100 and wta["html"] is not None

    davis = rows[site["davis"]["url"]]
    assert davis["status"] == "ok"
    assert shingle_f1(davis["text"], site["davis"]["articleBody"]) > 0.8

    by_host = {re.sub(r"^https?://([^/]+).*$", r"\1", u): r for u, r in rows.items()}
    assert by_host["gone.example.com"]["status"] == "http_error"
    assert by_host["gone.example.com"]["error"] == "HTTP 404" and by_host["gone.example.com"]["http_status"] == 404
    assert by_host["slow.example.com"]["status"] == "timeout"
    assert by_host["docs.example.org"]["status"] == "not_html"
    assert by_host["docs.example.org"]["content_type"] == "application/pdf"
    assert by_host["private.example.net"]["status"] == "robots_denied"
    for r in rows.values():
        assert r["fetched_at"] and r["attempts"] == 1
        if r["status"] != "ok":
            assert r["error"] and "\n" not in r["error"]


def test_second_run_does_not_refetch_ok_sources(site, tmp_path):
    db_path = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    args = ["crawl", "--date", "2023-11-02", "--db", str(db_path), "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0",
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0"]
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]], log=log) as srv:
        mirror = ["-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "--wiki-api", srv.api]
        run_cli(*args, *mirror)
        first = len([r for r in srv.requests() if r["path"].startswith("/mirror/") and "robots" not in r["path"]])
        run_cli(*args, *mirror)
        second = len([r for r in srv.requests() if r["path"].startswith("/mirror/") and "robots" not in r["path"]])
    assert first == 5  # robots_denied is never requested
    assert second == first  # nothing due yet: ok sources never, failures only after their backoff


def test_no_sources_walks_only_the_portal(site, tmp_path):
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]]) as srv:
        run_cli("crawl", "--date", "2023-11-02", "--db", str(db_path), "--wiki-api", srv.api, "--no-sources",
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}")
    db = open_db(db_path)
    assert {r["status"] for r in db.query("SELECT status FROM sources")} == {"pending"}


def test_standard_proxy_env_vars_are_used(site, tmp_path):
    """Scrapy's HttpProxyMiddleware: http_proxy sends http:// sources through the local server."""
    db_path = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]], log=log) as srv:
        run_cli("crawl", "--date", "2023-11-02", "--db", str(db_path), "--wiki-api", srv.api,
                "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                env={"http_proxy": srv.url(""), "https_proxy": "", "no_proxy": "127.0.0.1,localhost"})
        proxied = [r["path"] for r in srv.requests() if r.get("proxy")]
    assert "http://gone.example.com/story" in proxied
    db = open_db(db_path)
    gone = next(db.query("SELECT status, error FROM sources WHERE url LIKE 'http://gone.example.com%'"))
    assert gone == {"status": "http_error", "error": "HTTP 404"}


@pytest.mark.parametrize("api_args", [["--pages-latest-first"], ["--pages-latest-first", "--max-content-pages", "1"]],
                         ids=["latest-first", "latest-first-continued"])
def test_source_cited_on_several_days_is_fetched_for_the_earliest(tmp_path, api_args):
    """The API lists a batch's pages in no date order (and may continue it over several answers): a source cited
    on several days is fetched once, for its earliest citing day, whatever order the pages arrive in."""
    from datetime import date

    from tests.sitegen import article_html

    shared, late = "http://wire.example.com/shared-story", "http://post.example.org/late-story"
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    cites = {1: [shared], 2: [], 3: [shared, late]}
    for day, urls in cites.items():
        refs = " ".join(f"[{u} (Outlet)]" for u in urls)
        (wiki / f"2021-03-0{day}_rev{day}.wiki").write_text(
            f"{{{{Current events|year=2021|month=03|day={day}|content=\n;Politics\n"
            f"*An event of day {day} happens. {refs}\n}}}}\n", encoding="utf-8")
    url_map = {}
    for i, url in enumerate((shared, late)):
        page = tmp_path / f"a{i}.html"
        page.write_text(article_html(f"Story number {i}", date(2021, 3, 1), i), encoding="utf-8")
        url_map[url] = {"file": str(page)}
    (tmp_path / "map.json").write_text(json.dumps(url_map))
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(tmp_path / "map.json"), *api_args, wiki=[wiki]) as srv:
        run_cli("crawl", "--from", "2021-03-01", "--to", "2021-03-03", "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
                "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1")
    rows = {r["url"]: r for r in open_db(db_path).query("SELECT url, status, event_day, first_cited_day FROM sources")}
    assert {u: r["status"] for u, r in rows.items()} == {shared: "ok", late: "ok"}
    assert rows[shared]["event_day"] == rows[shared]["first_cited_day"] == "2021-03-01"
    assert rows[late]["event_day"] == rows[late]["first_cited_day"] == "2021-03-03"
