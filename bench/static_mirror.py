"""The bench's page server: the --url-map pages preloaded and served from memory by a small asyncio HTTP/1.1
server (keep-alive, GET and HEAD), logging each request as ``crawler.devtools.devserver`` does.

The devserver (http.server: a thread per connection, the page read and gunzipped per request) costs ~1.5 ms of
CPU a request, on the same cores as the crawl it measures; a remote site costs the crawler nothing of the kind.
This server costs a fraction of that. It serves the map's plain pages only (``file``/``body``, ``status``,
``content_type``, ``headers``); ``robots.txt`` of a host not in the map allows everything, anything else is a 404.
The wiki API stays on the devserver.

    python -m bench.static_mirror --url-map MAP.json --log LOG.jsonl   # prints "PORT <n>"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from crawler.net.urls import mirror_url, original_url
from crawler.net.urls import normalize_url

ROBOTS_ALLOW = b"User-agent: *\nAllow: /\n"
NOT_FOUND = b"<html><body><h1>Not found</h1></body></html>"
REASONS = {200: "OK", 404: "Not Found"}


def _response(status: int, body: bytes, ctype: str, headers: dict | None = None) -> tuple[bytes, bytes]:
    """(status line + headers, body) of one answer."""
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", "Server: newsarchive-bench-mirror/1",
             f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body


class Pages:
    """Answers by request target: mirror paths of the map, their normalised URLs, one copy of each page body."""

    def __init__(self, url_map: dict[str, dict]):
        bodies: dict[str, bytes] = {}
        self.by_target: dict[str, tuple[bytes, bytes]] = {}
        self.by_url: dict[str, tuple[bytes, bytes]] = {}
        for url, spec in url_map.items():
            if "file" in spec:
                path = spec["file"]
                if path not in bodies:
                    raw = Path(path).read_bytes()
                    bodies[path] = gzip.decompress(raw) if path.endswith(".gz") else raw
                body = bodies[path]
            else:
                body = spec.get("body", "").encode(spec.get("encoding", "utf-8"))
            answer = _response(int(spec.get("status", 200)), body, spec.get("content_type", "text/html; charset=utf-8"),
                               spec.get("headers"))
            target = mirror_url("", url)
            if target:
                self.by_target[target] = answer
            self.by_url[normalize_url(url)] = answer
        self.robots = _response(200, ROBOTS_ALLOW, "text/plain")
        self.missing = _response(404, NOT_FOUND, "text/html; charset=utf-8")

    def answer(self, target: str) -> tuple[bytes, bytes]:
        found = self.by_target.get(target)
        if found is not None:
            return found
        parts = urlsplit(target)
        url = original_url(parts.path, parts.query)
        found = self.by_url.get(normalize_url(url)) if url else None
        if found is not None:
            return found
        return self.robots if parts.path.endswith("/robots.txt") else self.missing


class MirrorProtocol(asyncio.Protocol):
    """One connection: requests parsed from the buffer as they complete, answered in order."""

    def __init__(self, pages: Pages, log):
        self.pages, self.log = pages, log
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                self.transport.close()
                return
            if self.log is not None:
                parts = urlsplit(target)
                self.log.write(json.dumps({"t": time.time(), "path": parts.path, "query": parts.query}) + "\n")
                self.log.flush()
            head_bytes, body = self.pages.answer(target)
            close = version == "HTTP/1.0" or any(line.lower().replace(" ", "") == "connection:close"
                                                 for line in lines[1:])
            if close:
                head_bytes = head_bytes[:-2] + b"Connection: close\r\n\r\n"
            self.transport.write(head_bytes if method == "HEAD" else head_bytes + body)
            if close:
                self.transport.close()
                return


async def serve(pages: Pages, host: str, port: int, log) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: MirrorProtocol(pages, log), host, port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url-map", required=True, help="JSON {url: spec}, as for crawler.devtools.devserver")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", help="append one JSON line per request")
    args = p.parse_args(argv)
    pages = Pages(json.loads(Path(args.url_map).read_text(encoding="utf-8")))
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(open(args.log, "a", encoding="utf-8")) if args.log else None
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(pages, args.host, args.port, log))


if __name__ == "__main__":
    main()
