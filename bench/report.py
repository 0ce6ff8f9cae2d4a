"""The machine's description and the Markdown of bench/results.md."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    import sqlite3

    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram": f"{mem_kb / 2**20:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "scrapy": version("scrapy"),
        "trafilatura": version("trafilatura"),
        "htmldate": version("htmldate"),
        "sqlite": sqlite3.sqlite_version,
        "load": Path("/proc/loadavg").read_text().split()[:3],
    }


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _contention(others: float, wall: float) -> str:
    return f"{others / wall:.2f} cores" if wall else "n/a"


@dataclass
class Round:
    """One (a) then (b) pair of the throughput bench, and the mirror requests of its crawl."""

    ceiling: object
    crawl: object
    requests: dict

    @property
    def ratio(self) -> float:
        return self.crawl.pages_per_s / self.ceiling.pages_per_s if self.ceiling.pages_per_s else 0.0


def median_round(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda r: r.ratio)[len(rounds) // 2]


def rounds_table(rounds: list[Round], shown: Round) -> list[str]:
    lines = ["", f"Rounds ((a) then (b), alternately, {len(rounds)} times; the figures above are from the round with "
             "the median b/a, marked *):", "",
             "| round | (a) pages/s | (b) pages/s | b/a | b′/a | CPU ms a page: (a) / (b) main + workers + mirror |",
             "|---:|---:|---:|---:|---:|---|"]
    for i, r in enumerate(rounds, 1):
        c, n = r.crawl, max(1, r.crawl.stored)
        lines.append(f"| {i}{'*' if r is shown else ''} | {r.ceiling.pages_per_s:.2f} | {c.pages_per_s:.2f} | "
                     f"{r.ratio:.2f} | {c.steady_pages_per_s / r.ceiling.pages_per_s:.2f} | "
                     f"{r.ceiling.cpu_seconds / max(1, r.ceiling.pages) * 1000:.0f} / "
                     f"{c.cpu_main / n * 1000:.1f} + {c.cpu_workers / n * 1000:.0f} + {c.cpu_mirror / n * 1000:.1f} |")
    ratios = sorted(r.ratio for r in rounds)
    lines.append(f"\nb/a over the rounds: min {ratios[0]:.2f}, median {median_round(rounds).ratio:.2f}, "
                 f"max {ratios[-1]:.2f}.")
    return lines


def page_section(n_pages, rounds: list[Round], peers: list, when: str) -> list[str]:
    shown = median_round(rounds)
    peer = sorted(peers, key=lambda p: p.pages_per_s)[len(peers) // 2] if peers else None
    ceiling, crawl, requests = shown.ceiling, shown.crawl, shown.requests
    b, a = crawl.pages_per_s, ceiling.pages_per_s
    lines = [f"## Throughput on {n_pages:,} pages (run {when})", "",
             "| | pages | seconds | pages/s | CPU s (ours / mirror) | other load |",
             "|---|---:|---:|---:|---:|---:|",
             f"| (a) ceiling: `extract_source` in {ceiling.workers} fresh workers, no network | {ceiling.pages:,} | "
             f"{ceiling.seconds:.1f} | **{a:.2f}** | {ceiling.cpu_seconds:.1f} / – | "
             f"{_contention(ceiling.cpu_others, ceiling.seconds)} |",
             f"| (b) `newsarchive crawl` end to end (wall: start → exit) | {crawl.stored:,} | {crawl.wall:.1f} | "
             f"**{b:.2f}** | {crawl.cpu_main + crawl.cpu_workers:.1f} / {crawl.cpu_mirror:.1f} | "
             f"{_contention(crawl.cpu_others, crawl.wall)} |",
             f"| (b′) the same, first → last source stored | {crawl.stored:,} | "
             f"{crawl.last_stored - crawl.first_stored:.1f} | {crawl.steady_pages_per_s:.2f} | | |"]
    if peer is not None:
        label = f" (median of {len(peers)} runs)" if len(peers) > 1 else ""
        lines.append(f"| (c) `trafilatura -i urls --parallel {peer.parallel} --with-metadata`{label} | {peer.urls:,} | "
                     f"{peer.wall:.1f} | **{peer.pages_per_s:.2f}** | {peer.cpu:.1f} / {peer.cpu_mirror:.1f} | "
                     f"{_contention(peer.cpu_others, peer.wall)} |")
    n_b = max(1, crawl.stored)
    cpu_a = ceiling.cpu_seconds / max(1, ceiling.pages)
    cpu_b = (crawl.cpu_main + crawl.cpu_workers + crawl.cpu_mirror) / n_b
    cores = ceiling.workers
    lines += ["", f"- **b/a = {b / a:.2f}** (target ≥ 0.85); steady state b′/a = {crawl.steady_pages_per_s / a:.2f}."]
    lines.append(f"- CPU per page: ceiling {cpu_a * 1000:.0f} ms; crawl {cpu_b * 1000:.0f} ms = main process "
                 f"{crawl.cpu_main / n_b * 1000:.1f} ms (start-up included) + extraction workers "
                 f"{crawl.cpu_workers / n_b * 1000:.0f} ms + mirror {crawl.cpu_mirror / n_b * 1000:.1f} ms. "
                 f"CPU-bound estimate for an otherwise idle machine ({cores} cores): a ≈ {cores / cpu_a:.1f}, "
                 f"b ≈ {cores / cpu_b:.1f} pages/s, **b/a ≈ {cpu_a / cpu_b:.2f}**.")
    main_ms, worker_ms = crawl.cpu_main / n_b * 1000, crawl.cpu_workers / n_b * 1000
    if main_ms > 0:
        lines.append(f"- One crawl process: its main process (the reactor thread: Scrapy, robots.txt, storage) spends "
                     f"{main_ms:.1f} ms a page, so one `newsarchive crawl` tops out near {1000 / main_ms:.0f} pages/s "
                     f"whatever the number of cores; that rate keeps ~{worker_ms / main_ms:.1f} cores of extraction "
                     f"busy. On bigger machines, run more processes (the distributed mode).")
    if peer is not None:
        cpu_c = peer.cpu / max(1, peer.urls)
        b_med = sorted(r.crawl.pages_per_s for r in rounds)[len(rounds) // 2]
        cs = ", ".join(f"{p.pages_per_s:.2f}" for p in peers)
        lines.append(f"- **b/c = {b_med / peer.pages_per_s:.2f}** (target ≥ 2; the median (b) of the rounds, "
                     f"{b_med:.2f} pages/s, over the median (c) of its runs: {cs} pages/s). trafilatura used "
                     f"{cpu_c * 1000:.0f} ms "
                     f"CPU per page in one process (downloads in threads, extraction in the main thread): idle-machine "
                     f"estimate c ≈ {1 / cpu_c:.1f} pages/s, **b/c ≈ {cpu_c * cores / cpu_b:.2f}**. It wrote "
                     f"{peer.outputs:,} documents for {peer.urls:,} URLs ({peer.fetched:,} fetched); exit code "
                     f"{peer.returncode}.")
    lines.append(f"- Crawl: first source stored {crawl.first_stored:.1f} s after start; statuses {crawl.statuses}; "
                 f"mirror requests {requests}; exit code {crawl.returncode}.")
    lines.append(f"- Ceiling statuses {ceiling.statuses}.")
    return lines + rounds_table(rounds, shown) + [""]


def scale_section(days, crawl, decs, requests, expected_api, when: str) -> list[str]:
    lines = [f"## Scale curve: {days:,} days, {crawl.stored:,} pages (run {when})", "",
             "| decile | ms per page (wall) | CPU ms per page (crawl's processes) | other load (cores) |",
             "|---:|---:|---:|---:|"]
    lines += [f"| {i + 1} | {d.seconds_per_page * 1000:.1f} | {d.cpu_per_page * 1000:.1f} | {d.other_load:.2f} |"
              for i, d in enumerate(decs)]
    wall_ratio = decs[-1].seconds_per_page / decs[0].seconds_per_page if decs[0].seconds_per_page else float("nan")
    cpu_ratio = decs[-1].cpu_per_page / decs[0].cpu_per_page if decs[0].cpu_per_page else float("nan")
    lines += ["", f"- last / first decile: **{wall_ratio:.2f}** wall, {cpu_ratio:.2f} CPU (target ≤ 1.2). Deciles "
              f"start at the first stored source ({crawl.first_stored:.1f} s after start); \"other load\" is the "
              "rest of the machine, the mirror included.",
              f"- Wall {crawl.wall / 60:.1f} min, {crawl.pages_per_s:.2f} pages/s; statuses {crawl.statuses}; "
              f"exit code {crawl.returncode}.",
              f"- Peak RSS summed over the crawl's process tree **{mib(crawl.peak_rss)}** (target < 1 GiB); "
              f"peak PSS {mib(crawl.peak_pss)}.",
              f"- Database {crawl.db_bytes / 2**30:.2f} GiB ({crawl.db_bytes / max(1, crawl.stored) / 1024:.0f} KiB "
              f"per source; the raw page is stored compressed).",
              f"- Portal requests **{requests['api']}** (ceil({days:,} / 50) = {expected_api}); page requests "
              f"{requests['pages']:,}; robots.txt {requests['robots']:,}.", ""]
    return lines


# Sections written by other benches or by hand are kept across runs: "## Profile" (a profiling session),
# "## Coverage report" (bench/report_libs.py, bench/report_scale.py), "## Backfill" (`make bench-backfill`),
# "## Near-duplicate grouping" (crawler.devtools.dedup_eval), "## Dataset exports" (bench/export_big.py).
SECTION_KINDS = ("## Throughput", "## Scale curve", "## Profile", "## Coverage report", "## Backfill",
                 "## Near-duplicate grouping", "## Dataset exports")


def _old_sections(path: Path) -> dict[str, list[str]]:
    """The sections of an earlier results file, by kind (kept when this run skipped that bench)."""
    if not path.exists():
        return {}
    out: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = next((k for k in SECTION_KINDS if line.startswith(k)), None)
            if current:
                out[current] = []
        if current:
            out[current].append(line)
    return out


def write_results(path: Path, info: dict, settings: dict, sections: list[str], notes: list[str]) -> None:
    """Write the results; a bench this run skipped keeps its section from the earlier file (marked as such)."""
    old = _old_sections(path)
    for kind in SECTION_KINDS:
        if not any(line.startswith(kind) for line in sections) and kind in old:
            sections = sections + old[kind]
    head = ["# `make bench` results", "",
            f"Run {info['date']} on {info['nproc']} × {info['cpu']}, {info['ram']} RAM, {info['os']}; Python "
            f"{info['python']}, Scrapy {info['scrapy']}, trafilatura {info['trafilatura']}, htmldate "
            f"{info['htmldate']}, SQLite {info['sqlite']}. Load average at the start {' '.join(info['load'])}.",
            "", "Crawl settings for the bench: " + ", ".join(f"`{k}={v}`" for k, v in settings.items())
            + ", `--wayback-url ''` (no archive fallback).", ""]
    path.write_text("\n".join(head + sections + notes) + "\n", encoding="utf-8")
