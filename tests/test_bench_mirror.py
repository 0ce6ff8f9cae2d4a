"""The bench's static page mirror: preloaded pages over keep-alive HTTP/1.1, robots.txt, 404s and the request log."""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.net.urls import mirror_url

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def static_mirror(tmp_path):
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress("<html><body><p>Der Fluss stieg über die Ufer.</p></body></html>".encode()))
    url_map = {
        "https://news.example.org/2014/02/13/flood.html": {"file": str(page), "content_type": "text/html"},
        "https://news.example.org/straße?id=7": {"body": "<html>inline</html>", "status": 410,
                                                  "headers": {"X-Test": "yes"}},
    }
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(url_map), encoding="utf-8")
    log = tmp_path / "requests.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "bench.static_mirror", "--url-map", str(map_path), "--log", str(log)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        line = proc.stdout.readline()
        assert line.startswith("PORT "), line
        yield int(line.split()[1]), page, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _path(url: str) -> str:
    return mirror_url("", url)


def test_serves_the_map_over_one_keep_alive_connection(static_mirror):
    port, page, log = static_mirror
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", _path("https://news.example.org/2014/02/13/flood.html"))
    first = conn.getresponse()
    assert (first.status, first.getheader("Content-Type")) == (200, "text/html")
    assert first.read() == gzip.decompress(page.read_bytes())

    # same connection; the target percent-encoded as a crawler sends it (found through the normalised URL)
    conn.request("GET", "/mirror/https/news.example.org/stra%C3%9Fe?id=7")
    second = conn.getresponse()
    assert (second.status, second.getheader("X-Test"), second.read()) == (410, "yes", b"<html>inline</html>")

    conn.request("GET", _path("https://unknown.example.net/robots.txt"))
    robots = conn.getresponse()
    assert robots.status == 200 and b"Allow: /" in robots.read()

    conn.request("HEAD", _path("https://news.example.org/missing"))
    missing = conn.getresponse()
    assert missing.status == 404 and missing.read() == b""
    conn.close()

    logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["path"] for e in logged] == [
        "/mirror/https/news.example.org/2014/02/13/flood.html", "/mirror/https/news.example.org/stra%C3%9Fe",
        "/mirror/https/unknown.example.net/robots.txt", "/mirror/https/news.example.org/missing"]
    assert logged[1]["query"] == "id=7"


def test_connection_close_is_honoured(static_mirror):
    port, _, _ = static_mirror
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", _path("https://news.example.org/2014/02/13/flood.html"), headers={"Connection": "close"})
    response = conn.getresponse()
    response.read()
    assert response.status == 200 and response.will_close
