"""Throughput of the distributed mode on this machine: 1 worker vs 2 workers (+ one ingest), one Redis.

    python bench/distributed.py [--days 20] [--latency 0.15]

A generated site (tests/sitegen) is served by crawl.devserver with a per-page latency, so that fetching, not
only CPU, is part of the cost — as on the real web. Prints pages/s for each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.mockserver import MockServer  # noqa: E402
from tests.redisserver import RedisServer  # noqa: E402
from tests.sitegen import build_site  # noqa: E402

CLI = [sys.executable, "-m", "crawler.cli"]
OFF = {"NEWSARCHIVE_WAYBACK_URL": "", "NEWSARCHIVE_COMMONCRAWL_URL": ""}
PER_HOST = [8]
SHARED_DELAY = ["0"]  # the shared per-host gate is off: this measures how workers scale, not a host's rate


def run(workers: int, site: dict, days: int, tmp: Path) -> tuple[float, int]:
    db = tmp / f"w{workers}.db"
    env = {**os.environ, **OFF}
    with RedisServer(tmp) as redis, MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]]) as srv:
        common = ["--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", "-s", "AUTOTHROTTLE_ENABLED=0",
                  "-s", "DOWNLOAD_DELAY=0", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={PER_HOST[0]}",
                  "-s", f"NEWSARCHIVE_SHARED_HOST_DELAY={SHARED_DELAY[0]}"]
        subprocess.run([*CLI, "crawl", "--from", "2016-01-01", "--to", (date(2016, 1, 1) + timedelta(days=days - 1)).isoformat(), "--redis", redis.url,
                        "--db", str(db), "-s", "NEWSARCHIVE_TITLES_PER_REQUEST=5"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        t0 = time.monotonic()
        procs = [subprocess.Popen([*CLI, "worker", "--redis", redis.url, "--idle-exit", "6", *common], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        ingest = subprocess.run([*CLI, "ingest", "--redis", redis.url, "--db", str(db), "--idle-exit", "3"],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - t0 - 3  # the ingest's idle wait is not work
        for p in procs:
            p.wait(timeout=120)
    import sqlite3
    n = sqlite3.connect(db).execute("SELECT COUNT(*) FROM sources WHERE fetched_at IS NOT NULL").fetchone()[0]
    return elapsed, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--events", type=int, default=15)
    ap.add_argument("--latency", type=float, default=0.15)
    ap.add_argument("--per-host", type=int, default=8, help="CONCURRENT_REQUESTS_PER_DOMAIN of each worker")
    ap.add_argument("--shared-host-delay", default="0",
                    help="NEWSARCHIVE_SHARED_HOST_DELAY of the workers (default 0: the gate off; the site has 3 hosts, "
                         "so a 0.25 s gate caps any number of workers at 12 pages/s)")
    args = ap.parse_args()
    PER_HOST[0] = args.per_host
    SHARED_DELAY[0] = args.shared_host_delay
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site = build_site(tmp / "site", date(2016, 1, 1), days=args.days, events_per_day=args.events,
                          delay=args.latency)
        results = {}
        for n in (1, 2):
            elapsed, pages = run(n, site, args.days, tmp)
            results[n] = pages / elapsed
            print(f"{n} worker(s): {pages} pages in {elapsed:.1f} s = {results[n]:.1f} pages/s", flush=True)
        print(f"2 workers / 1 worker = {results[2] / results[1]:.2f}  (nproc={os.cpu_count()}, "
              f"latency {args.latency}s per page, {args.per_host} per host per worker)")


if __name__ == "__main__":
    main()
