"""The figure and its details, as printed and as written into bench/results.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.backfill.analyse import TOLERANCE, Analysis, Politeness
from bench.backfill.crawl import CrawlRun

SECTION = "## Backfill on a simulated web"


@dataclass
class Outcome:
    name: str
    args: list[str]
    run: CrawlRun
    analysis: Analysis
    politeness: Politeness
    scale: float
    cdx_per_minute: float

    @property
    def wall(self) -> float:
        """Simulated seconds."""
        return self.run.wall * self.scale

    @property
    def ratio(self) -> float:
        return self.wall / self.analysis.bound if self.analysis.bound else float("inf")


def figure_line(o: Outcome) -> str:
    a = o.analysis
    return (f"backfill: wall/lower-bound {o.ratio:.2f}, archive requests per recovered source "
            f"{a.archive_per_recovered:.2f}, provoked 429 {a.provoked_429}, lost {a.lost}, "
            f"peak RSS {o.run.peak_rss / 2**20:.0f} MiB")


def _h(seconds: float) -> str:
    return f"{seconds:,.0f} s ({seconds / 3600:.1f} h)" if seconds >= 3600 else f"{seconds:,.0f} s"


def details(o: Outcome) -> list[str]:
    a, p, k, run = o.analysis, o.politeness, o.scale, o.run
    wall = f"wall {run.wall:,.0f} s measured = {_h(o.wall)} simulated (time scale ×{k:g})"
    if run.capped:
        wall += " — stopped at the cap, so wall/lower-bound is a lower limit"
    if run.returncode != 0:
        wall += f"; exit code {run.returncode}"
    if o.ratio < 1:
        wall += "; wall below the bound: the crawl went faster than its own politeness allows"
    lines = [wall, f"lower bound {_h(a.bound)} ({a.binding}); components:"]
    for name, (sec, what) in sorted(a.components.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"  {name}: {_h(sec)} — {what}")
    kinds = ", ".join(f"{k_} {n}" for k_, n in sorted(a.archive_kinds.items()))
    answered = a.archive.requests - a.archive_kinds.get("429", 0)
    per_answered = answered / a.recovered if a.recovered else float("inf")
    blocks = f" ({', '.join(_h(b) for b in a.blocks)})" if a.blocks else ""
    lines += [f"archive: {a.archive.requests:,} requests ({kinds}); {a.archive_per_recovered:.2f} per "
              f"recovered source ({per_answered:.2f} without the ones answered 429), "
              f"{a.archive.requests / max(1, a.dead):.2f} per dead source",
              f"archive interval: observed min {a.archive.min_gap:.3f} s, median "
              f"{a.archive_gap_median:.3f} s; "
              f"configured NEWSARCHIVE_WAYBACK_DELAY {p.wayback_delay:g} s (jitter ±{p.jitter:.0%}: no gap "
              f"below {p.archive_promise:.3f} s); {a.archive.too_close:,} gaps below that, "
              f"{a.archive.breaches:,} of them not isolated late sends",
              f"archive blocks: {len(a.blocks)}{blocks}",
              f"provoked 429: {a.provoked_429:,} (archive {a.provoked_429_archive:,}, hosts "
              f"{a.provoked_429 - a.provoked_429_archive:,}); 429/5xx bursts answered regardless of rate: "
              f"{a.other_429:,} 429s"]
    limited = [h for h in a.hosts if h.stated]
    lines.append(f"hosts with a stated limit: {len(limited)}, "
                 f"{sum(1 for h in limited if h.min_gap < h.stated):,} of them got requests closer than it")
    close = [h for h in a.hosts if h.too_close]
    breached = [h for h in a.hosts if h.breaches]
    worst = sorted(close, key=lambda h: h.min_gap)[:3]
    lines.append(f"per-host interval: {len(a.hosts):,} hosts requested; {len(close)} saw gaps below the "
                 f"configured {p.host_promise:.4f} s (DOWNLOAD_DELAY {p.download_delay:g} s, jitter "
                 f"±{p.jitter:.0%}; tolerance {TOLERANCE * 1000:.0f} ms measured = {TOLERANCE * k:.3f} s "
                 f"simulated), {len(breached)} beyond isolated late sends"
                 + ("; closest: " + ", ".join(f"{h.host} {h.min_gap:.4f} s ({h.closest}, {h.too_close} gaps)"
                                             for h in worst) if worst else ""))
    lines += [f"sources: {sum(a.statuses.values()):,} in the database, statuses {a.statuses}",
              f"dead {a.dead:,}; recoverable (a 200 capture within a year) {a.recoverable:,}; recovered "
              f"{a.recovered:,}; dead without a finished archive search {a.unsearched_dead:,}; lost "
              f"{a.lost:,} ({a.missing:,} not in the database: their day page was not read; "
              f"{a.lost - a.missing:,} pending)",
              f"requests: {a.requests:,} to the web and the archive, {a.api_requests} to the wiki API; "
              f"{a.days:,} day pages stored"]
    cores = run.cpu_tree / run.wall if run.wall else 0.0
    others = run.cpu_other / run.wall if run.wall else 0.0
    cpu = (f"CPU: crawl tree {run.cpu_tree:,.0f} s ({cores:.2f} cores on average), simulated web "
           f"{run.cpu_servers:,.0f} s, rest of the machine {others:.2f} cores")
    if cores + run.cpu_servers / max(run.wall, 1e-9) > 1.4:
        cpu += ("; the crawl used > 1.4 of 2 cores: CPU, not politeness, may bound this run — lower the time "
                "scale")
    lines.append(cpu)
    quarters = [max((r for t, r in run.rss if q * run.wall / 4 <= t < (q + 1) * run.wall / 4), default=0)
                for q in range(4)]
    lines.append(f"RSS of the crawl's process tree: peak {run.peak_rss / 2**20:.0f} MiB; max by quarter of "
                 "the run " + " / ".join(f"{r / 2**20:.0f}" for r in quarters) + " MiB")
    return lines


def comparison(outcomes: list[Outcome]) -> list[str]:
    rows = ["| variant | crawl options (simulated s) | wall (sim.) | lower bound | wall/bound | archive req. "
            "/ recovered | recovered | provoked 429 | archive blocks | lost | peak RSS |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for o in outcomes:
        a = o.analysis
        rows.append(f"| {o.name} | {' '.join(o.args) or '(defaults)'} | {_h(o.wall)} | {_h(a.bound)} "
                    f"({a.binding}) | **{o.ratio:.2f}** | {a.archive_per_recovered:.2f} | {a.recovered:,} / "
                    f"{a.recoverable:,} | {a.provoked_429:,} | {len(a.blocks)} | {a.lost} | "
                    f"{o.run.peak_rss / 2**20:.0f} MiB |")
    return rows


def write_section(path: Path, lines: list[str]) -> None:
    """Replace (or add, before ``## Notes``) the backfill section of bench/results.md."""
    old = path.read_text(encoding="utf-8").splitlines() if path.exists() else ["# `make bench` results", ""]
    out, skipping, inserted = [], False, False
    for line in old:
        if line.startswith("## "):
            if skipping:
                skipping = False
            if line.startswith(SECTION):
                skipping = True
                continue
            if line.startswith("## Notes") and not inserted:
                out += lines + [""]
                inserted = True
        if not skipping:
            out.append(line)
    if not inserted:
        out += [""] + lines
    path.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
