"""(b) ``newsarchive crawl`` end to end against the mirror, sampled while it runs.

Every ``interval`` seconds: the number of sources stored (status no longer ``pending``), the RSS summed over the
crawl's process tree (main process, forkserver, extraction workers) and CPU per process. Pages per second are
sources stored over wall time; the per-decile time per page is interpolated from the (time, stored) samples.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import TreeSampler, machine_busy_seconds, running_after

ROOT = Path(__file__).resolve().parents[1]
NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")

# Politeness off for a loopback bench: no AutoThrottle, no delay. robots.txt stays obeyed (one request per host,
# as in production; the mirror allows everything), retries and timeouts stay as configured.
BENCH_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "ROBOTSTXT_OBEY": "1",
}


@dataclass
class CrawlResult:
    days: int
    stored: int
    statuses: dict
    wall: float  # command start → exit
    first_stored: float  # seconds after start when the first source was stored
    last_stored: float
    peak_rss: int
    peak_pss: int
    cpu_main: float
    cpu_workers: float
    cpu_mirror: float
    cpu_others: float  # CPU the rest of the machine used meanwhile (other users' jobs)
    db_bytes: int
    returncode: int
    stdout: str
    launched: float = 0.0  # time.time() at launch (to place the mirror's request log on the crawl's clock)
    # (seconds since start, stored, CPU seconds of the crawl's tree so far, busy CPU seconds of the machine so far)
    samples: list[tuple[float, int, float, float]] = field(default_factory=list)

    @property
    def pages_per_s(self) -> float:
        return self.stored / self.wall if self.wall else 0.0

    @property
    def steady_pages_per_s(self) -> float:
        span = self.last_stored - self.first_stored
        return (self.stored - 1) / span if span > 0 else 0.0


def crawl_command(site, mirror, db: Path, extra: dict | None = None, variant: str | None = None) -> list[str]:
    entry = [sys.executable, "-m", "bench.variants", variant] if variant else [str(NEWSARCHIVE)]
    cmd = entry + ["crawl", "--from", site.first.isoformat(), "--to", site.last.isoformat(),
           "--db", str(db), "--wiki-api", mirror.api, "--wayback-url", "", "--quiet",
           "-s", f"NEWSARCHIVE_MIRROR={mirror.base}"]
    for name, value in {**BENCH_SETTINGS, **(extra or {})}.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def _stored(conn: sqlite3.Connection) -> int:
    try:
        return conn.execute("SELECT count(*) FROM sources WHERE status != 'pending'").fetchone()[0]
    except sqlite3.Error:
        return -1


def run_crawl(site, mirror, db: Path, extra: dict | None = None, interval: float = 1.0,
              prefix: list[str] | None = None, progress: bool = True, variant: str | None = None) -> CrawlResult:
    """Run the crawl to its end; ``prefix`` wraps the command (e.g. a profiler); ``variant`` runs it through
    bench.variants (``stub``: no extraction; ``before``: the pipeline before the bench's fixes)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = (prefix or []) + crawl_command(site, mirror, db, extra, variant)
    busy0, mirror_cpu0 = machine_busy_seconds(), mirror.cpu_seconds()
    t0, launched = time.perf_counter(), time.time()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(proc.pid)
    samples: list[tuple[float, int, float, float]] = []
    conn = None
    last_print = 0.0
    while running_after(proc, interval):
        now = time.perf_counter() - t0
        sampler.sample(with_pss=sampler.samples % 10 == 0)
        if conn is None and db.exists():
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        n = _stored(conn) if conn is not None else -1
        if n >= 0:
            samples.append((now, n, sampler.cpu_total, machine_busy_seconds() - busy0))
        if progress and now - last_print >= 30:
            last_print = now
            print(f"    {now:7.0f}s  {max(n, 0):>7} stored  rss {sampler.peak_rss / 2**20:.0f} MiB peak", flush=True)
    wall = time.perf_counter() - t0
    out = proc.stdout.read()
    if conn is not None:
        conn.close()
    conn = sqlite3.connect(db)
    statuses = dict(conn.execute("SELECT status, count(*) FROM sources GROUP BY status").fetchall())
    days = conn.execute("SELECT count(*) FROM days").fetchone()[0]
    conn.close()
    stored = sum(v for k, v in statuses.items() if k != "pending")
    busy = machine_busy_seconds() - busy0
    samples.append((wall, stored, sampler.cpu_total, busy))
    first = next((s[0] for s in samples if s[1] > 0), wall)
    last = next((s[0] for s in samples if s[1] >= stored), wall)
    main_cpu = sampler.cpu.get(proc.pid, 0.0)
    mirror_cpu = mirror.cpu_seconds() - mirror_cpu0
    db_bytes = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    return CrawlResult(days, stored, statuses, wall, first, last, sampler.peak_rss, sampler.peak_pss, main_cpu,
                       sampler.cpu_total - main_cpu, mirror_cpu,
                       max(0.0, busy - sampler.cpu_total - mirror_cpu), db_bytes, proc.returncode, out, launched, samples)


@dataclass
class Decile:
    seconds_per_page: float  # wall
    cpu_per_page: float  # CPU of the crawl's process tree per page (insensitive to other load)
    other_load: float  # cores the rest of the machine (mirror included) used meanwhile


def deciles(samples: list[tuple[float, int, float, float]], total: int) -> list[Decile]:
    """Each tenth of the pages, in storage order, from the first stored page on (linear between samples)."""
    def at(k: float) -> tuple[float, float, float]:  # (time, tree CPU, machine busy) when ``k`` were stored
        prev = samples[0]
        for cur in samples:
            if cur[1] >= k:
                if cur[1] == prev[1]:
                    return cur[0], cur[2], cur[3]
                f = (k - prev[1]) / (cur[1] - prev[1])
                return tuple(p + (c - p) * f for p, c in zip((prev[0], prev[2], prev[3]), (cur[0], cur[2], cur[3])))
            prev = cur
        return samples[-1][0], samples[-1][2], samples[-1][3]

    marks = [at(max(1, total * i / 10)) for i in range(11)]
    out = []
    for (t0, c0, b0), (t1, c1, b1) in zip(marks, marks[1:]):
        n = total / 10
        out.append(Decile((t1 - t0) / n, (c1 - c0) / n, max(0.0, (b1 - b0) - (c1 - c0)) / (t1 - t0) if t1 > t0 else 0))
    return out
