"""The thin CLI commands: parse-day, extract, reextract — outputs, selections and one-line errors."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from crawler.storage.schema import open_db
from tests.mockserver import MockServer
from tests.sitegen import build_site
from tests.test_crawl_portal import run_cli

DATA = Path(__file__).parent / "data"
FIELDS = {"day", "category", "stories", "text", "entities", "sources", "position"}


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


@pytest.mark.e2e
def test_parse_day_wiki_and_html_agree():
    wiki = lines(run_cli("parse-day", str(DATA / "portal" / "parity_day.wiki")).stdout)
    html = lines(run_cli("parse-day", str(DATA / "portal" / "parity_day.html")).stdout)
    assert wiki and wiki == html
    assert all(set(ev) == FIELDS for ev in wiki)
    assert [ev["position"] for ev in wiki] == list(range(1, len(wiki) + 1))
    assert all(set(s) >= {"url", "outlet"} for ev in wiki for s in ev["sources"])


@pytest.mark.e2e
def test_parse_day_date_option_and_bad_input(tmp_path):
    out = lines(run_cli("parse-day", str(DATA / "portal" / "era4_flat.wiki"), "--date", "2001-09-12").stdout)
    assert out and {ev["day"] for ev in out} == {"2001-09-12"}
    bad = tmp_path / "not-a-day.wiki"
    bad.write_text("Just some words, no template.\n")
    proc = run_cli("parse-day", str(bad), check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "line" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.e2e
def test_a_file_that_is_no_archive_is_a_one_line_error_for_every_command(tmp_path):
    """crawl, update, status, reextract and render on a file SQLite cannot use: exit 1, one line, no traceback,
    and the file is left as it was."""
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"my notes, not a database\n" * 200)
    before = bad.read_bytes()
    no_api = "http://127.0.0.1:9/w/api.php"  # never reached: the archive is opened first
    for args in (["crawl", "--date", "2014-02-13", "--wiki-api", no_api, "-q"], ["update", "--wiki-api", no_api, "-q"],
                 ["status"], ["reextract"], ["render", "--out", str(tmp_path / "site")]):
        proc = run_cli(*args, "--db", str(bad), check=False)
        assert proc.returncode == 1, (args, proc.stderr)
        assert proc.stderr == f"newsarchive: error: cannot open {bad}: file is not a database\n", args
    assert bad.read_bytes() == before


@pytest.mark.e2e
def test_endpoint_options_must_be_http_urls(tmp_path):
    """A --wiki-api or --wayback-url that is no http(s) URL is a usage error before anything runs (it used to end
    the crawl as "start_error" with the reason only in the log)."""
    db = tmp_path / "a.db"
    for args in (["crawl", "--date", "2014-02-13", "--wiki-api", "en.wikipedia.org/w/api.php"],
                 ["update", "--wayback-url", "ftp://archive.example/"],
                 ["worker", "--redis", "redis://127.0.0.1:9", "--wiki-api", "notaurl"]):
        proc = run_cli(*args, *([] if args[0] == "worker" else ["--db", str(db)]), check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "expected an http(s) URL" in proc.stderr and "Traceback" not in proc.stderr
    assert not db.exists()
    # '' switches the Wayback fallback off and stays accepted
    proc = run_cli("crawl", "--date", "2014-02-13", "--wayback-url", "", "--wiki-api", "http://127.0.0.1:9/api.php",
                   "--db", str(db), "-q", "--no-sources", check=False)
    assert "expected an http(s) URL" not in proc.stderr


@pytest.mark.e2e
def test_extract_prints_the_fields_and_reads_gzip(tmp_path):
    page = DATA / "articles" / "ahram_english_newscontent_2014.html"
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page.read_bytes()))
    url = "http://english.ahram.org.eg/NewsContent/1/64/94184/Egypt/Politics-/Russia-trip-new-start-to-military-cooperation-Egyp.aspx"
    a = json.loads(run_cli("extract", str(page), "--url", url, "--event-date", "2014-02-13").stdout)
    b = json.loads(run_cli("extract", str(gz), "--url", url, "--event-date", "2014-02-13").stdout)
    assert a == b
    assert set(a) == {"url", "title", "authors", "published", "published_at", "date_source", "description",
                      "language", "text"}
    assert a["title"] == "Russia trip 'new start' to military cooperation: Egypt's Sisi"
    assert a["published"] == "2014-02-13" and a["language"] == "en" and len(a["text"].split()) > 100


@pytest.mark.e2e
def test_extract_says_what_is_wrong_with_a_file_that_is_no_article(tmp_path):
    """An empty file or a binary one (a saved PDF) is a one-line error; a page without article text still prints
    its metadata, with a note on stderr."""
    empty, pdf, bare = tmp_path / "empty.html", tmp_path / "report.html", tmp_path / "bare.html"
    empty.write_bytes(b"  \n")
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    bare.write_text("<html><head><title>Contact us</title></head><body><nav>Home</nav></body></html>")
    proc = run_cli("extract", str(empty), check=False)
    assert (proc.returncode, proc.stderr) == (1, f"newsarchive: error: {empty}: empty file\n")
    proc = run_cli("extract", str(pdf), check=False)
    assert (proc.returncode, proc.stderr) == (1, f"newsarchive: error: {pdf}: not an HTML page (body is a PDF document)\n")
    proc = run_cli("extract", str(bare), check=False)
    assert proc.returncode == 0 and json.loads(proc.stdout)["title"] == "Contact us"
    assert proc.stderr == f"newsarchive: note: no article text found in {bare}\n"


@pytest.mark.e2e
def test_reextract_updates_only_the_selected_rows(tmp_path):
    site = build_site(tmp_path / "site", date(2015, 3, 1), days=3, events_per_day=3)
    wiki = site["wiki"]
    for f in wiki.glob("*.wiki"):  # cite news1 with another outlet label
        text = f.read_text()
        f.write_text(text.replace("story-1.html (Example Wire)", "story-1.html (Other Times)"))
    db_path = tmp_path / "a.db"
    with MockServer("--url-map", str(site["map"]), wiki=[wiki]) as srv:
        run_cli("crawl", "--from", "2015-03-01", "--to", "2015-03-03", "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0")
    db = open_db(db_path)
    current = {r["extractor_version"] for r in db.query("SELECT extractor_version FROM sources")}
    assert len(current) == 1
    db.execute("UPDATE sources SET extractor_version = 'trafilatura-0.0+old', title = 'stale'")
    db.close()
    proc = run_cli("reextract", "--db", str(db_path), "--outlet", "Other Times")
    assert "re-extracted 3 sources" in proc.stdout
    db = open_db(db_path)
    rows = list(db.query("SELECT s.url, s.title, s.extractor_version, es.outlet FROM sources s "
                         "JOIN event_sources es ON es.source_id = s.id"))
    for r in rows:
        if r["outlet"] == "Other Times":
            assert r["extractor_version"] in current and r["title"] != "stale"
        else:
            assert (r["extractor_version"], r["title"]) == ("trafilatura-0.0+old", "stale")
    assert sum(r["outlet"] == "Other Times" for r in rows) == 3
    shutil.rmtree(site["wiki"])


def _run_python(code: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])


@pytest.mark.e2e
def test_quick_exit_keeps_the_exit_code_atexit_handlers_and_buffered_output():
    proc = _run_python("import atexit, sys\nfrom crawler.cli.options import exit_now\n"
                       "atexit.register(lambda: print('atexit ran'))\n"
                       "sys.stdout.write('x' * 300000)\nsys.stderr.write('partial line')\nexit_now(3)")
    assert proc.returncode == 3
    assert proc.stdout == "x" * 300000 + "atexit ran\n"  # more than a pipe holds, all delivered
    assert proc.stderr == "partial line"
    proc = _run_python("from crawler.cli.options import exit_now\nexit_now('newsarchive: error: no such day')")
    assert proc.returncode == 1 and proc.stderr == "newsarchive: error: no such day\n"


def test_switched_off_components_are_not_even_listed():
    from scrapy.crawler import Crawler

    from crawler.runner import CrawlOptions, build_settings
    from crawler.scrapy.spiders.portal import PortalSpider

    def crawler_settings(pairs=()):  # the settings a crawler of the portal spider runs with
        return Crawler(PortalSpider, build_settings(CrawlOptions(date(2014, 2, 13), date(2014, 2, 13),
                                                                 settings=pairs))).settings

    plain = crawler_settings()
    assert "scrapy.extensions.remote_control.RemoteControl" not in plain.getdict("EXTENSIONS_BASE")
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" not in plain.getdict(
        "DOWNLOADER_MIDDLEWARES_BASE")
    assert "scrapy.extensions.corestats.CoreStats" in plain.getdict("EXTENSIONS_BASE")
    on = crawler_settings((("COOKIES_ENABLED", "1"), ("REMOTE_CONTROL_ENABLED", "1")))
    assert "scrapy.downloadermiddlewares.cookies.CookiesMiddleware" in on.getdict("DOWNLOADER_MIDDLEWARES_BASE")
    assert "scrapy.extensions.remote_control.RemoteControl" in on.getdict("EXTENSIONS_BASE")
