"""Soak: many sources through a mix of fault scenarios; peak RSS and open file descriptors must stay flat.

    python bench/soak.py [--sources 10000] [--out bench/soak.md]

Day pages citing N URLs on tests/faultserver.py (127.0.0.2) are crawled with `newsarchive crawl`; the crawl's
process tree is sampled every 0.5 s (RSS summed over the tree, fds of the main process). Reports the samples by
decile of elapsed time, the final statuses, and the wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.mockserver import MockServer  # noqa: E402

# scenario -> weight (slow ones rarer, as on the real web)
MIX = {"/ok": 40, "/missing": 10, "/no-article": 6, "/empty": 4, "/wrong-charset": 5, "/windows-1252": 5,
       "/shift-jis": 3, "/pdf": 3, "/image-as-html": 2, "/malformed": 5, "/500-then-ok": 3, "/429": 2,
       "/redirect-loop": 2, "/redirect-private": 2, "/truncated": 2, "/huge": 1, "/gzip-bomb": 1,
       "/private/secret": 2, "/timeout": 1, "/trickle": 1}


def tree_pids(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            kids = []
        todo.extend(int(k) for k in kids)
    return pids


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def write_days(wiki: Path, port: int, n: int, per_day: int = 250) -> int:
    rnd = random.Random(7)
    paths, weights = zip(*MIX.items())
    days = 0
    for start in range(0, n, per_day):
        day = 1 + days
        lines = [f"{{{{Current events|year=2019|month={1 + (days // 28):02d}|day={1 + days % 28}|content=", ";Soak"]
        for i in range(start, min(n, start + per_day)):
            path = rnd.choices(paths, weights)[0]
            lines.append(f"*Soak event {i} happens. [http://127.0.0.2:{port}{path}?n={i} (Outlet {i % 50})]")
        lines.append("}}")
        (wiki / f"2019-{1 + days // 28:02d}-{1 + days % 28:02d}_rev{day}.wiki").write_text("\n".join(lines))
        days += 1
    return days


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=10000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "soak.md"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fault = subprocess.Popen([sys.executable, "-m", "tests.faultserver", "0", "127.0.0.2"], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        port = int(fault.stdout.readline().split()[1])
        wiki = tmp / "wiki"
        wiki.mkdir()
        days = write_days(wiki, port, args.sources)
        last = sorted(p.name[:10] for p in wiki.glob("*.wiki"))[-1]
        db = tmp / "soak.db"
        with MockServer(wiki=[wiki]) as api:
            cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--from", "2019-01-01", "--to", last, "--db", str(db),
                   "--wiki-api", api.api, "--wayback-url", "", "-s", "NEWSARCHIVE_COMMONCRAWL_URL=",
                   "-s", "NEWSARCHIVE_ALLOW_NETWORKS=127.0.0.2/32", "-s", "DOWNLOAD_TIMEOUT=3",
                   "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1",
                   "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "CONCURRENT_REQUESTS=32"]
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            samples = []
            while proc.poll() is None:
                pids = tree_pids(proc.pid)
                samples.append((time.monotonic() - t0, sum(rss_kb(p) for p in pids), fds(proc.pid), len(pids)))
                time.sleep(0.5)
            out, err = proc.communicate()
            wall = time.monotonic() - t0
        fault.kill()
        statuses = Counter(r[0] for r in sqlite3.connect(db).execute("SELECT status FROM sources"))
    lines = [f"# Soak: {args.sources} sources over {days} day pages, fault mix", "",
             f"exit code {proc.returncode}; wall {wall:.0f} s; {args.sources / wall:.1f} sources/s; "
             f"`{out.strip()}`", "", "| decile | t (s) | RSS tree (MiB, max) | fds main (max) | processes |",
             "|---|---|---|---|---|"]
    for d in range(10):
        part = [s for s in samples if d / 10 <= s[0] / max(wall, 1e-9) < (d + 1) / 10] or [(0, 0, 0, 0)]
        lines.append(f"| {d + 1} | {part[-1][0]:.0f} | {max(p[1] for p in part) / 1024:.0f} | "
                     f"{max(p[2] for p in part)} | {max(p[3] for p in part)} |")
    lines += ["", "statuses: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common()), ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    if err.strip():
        print("stderr:", err.strip()[:500])


if __name__ == "__main__":
    main()
