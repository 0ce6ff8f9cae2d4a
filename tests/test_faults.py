"""The hostile web: every fault scenario ends in a precise status and one-line message; the rest is stored."""

from __future__ import annotations

import socket
import subprocess
import sys


from crawler.storage.schema import open_db
from tests.mockserver import MockServer
from tests.test_crawl_portal import ROOT, run_cli
import pytest

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess

# scenario path -> expected status
EXPECTED = {
    "/ok": "ok", "/timeout": "timeout", "/trickle": "timeout", "/429": "ok", "/503": "ok", "/500-then-ok": "ok",
    "/redirect-loop": "redirect_loop", "/redirect-private": "blocked_address", "/huge": "too_large",
    "/gzip-bomb": "too_large", "/wrong-charset": "ok", "/no-charset": "ok", "/windows-1252": "ok",
    "/shift-jis": "ok", "/pdf-as-html": "not_html", "/pdf": "not_html", "/image-as-html": "not_html",
    "/image": "not_html", "/empty": "empty_extraction", "/truncated": "truncated", "/no-article": "empty_extraction",
    "/private/secret": "robots_denied", "/malformed": "ok", "/missing": "http_error",
    "/hang-up": "connection_lost",
}
HOST = "127.0.0.2"  # the fault server's address; the only network the crawl is allowed to reach


class FaultServer:
    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.faultserver", "0", HOST], cwd=ROOT,
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline().split()[1])
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()

    def url(self, path):
        return f"http://{HOST}:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        return s.getsockname()[1]


def loopback_hostname() -> str | None:
    """This machine's name when it resolves to a loopback address other than HOST (for the DNS check)."""
    name = socket.gethostname()
    try:
        addr = socket.gethostbyname(name)
    except OSError:
        return None
    return name if addr.startswith("127.") and addr != HOST and "." not in name else None


def test_fault_scenarios_end_in_their_status(tmp_path):
    with FaultServer() as fs:
        cites = {fs.url(p): st for p, st in EXPECTED.items()}
        cites[f"http://{HOST}:{free_port()}/refused"] = "connection_refused"
        cites["http://10.20.30.40/intranet"] = "blocked_address"
        cites["http://169.254.169.254/latest/meta-data/"] = "blocked_address"
        cites["ftp://example.org/file.txt"] = "blocked_address"
        name = loopback_hostname()
        if name:
            cites[f"http://{name}:{fs.port}/ok"] = "blocked_address"  # resolves to loopback: refused at DNS
        lines = ["{{Current events|year=2020|month=01|day=15|content=", ";Law and crime"]
        lines += [f"*Scenario number {i} happens. [{u} (Outlet {i})]" for i, u in enumerate(cites)]
        lines.append("}}")
        wiki = tmp_path / "wiki"
        wiki.mkdir()
        (wiki / "2020-01-15_rev1.wiki").write_text("\n".join(lines), encoding="utf-8")
        db_path = tmp_path / "a.db"
        with MockServer(wiki=[wiki]) as api:
            proc = run_cli("crawl", "--date", "2020-01-15", "--db", str(db_path), "--wiki-api", api.api,
                           "-s", f"NEWSARCHIVE_ALLOW_NETWORKS={HOST}/32", "-s", "DOWNLOAD_TIMEOUT=3",
                           "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
                           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=2")
    assert proc.returncode == 0
    # recorded faults reach the terminal as nothing but the summary line: no Python or Twisted traceback
    assert "Traceback" not in proc.stderr and "Unhandled error" not in proc.stderr, proc.stderr
    db = open_db(db_path)
    rows = {r["cited_url"]: r for r in db.query("SELECT * FROM sources")}
    got = {u: rows.get(u, {}).get("status") for u in cites}
    assert got == cites
    for url, row in rows.items():
        assert row["fetched_at"], url
        if row["status"] != "ok":
            assert row["error"] and "\n" not in row["error"] and len(row["error"]) <= 300, url
    ok = {u: rows[u] for u, st in cites.items() if st == "ok"}
    assert ok[fs.url("/wrong-charset")]["title"] == "Café owners’ “strike”"
    assert ok[fs.url("/windows-1252")]["title"] == "Smart “quotes” — dash"
    assert ok[fs.url("/no-charset")]["title"] == "Naïve résumé"
    assert "東京で会議が開かれた" in ok[fs.url("/shift-jis")]["text"]
    assert ok[fs.url("/429")]["title"] == "Recovered after Retry-After"
    assert rows[fs.url("/missing")]["error"] == "HTTP 404"
    assert rows[fs.url("/hang-up")]["error"].startswith("ResponseNeverReceived: ConnectionDone")
    assert db["events"].count == len(cites)


def test_malformed_portal_input(tmp_path):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    good = "{{Current events|year=2020|month=02|day=%d|content=\n;Sports\n*[[Oslo]] wins a match. [http://e.org/%d (E)]\n}}\n"
    (wiki / "2020-02-01_rev1.wiki").write_text(good % (1, 1), encoding="utf-8")
    (wiki / "2020-02-02_rev1.wiki").write_text(
        "{{Current events|year=2020|month=02|day=2|content=\n;Sports\n*A {{convert|5|km event. [http://e.org/2 (E)]\n}}\n",
        encoding="utf-8")
    (wiki / "2020-02-03_rev1.wiki").write_text("Hello, this is not a day page at all.\n", encoding="utf-8")
    (wiki / "2020-02-04_rev1.wiki").write_text(
        "{{Current events|year=2020|month=02|day=4|content=\n;Sports\n*A [[broken link event. [http://e.org/4 (E)]\n}}\n",
        encoding="utf-8")
    (wiki / "2020-02-06_rev1.wiki").write_text(good % (6, 6), encoding="utf-8")
    db_path = tmp_path / "a.db"
    with MockServer("--error-day", "2020-02-05", wiki=[wiki]) as api:
        proc = run_cli("crawl", "--from", "2020-02-01", "--to", "2020-02-06", "--db", str(db_path), "--no-sources",
                       "--wiki-api", api.api, "-s", "NEWSARCHIVE_TITLES_PER_REQUEST=1")
    assert proc.returncode == 0, proc.stderr
    db = open_db(db_path)
    days = {r["day"]: r for r in db.query("SELECT * FROM days")}
    assert {d: r["status"] for d, r in days.items()} == {
        "2020-02-01": "ok", "2020-02-02": "parse_error", "2020-02-03": "parse_error", "2020-02-04": "parse_error",
        "2020-02-05": "api_error", "2020-02-06": "ok"}
    assert "line" in days["2020-02-02"]["error"] and "2020-02-02" in days["2020-02-02"]["error"]
    assert "badvalue" in days["2020-02-05"]["error"]
    for r in days.values():
        assert r["error"] is None or "\n" not in r["error"]
    assert db["events"].count == 2
    # the failed day's wikitext is kept for a later re-parse
    assert days["2020-02-02"]["wikitext"] is not None
