"""The simulated web on 127.0.0.1: every cited host (behind the crawl's local mirror) and a Wayback Machine.

Two listening ports in one asyncio process:

- the mirror (``-s NEWSARCHIVE_MIRROR=http://127.0.0.1:P``): ``/mirror/<scheme>/<host><path>`` answers as that
  host would — its latency, its robots.txt, 429 + Retry-After to a request sooner than its stated interval
  after the last one it served, its 5xx/429 bursts, and each page's fate (article, 404, soft 404, redirect to
  the home page, or no answer at all for a host that is gone);
- the archive (``--wayback-url http://127.0.0.1:Q``): ``/cdx/search/cdx`` (JSON rows;
  ``filter``, ``from``, ``to``, ``fl``, ``limit``), raw captures ``/web/<ts>id_/<url>``, and the timestamp
  redirect (any other timestamp → 302 to the nearest capture); per-minute limits over a sliding window (429
  without Retry-After past them), and the firewall block — the port stops accepting connections — when a
  client keeps pushing through 429s.

Every delay of ``world.json`` is in simulated seconds and divided by ``--scale``. Each request is appended to
``--log`` as JSON: arrival time ``t``, original host ``h``, ``a`` (1 for the archive), kind ``k``, status
``s``, why a 429 was answered ``w`` (``limit``: past the stated limit; ``burst``: whatever the rate) and the
modelled answer time ``l`` (simulated seconds), and the request target ``u``.

    python -m bench.backfill.server --world world.json --scale 20 --log log.jsonl   # prints "PORTS <m> <a>"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import signal
import time
from collections import deque
from datetime import date, datetime, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

from bench.backfill import facts, pages
from bench.backfill.world import canon

ARCHIVE_HOST = "web.archive.org"
REASONS = {200: "OK", 302: "Found", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable"}
QUICK = 0.02  # s, answer time of a rate limiter's 429
CDX_FIELDS = "urlkey,timestamp,original,mimetype,statuscode,digest,length"  # the CDX server's default ``fl``
NOT_ARCHIVED = b"<html><body>Wayback Machine has not archived that URL.</body></html>"


class Limiter:
    """At most ``per_window`` answered requests in any ``window`` seconds (sliding)."""

    def __init__(self, per_window: int, window: float):
        self.per_window, self.window = per_window, window
        self.served: deque[float] = deque()

    def allow(self, now: float) -> bool:
        while self.served and now - self.served[0] >= self.window:
            self.served.popleft()
        if len(self.served) >= self.per_window:
            return False
        self.served.append(now)
        return True


class Web:
    def __init__(self, world: dict, scale: float, log, cdx_per_minute: float, block: bool, seed: int = 7,
                 direct_nearest: bool = False):
        self.hosts: dict[str, dict] = world["hosts"]
        self.pages: dict[str, dict[str, list]] = world["pages"]
        self.captures: dict[str, list] = world["captures"]
        self.k = scale
        self.log_file, self.buffer = log, []
        self.rnd = random.Random(seed)
        self.last_served: dict[str, float] = {}
        self.counter: dict[str, int] = {}
        window = facts.LIMIT_WINDOW / scale
        self.cdx = Limiter(max(1, round(cdx_per_minute * facts.LIMIT_WINDOW / 60)), window)
        self.playback = Limiter(round(facts.PLAYBACK_PER_MINUTE * facts.LIMIT_WINDOW / 60), window)
        self.block_enabled = block
        self.direct_nearest = direct_nearest
        self.episode_start: float | None = None
        self.last_429: float | None = None
        self.blocks = 0
        self.archive_server: asyncio.Server | None = None
        self.archive_port = 0
        self.archive_conns: set[asyncio.StreamWriter] = set()

    # --- log ---------------------------------------------------------------------------------------------
    def log(self, entry: dict) -> None:
        self.buffer.append(json.dumps(entry, separators=(",", ":")))

    def flush(self) -> None:
        if self.buffer and self.log_file:
            self.log_file.write("\n".join(self.buffer) + "\n")
            self.log_file.flush()
        self.buffer = []

    async def flusher(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.flush()

    def latency(self, median: float) -> float:
        return min(facts.LATENCY_CAP, median * math.exp(self.rnd.gauss(0, facts.LATENCY_JITTER)))

    # --- the cited hosts ------------------------------------------------------------------------------------
    def host_answer(self, target: str) -> tuple[int, bytes, dict, str, float, str, str | None]:
        """(status, body, headers, kind, latency, why, host) of a mirror request; status 0: no answer."""
        parts = urlsplit(target)
        bits = parts.path.split("/", 4)
        if len(bits) < 4 or bits[1] != "mirror":
            return 404, pages.error_page(404), {}, "other", QUICK, "", None
        scheme, host = bits[2], bits[3].lower()
        rest = "/" + (bits[4] if len(bits) > 4 else "") + (f"?{parts.query}" if parts.query else "")
        spec = self.hosts.get(host)
        if spec is None:
            return 404, pages.not_found(host), {}, "unknown", QUICK, "", host
        if spec["gone"]:
            return 0, b"", {}, "gone", 0.0, "", host
        kind = "robots" if rest == "/robots.txt" else "home" if rest == "/" else "page"
        now = time.monotonic()
        lat = self.latency(spec["lat"])
        if kind == "robots":
            self.last_served[host] = now
            # the stated limit, in measured seconds like every delay this server serves
            return 200, pages.robots(spec["limit"] / self.k), {"Content-Type": "text/plain"}, kind, lat, "", host
        n = self.counter[host] = self.counter.get(host, 0) + 1
        last = self.last_served.get(host)
        if spec["limit"] and last is not None and now - last < spec["limit"] / self.k:
            wait = spec["limit"] / self.k - (now - last)
            return 429, pages.error_page(429), {"Retry-After": f"{wait:.3f}"}, kind, QUICK, "limit", host
        for start, length, status in spec["bursts"]:
            if start <= n < start + length:
                wait = {"Retry-After": f"{facts.BURST_RETRY_AFTER / self.k:.3f}"}
                headers = wait if status in (429, 503) else {}
                return status, pages.error_page(status), headers, kind, lat, "burst", host
        self.last_served[host] = now
        if kind == "home":
            return 200, pages.home(host), {}, kind, lat, "", host
        page = self.pages.get(host, {}).get(rest)
        if page is None:
            return 404, pages.not_found(host), {}, kind, lat, "", host
        fate, day, title = page
        if fate == "live":
            body = pages.article(host, f"{scheme}://{host}{rest}", title, date.fromisoformat(day))
            return 200, body, {}, kind, lat, "", host
        if fate == "soft_404_page":
            return 200, pages.not_found(host), {}, kind, lat, "", host
        if fate == "soft_404_home":
            return 302, b"", {"Location": f"{scheme}://{host}/"}, kind, lat, "", host
        return 404, pages.not_found(host), {}, kind, lat, "", host

    def gone(self, target: str) -> bool:
        bits = target.split("/", 4)
        spec = self.hosts.get(bits[3].lower()) if len(bits) > 3 and bits[1] == "mirror" else None
        return bool(spec and spec["gone"])

    # --- the archive --------------------------------------------------------------------------------------
    def archive_answer(self, target: str) -> tuple[int, bytes, dict, str, float, str]:
        now = time.monotonic()
        if target.startswith("/cdx/search/cdx"):
            if not self.cdx.allow(now):
                return self.too_many(now, "cdx")
            return self.cdx_rows(urlsplit(target).query)
        if target.startswith("/web/"):
            ts, _, url = target[len("/web/"):].partition("/")
            if not self.playback.allow(now):
                return self.too_many(now, "capture")
            return self.capture(ts.removesuffix("id_"), url)
        return 404, pages.error_page(404), {}, "other", QUICK, ""

    def too_many(self, now: float, kind: str) -> tuple[int, bytes, dict, str, float, str]:
        """429 without Retry-After; a client that keeps pushing past the grace time gets blocked."""
        if self.last_429 is None or now - self.last_429 > facts.LIMIT_WINDOW / self.k:
            self.episode_start = now
        self.last_429 = now
        if self.block_enabled and now - self.episode_start > facts.IGNORED_429_BEFORE_BLOCK / self.k:
            self.episode_start = self.last_429 = None
            asyncio.get_running_loop().create_task(self.block())
        return 429, b"<html><body><h1>Too Many Requests</h1></body></html>", {}, kind, QUICK, "limit"

    def cdx_rows(self, query: str) -> tuple[int, bytes, dict, str, float, str]:
        q = parse_qs(query)
        url = q.get("url", [""])[0]
        lo = (q.get("from", [""])[0] + "00000000000000")[:14]
        hi = (q.get("to", [""])[0] + "99999999999999")[:14]
        wanted = [f.split(":", 1) for f in q.get("filter", []) if ":" in f]
        fields = (q.get("fl", [""])[0] or CDX_FIELDS).split(",")
        limit = int(q.get("limit", ["0"])[0] or 0)
        rows = []
        for ts, status, _host, _target in self.captures.get(canon(url), []):
            row = {"urlkey": canon(url), "timestamp": ts, "original": url, "mimetype": "text/html",
                   "statuscode": str(status), "digest": f"SIM{ts}", "length": "6000"}
            if lo <= ts <= hi and all(row.get(k) == v for k, v in wanted):
                rows.append([row.get(f, "-") for f in fields])
        rows = rows[:limit] if limit > 0 else rows
        body = json.dumps([fields] + rows if rows else []).encode()
        return 200, body, {"Content-Type": "application/json"}, "cdx", self.latency(facts.CDX_LATENCY), ""

    def capture(self, ts: str, url: str) -> tuple[int, bytes, dict, str, float, str]:
        caps = self.captures.get(canon(url), [])
        lat = self.latency(facts.PLAYBACK_LATENCY)
        if not caps:
            return 404, NOT_ARCHIVED, {}, "capture", lat, ""
        for cts, status, host, target in caps:
            if cts == ts:
                return self.served_capture(url, cts, status, host, target, lat)
        want = _when(ts)
        cts, status, host, target = min(caps, key=lambda c: (abs((_when(c[0]) - want).total_seconds()), c[0]))
        if self.direct_nearest:  # pywb's default (redirect_to_exact off): the nearest capture under the asked URL
            return self.served_capture(url, cts, status, host, target, lat)
        return 302, b"", {"Location": f"/web/{cts}id_/{url}"}, "redirect", lat, ""

    def served_capture(self, url, cts, status, host, target, lat) -> tuple[int, bytes, dict, str, float, str]:
        """A capture's answer: the archived page (or the archived error), its time in Memento-Datetime."""
        memento = {"Memento-Datetime": format_datetime(_when(cts).replace(tzinfo=timezone.utc), usegmt=True)}
        if status != 200:
            return status, pages.not_found(host), memento, "capture", lat, ""
        _fate, day, title = self.pages[host][target]
        return 200, pages.article(host, url, title, date.fromisoformat(day)), memento, "capture", lat, ""

    async def block(self) -> None:
        """Stop accepting connections (and drop the open ones) for BLOCK_SECONDS × 2^n."""
        seconds = facts.BLOCK_SECONDS * 2 ** self.blocks / self.k
        self.blocks += 1
        self.log({"t": time.time(), "h": ARCHIVE_HOST, "a": 1, "k": "block", "s": 0, "d": seconds * self.k})
        if self.archive_server is not None:
            self.archive_server.close()
        for writer in list(self.archive_conns):
            writer.transport.abort()
        await asyncio.sleep(seconds)
        self.archive_server = await self.listen(self.archive_handler, self.archive_port)

    # --- HTTP -------------------------------------------------------------------------------------------
    async def listen(self, handler, port: int) -> asyncio.Server:
        for attempt in range(50):
            try:
                return await asyncio.start_server(handler, "127.0.0.1", port, reuse_address=True, backlog=512)
            except OSError:
                if not port or attempt == 49:
                    raise
                await asyncio.sleep(0.1)
        raise RuntimeError("unreachable")

    async def serve(self, reader, writer, archive: bool) -> None:
        if archive:
            self.archive_conns.add(writer)
        served = 0
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, version = lines[0].split(" ", 2)
                except ValueError:
                    return
                arrived = time.time()
                if not archive and served and self.gone(target):
                    # A host that is gone never sees the request. On a reused keep-alive connection (the
                    # mirror's connections are shared by every host) Twisted resends a request that got no
                    # answer once, on a new connection: close this one unlogged and answer the resend as the
                    # failure.
                    writer.transport.abort()
                    return
                served += 1
                if archive:
                    status, body, headers, kind, lat, why = self.archive_answer(target)
                    host = ARCHIVE_HOST
                else:
                    status, body, headers, kind, lat, why, host = self.host_answer(target)
                self.log({"t": arrived, "h": host or "?", "a": int(archive), "k": kind, "s": status, "w": why,
                          "l": round(lat, 4), "u": target[:300]})
                if status == 0:  # a host that is gone: no answer
                    writer.transport.abort()
                    return
                if lat:
                    await asyncio.sleep(lat / self.k)
                close = version == "HTTP/1.0" or any(x.lower().replace(" ", "") == "connection:close"
                                                     for x in lines)
                out = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Content-Length: {len(body)}"]
                headers.setdefault("Content-Type", "text/html; charset=utf-8")
                out += [f"{k}: {v}" for k, v in headers.items()]
                if close:
                    out.append("Connection: close")
                head = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
                writer.write(head + (b"" if method == "HEAD" else body))
                await writer.drain()
                if close:
                    return
        except ConnectionError:
            return
        finally:
            self.archive_conns.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def mirror_handler(self, reader, writer) -> None:
        await self.serve(reader, writer, False)

    async def archive_handler(self, reader, writer) -> None:
        await self.serve(reader, writer, True)


def _when(ts: str) -> datetime:
    return datetime.strptime((ts + "00000000000000")[:14], "%Y%m%d%H%M%S")


async def main_async(args) -> None:
    world = json.loads(open(args.world, encoding="utf-8").read())
    with open(args.log, "a", encoding="utf-8") as log:
        web = Web(world, args.scale, log, args.cdx_per_minute, not args.no_block,
                  direct_nearest=args.direct_nearest)
        mirror = await web.listen(web.mirror_handler, 0)
        web.archive_server = await web.listen(web.archive_handler, 0)
        web.archive_port = web.archive_server.sockets[0].getsockname()[1]
        print(f"PORTS {mirror.sockets[0].getsockname()[1]} {web.archive_port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        flusher = loop.create_task(web.flusher())
        await stop.wait()
        flusher.cancel()
        web.flush()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--world", required=True)
    p.add_argument("--scale", type=float, default=1.0, help="time-scale factor: every delay is divided by it")
    p.add_argument("--log", required=True)
    p.add_argument("--cdx-per-minute", type=float, default=facts.CDX_PER_MINUTE)
    p.add_argument("--no-block", action="store_true", help="the archive answers 429s but never blocks")
    p.add_argument("--direct-nearest", action="store_true",
                   help="a timestamp not captured answers the nearest capture itself, as pywb does by default "
                        "(the Wayback Machine redirects to it)")
    asyncio.run(main_async(p.parse_args(argv)))


if __name__ == "__main__":
    main()
