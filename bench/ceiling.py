"""(a) The extraction ceiling: ``crawler.extract.fetched.extract_source`` (text + metadata + date) over the bench pages in
a pool of fresh worker processes, one per core, with no network and no storage.

The pool is built as the crawl's (forkserver, extractors preloaded, one task per page) and started before the
clock runs; every worker has imported the extractors but seen no page (htmldate and trafilatura cache on input
strings, so a reused worker would flatter the ceiling).
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.corpus import Page
from bench.procs import cpu_seconds, machine_busy_seconds
from crawler.net.urls import mirror_url
from crawler.extract.fetched import extract_source


def _ready() -> int:
    import crawler.extract.article  # noqa: F401

    time.sleep(0.5)  # hold this worker so that the other warm-up tasks start the others
    return os.getpid()


@dataclass
class CeilingResult:
    pages: int
    workers: int
    seconds: float
    statuses: dict
    cpu_seconds: float  # CPU time of the workers (user + system)
    cpu_others: float = 0.0  # CPU the rest of the machine used meanwhile

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def load_bodies(citations: list[tuple[Page, date]]) -> list[tuple[bytes, str, str | None, str, str]]:
    """The arguments the crawl passes for each page: (body, url, content_type, event_day, final_url)."""
    from bench.site import CONTENT_TYPE

    return [(gzip.decompress(Path(p.path).read_bytes()), p.url, CONTENT_TYPE, day.isoformat(), p.url)
            for p, day in citations]


def run_ceiling(citations: list[tuple[Page, date]], workers: int | None = None) -> CeilingResult:
    workers = workers or os.cpu_count() or 1
    jobs = load_bodies(citations)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["crawler.extract.article"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    try:
        pids: set[int] = set()
        for _ in range(5):  # until every worker has run a warm-up task
            pids |= {f.result() for f in [pool.submit(_ready) for _ in range(workers)]}
            if len(pids) >= workers:
                break
        if len(pids) < workers:
            print(f"  note: only {len(pids)} of {workers} workers started before the clock")
        statuses: Counter = Counter()
        cpu0 = sum(cpu_seconds(p) for p in pids)
        busy0, own0 = machine_busy_seconds(), cpu_seconds(os.getpid())
        t0 = time.perf_counter()
        futures = [pool.submit(extract_source, *job) for job in jobs]
        for fut in as_completed(futures):
            statuses[fut.result().get("status")] += 1
        seconds = time.perf_counter() - t0
        cpu = sum(cpu_seconds(p) for p in pids) - cpu0
        others = machine_busy_seconds() - busy0 - cpu - (cpu_seconds(os.getpid()) - own0)
    finally:
        pool.shutdown(wait=True)
    return CeilingResult(len(jobs), workers, seconds, dict(statuses), cpu, max(0.0, others))


def mirror_urls(citations: list[tuple[Page, date]], base: str) -> list[str]:
    return [mirror_url(base, p.url) for p, _ in citations]
