"""A local stand-in for the MediaWiki API and for article hosts (stdlib only; 127.0.0.1).

Used by ``make demo``, the tests and the benchmarks. Day pages are ``YYYY-MM-DD*.wiki`` files (revision id
from ``_revNNN`` in the name, a ``.meta.json`` beside it, or the content hash), read on every request so a
test can edit them between runs. Articles are files under ``--articles DIR`` served at ``/a/<path>``. Entity
resolution queries (``prop=pageprops|coordinates|info``) and Wikidata's ``wbgetentities`` are answered from
``--entities FILE`` (``crawler.devtools.entity_api``), on any ``…/api.php`` path.

    python -m crawler.devtools.devserver --wiki DIR [--articles DIR] [--entities FILE] [--port 0] [--log FILE]
        [--maxlag-first N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.devtools.entity_api import answer_resolution, answer_wbgetentities
from crawler.devtools.entity_api import load as load_entities
from crawler.net.urls import original_url
from crawler.portal.titles import day_title, title_day
from crawler.net.urls import normalize_url

def http_date(ts: str) -> str:
    """A 14-digit Wayback timestamp as the HTTP date of a ``Memento-Datetime`` header (RFC 7089)."""
    from datetime import datetime, timezone
    from email.utils import format_datetime

    return format_datetime(datetime.strptime(ts[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc),
                           usegmt=True)


DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:.*?_rev(\d+))?[^/]*\.wiki$")


def load_day_pages(dirs: list[Path]) -> dict[date, dict]:
    """Map each day to {revid, timestamp, path} from the day files in ``dirs`` (later dirs win)."""
    pages: dict[date, dict] = {}
    for d in dirs:
        for path in sorted(Path(d).glob("*.wiki")):
            m = DAY_FILE.match(path.name)
            if not m:
                continue
            day = date.fromisoformat(m.group(1))
            meta_path = path.with_suffix(".meta.json")
            meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
            content = path.read_text(encoding="utf-8")
            revid = int(m.group(2) or meta.get("revision_id") or
                        int(hashlib.sha1(content.encode()).hexdigest()[:7], 16))
            pages[day] = {"revid": revid, "timestamp": meta.get("revision_timestamp",
                          f"{day.isoformat()}T23:59:00Z"), "content": content}
    return pages


class State:
    """Server options and counters shared by the handler threads."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.api_calls = 0
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.url_map: dict[str, dict] = {}
        self.entities = load_entities(getattr(args, "entities", None))
        self.hits: dict[str, int] = {}
        self.wayback: dict[str, list] | None = None
        self.cdx_calls = 0
        if getattr(args, "wayback", None):
            raw = json.loads(Path(args.wayback).read_text(encoding="utf-8"))
            self.wayback = {normalize_url(k): v for k, v in raw.items()}
        self.commoncrawl = None
        if getattr(args, "commoncrawl", None):
            from crawler.devtools.fakecc import CommonCrawlFake

            self.commoncrawl = CommonCrawlFake(json.loads(Path(args.commoncrawl).read_text(encoding="utf-8")))
        if getattr(args, "url_map", None):
            raw = json.loads(Path(args.url_map).read_text(encoding="utf-8"))
            self.url_map = {normalize_url(k): v for k, v in raw.items()}

    def record(self, entry: dict) -> None:
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")
                self.log.flush()


class Handler(BaseHTTPRequestHandler):
    server_version = "newsarchive-devserver/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    @property
    def state(self) -> State:
        return self.server.state  # type: ignore[attr-defined]

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data, status=200, headers=None):
        self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8", headers)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if self.path.startswith(("http://", "https://")):  # used as an HTTP proxy: absolute-URI request
            self.state.record({"t": time.time(), "path": self.path, "query": "", "proxy": True})
            return self.mirrored_url(self.path)
        parts = urlsplit(self.path)
        self.state.record({"t": time.time(), "path": parts.path, "query": parts.query,
                           "if_none_match": self.headers.get("If-None-Match")})
        if parts.path.endswith("/api.php"):
            return self.api(parse_qs(parts.query))
        if parts.path in ("/cdx/search/cdx",) or parts.path.startswith("/web/"):
            if self.state.wayback is not None:
                return self.wayback(parts)
        if parts.path.startswith(("/cc/", "/ccdata/")) and self.state.commoncrawl is not None:
            return self.common_crawl(parts.path, parts.query)
        if parts.path.startswith("/mirror/"):
            return self.mirrored(parts.path, parts.query)
        if parts.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if parts.path.startswith("/a/") and self.state.args.articles:
            return self.article(parts.path[3:])
        return self._send(404, b"<html><body>Not found</body></html>", "text/html")

    def wayback(self, parts):
        """The Wayback stand-in: the first --wayback-429-first requests answer 429, then the CDX index or a
        capture."""
        with self.state.lock:
            self.state.cdx_calls += 1
            n = self.state.cdx_calls
        if n <= self.state.args.wayback_429_first:
            return self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "1"})
        if parts.path == "/cdx/search/cdx":
            return self.cdx(parse_qs(parts.query))
        return self.capture(self.path[len("/web/"):])

    def cdx(self, q: dict):
        """A Wayback CDX server over --wayback {url: [{"timestamp", "file"|"body"|"redirect", "status"}]}."""
        url = normalize_url(q.get("url", [""])[0])
        lo, hi = q.get("from", ["0"])[0], q.get("to", ["99999999999999"])[0]
        rows = [["timestamp", "original", "statuscode", "mimetype", "length"]]
        for cap in self.state.wayback.get(url, []):
            ts = cap["timestamp"]
            if lo[: len(ts)] <= ts[: len(lo)] and ts[: len(hi)] <= hi + "99999999999999"[len(hi):]:
                rows.append([ts, q.get("url", [""])[0], str(cap.get("status", 200)), "text/html", "1000"])
        return self._json(rows if len(rows) > 1 else [])

    def common_crawl(self, path: str, query: str):
        """A fake Common Crawl (crawler.devtools.fakecc): /cc/collinfo.json, /cc/<collection>-index, /ccdata/<file>."""
        cc = self.state.commoncrawl
        if path == "/cc/collinfo.json":
            return self._json(cc.collinfo(f"http://{self.headers.get('Host')}/cc"))
        if path.startswith("/cc/") and path.endswith("-index"):
            lines = cc.index(path[len("/cc/"):-len("-index")], query)
            if not lines:
                return self._send(404, b'{"message": "No Captures found"}', "application/json")
            return self._send(200, lines.encode(), "text/x-ndjson")
        data = cc.byte_range(path[len("/ccdata/"):], self.headers.get("Range"))
        if data is None:
            return self._send(404, b"NoSuchKey", "text/plain")
        return self._send(206 if self.headers.get("Range") else 200, data, "application/octet-stream")

    def capture(self, rest: str):
        """``/web/<ts>id_/<url>``: the stored capture's bytes (or its redirect); another timestamp is redirected to
        the nearest capture, as the Wayback Machine does."""
        ts, _, url = rest.partition("/")
        ts = ts.removesuffix("id_")
        captures = self.state.wayback.get(normalize_url(url), [])
        if captures and not any(cap["timestamp"] == ts for cap in captures):
            from crawler.net.wayback import ts_to_datetime

            want = ts_to_datetime(ts)
            nearest = min(captures, key=lambda c: (abs((ts_to_datetime(c["timestamp"]) - want).total_seconds()),
                                                   c["timestamp"]))
            return self._send(302, b"", "text/html", {"Location": f"/web/{nearest['timestamp']}id_/{url}"})
        for cap in captures:
            if cap["timestamp"] == ts:
                if cap.get("redirect"):
                    return self._send(302, b"", "text/html", {"Location": cap["redirect"]})
                body = Path(cap["file"]).read_bytes() if "file" in cap else cap.get("body", "").encode()
                if cap.get("file", "").endswith(".gz"):
                    body = gzip.decompress(body)
                return self._send(int(cap.get("status", 200)), body, "text/html; charset=utf-8",
                                  {"Memento-Datetime": http_date(ts)})
        return self._send(404, b"<html><body>Wayback Machine has not archived that URL.</body></html>", "text/html")

    def mirrored(self, path: str, query: str):
        """Serve a cited URL from --url-map: {"file"|"body", "status", "content_type", "headers", "delay",
        "redirect", "fail_times", "fail_status", "drop"} (the first ``fail_times`` hits answer ``fail_status``)."""
        return self.mirrored_url(original_url(path, query))

    def mirrored_url(self, url: str | None):
        spec = self.state.url_map.get(normalize_url(url)) if url else None
        if spec is None:
            if url and urlsplit(url).path == "/robots.txt":
                return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            return self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html; charset=utf-8")
        with self.state.lock:
            hit = self.state.hits[url] = self.state.hits.get(url, 0) + 1
        if hit <= int(spec.get("fail_times", 0)):
            return self._send(int(spec.get("fail_status", 503)), b"<html><body>try later</body></html>",
                              "text/html", {"Retry-After": "0"})
        if spec.get("delay"):
            time.sleep(float(spec["delay"]))
        if spec.get("drop"):  # close the connection without an answer (the client sees it lost)
            self.close_connection = True
            return None
        headers = dict(spec.get("headers") or {})
        if spec.get("etag"):
            headers["ETag"] = spec["etag"]
            if self.headers.get("If-None-Match") == spec["etag"]:
                return self._send(304, b"", spec.get("content_type", "text/html"), headers)
        if spec.get("redirect"):
            headers["Location"] = spec["redirect"]
            return self._send(spec.get("status", 301), b"", "text/html", headers)
        if "file" in spec:
            body = Path(spec["file"]).read_bytes()
            if spec["file"].endswith(".gz"):
                body = gzip.decompress(body)
        else:
            body = spec.get("body", "").encode(spec.get("encoding", "utf-8"))
        ctype = spec.get("content_type", "text/html; charset=utf-8")
        if spec.get("gzip"):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if spec.get("last_modified"):
            headers["Last-Modified"] = spec["last_modified"]
        return self._send(int(spec.get("status", 200)), body, ctype, headers)

    def article(self, rel: str):
        root = Path(self.state.args.articles).resolve()
        path = (root / rel).resolve()
        if root not in path.parents or not path.is_file():
            return self._send(404, b"<html><body>Not found</body></html>", "text/html")
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        ctype = "application/pdf" if body.startswith(b"%PDF") else "text/html; charset=utf-8"
        return self._send(200, body, ctype)

    def api(self, q: dict):
        args = self.state.args
        with self.state.lock:
            self.state.api_calls += 1
            n = self.state.api_calls
        if args.delay:
            time.sleep(args.delay)
        if n <= args.status_first:
            return self._send(args.status_code, b"busy", "text/plain", {"Retry-After": "1"})
        if n <= args.status_first + args.maxlag_first:
            return self._json({"error": {"code": "maxlag", "info": "Waiting for a database server: 6 seconds lagged.",
                                         "lag": 6}}, headers={"Retry-After": "1"})
        titles = q.get("titles", [""])[0].split("|") if q.get("titles") else []
        if args.error_day and any(day_title(date.fromisoformat(d)) in titles for d in args.error_day):
            return self._json({"error": {"code": "badvalue", "info": "Unrecognized value for parameter."}})
        if len(titles) > 50 or len((q.get("ids") or [""])[0].split("|")) > 50:
            return self._json({"error": {"code": "toomanyvalues", "info": "Too many values supplied."}})
        if q.get("action") == ["wbgetentities"]:
            return self._json(answer_wbgetentities(q, self.state.entities))
        if "pageprops" in (q.get("prop") or [""])[0].split("|"):
            return self._json(answer_resolution(q, self.state.entities, args.coordinates_limit))
        pages_by_day = load_day_pages([Path(p) for p in args.wiki])
        skip = int(q.get("rvcontinue", ["0"])[0] or 0)
        normalized, pages, budget, cont = [], [], args.max_content_pages, None
        for i, title in enumerate(titles):
            canonical = title.replace("_", " ")
            if canonical != title:
                normalized.append({"from": title, "to": canonical})
            try:
                day = title_day(canonical)
            except ValueError:
                pages.append({"ns": 100, "title": canonical, "missing": True})
                continue
            canonical = day_title(day)
            page = pages_by_day.get(day)
            if page is None:
                pages.append({"ns": 100, "title": canonical, "missing": True})
                continue
            entry = {"pageid": 1000 + i, "ns": 100, "title": canonical}
            if i >= skip and (budget is None or budget > 0):
                entry["revisions"] = [{"revid": page["revid"], "parentid": page["revid"] - 1, "timestamp": page["timestamp"],
                                       "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki",
                                                          "content": page["content"]}}}]
                if budget is not None:
                    budget -= 1
            elif i >= skip and cont is None:
                cont = {"rvcontinue": str(i), "continue": "||"}
            pages.append(entry)
        if args.pages_latest_first:
            pages.reverse()
        data = {"batchcomplete": cont is None, "query": {"normalized": normalized, "pages": pages}}
        if cont:
            data["continue"] = cont
        return self._json(data)


def make_server(args) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)  # type: ignore[attr-defined]
    return server


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--wiki", action="append", default=[], help="directory of YYYY-MM-DD*.wiki day pages")
    p.add_argument("--articles", help="directory served at /a/")
    p.add_argument("--entities", help="JSON of pages, redirects, red links and Wikidata items for entity "
                   "resolution and wbgetentities (crawler.devtools.entity_api)")
    p.add_argument("--coordinates-limit", type=int, default=10,
                   help="pages whose coordinates one resolution answer carries (then continue)")
    p.add_argument("--url-map", help="JSON {url: spec} of pages served under /mirror/ (see Handler.mirrored)")
    p.add_argument("--wayback", help="JSON {url: [captures]}: serve /cdx/search/cdx and /web/<ts>id_/<url>")
    p.add_argument("--commoncrawl", help="JSON {url: [captures]}: a fake Common Crawl at /cc/ and /ccdata/ "
                   "(crawler.devtools.fakecc)")
    p.add_argument("--wayback-429-first", type=int, default=0, help="answer the first N Wayback requests with 429")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", help="append one JSON line per request to this file")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each API answer")
    p.add_argument("--maxlag-first", type=int, default=0, help="answer the first N API calls with a maxlag error")
    p.add_argument("--status-first", type=int, default=0, help="answer the first N API calls with --status-code")
    p.add_argument("--status-code", type=int, default=503)
    p.add_argument("--error-day", action="append", default=[], help="answer requests for this day with an error JSON")
    p.add_argument("--max-content-pages", type=int, default=None, help="page contents per answer (then continue)")
    p.add_argument("--pages-latest-first", action="store_true",
                   help="list each answer's pages latest day first (the real API follows no date order)")
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    server = make_server(args)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
