"""On paper, to internet scale: a full backfill (2002-01-01 to the as-of day, every day page, every cited
source) projected from the rates a simulated backfill measured.

Counts come from the real day pages (citations a day) and the dead-link curve (``facts.dead_share``). The
archive's share is the run's archive requests answered per dead source (a polite crawl of the same design
would not send the ones answered 429) at the crawl's interval and at the archive's CDX limit; the busiest host
and the global concurrency scale with the sources; CPU comes from ``make bench``'s scale curve on real pages
(bench/results.md). With N distributed workers on one IP the per-host and archive limits stay shared, so N
divides only CPU and the global concurrency.
"""

from __future__ import annotations

import re
import statistics
from datetime import date, timedelta
from pathlib import Path

from bench.backfill import facts

FULL_FIRST = date(2002, 1, 1)
WORKERS = (1, 2, 4, 8)


def full_counts(citations_per_day: list[int], as_of: date, first: date = FULL_FIRST) -> dict:
    """Days, sources (mean and range of the real pages' citations a day) and the dead among them."""
    days = (as_of - first).days + 1
    mean = statistics.fmean(citations_per_day)
    dead_days = sum(facts.dead_share((as_of - (first + timedelta(days=i))).days / 365.25)
                    for i in range(days))
    return {"days": days, "per_day": mean, "per_day_range": (min(citations_per_day), max(citations_per_day)),
            "sources": days * mean, "dead": dead_days * mean}


def bench_pages_per_second(results: Path) -> float | None:
    """``make bench``'s end-to-end rate on real pages (its scale curve), if bench/results.md has one."""
    if not results.exists():
        return None
    text = results.read_text(encoding="utf-8")
    section = text.split("## Scale curve", 1)[-1] if "## Scale curve" in text else ""
    m = re.search(r"Wall [\d.]+ min, ([\d.]+) pages/s", section)
    return float(m.group(1)) if m else None


def _h(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    return f"{seconds / 3600:.1f} h"


def rates_from(outcomes: list):
    """The run to scale from: uncapped and unblocked if possible (a blocked run's refused requests never reach
    the log), then the one that recovered the most (429s that exhaust the retries leave searches undone)."""
    def rank(o):
        return (o.run.capped, bool(o.analysis.blocks), -o.analysis.recovered)
    return min(outcomes, key=rank)


def projection(outcomes: list, world, sample, results: Path, cores: int = 2) -> list[str]:
    """Markdown lines: the full backfill's counts, its lower-bound components and the projected wall time."""
    base = rates_from(outcomes)
    a, pol = base.analysis, base.politeness
    full = full_counts(sample.citations_per_day, world.as_of)
    src_ratio = full["sources"] / len(world.sources)
    dead = max(1, a.dead)
    answered = a.archive.requests - a.archive_kinds.get("429", 0)  # what a polite crawl of this design sends
    cdx = a.archive_kinds.get("cdx", 0)
    cdx_limit = base.cdx_per_minute
    comp = {
        "archive at the crawl's interval": full["dead"] * answered / dead * pol.wayback_delay,
        "archive at its CDX limit": full["dead"] * cdx / dead * 60 / cdx_limit,
        "busiest host": a.components["busiest host"][0] * src_ratio,
        "global concurrency": a.components["global concurrency"][0] * src_ratio,
    }
    pps = bench_pages_per_second(results)
    if pps:
        comp["CPU"] = full["sources"] / pps
    lo, hi = full["per_day_range"]
    lines = [
        f"Full backfill {FULL_FIRST} … {world.as_of}: {full['days']:,} day pages; {full['per_day']:.1f} "
        f"citations a day on the real pages ({lo}–{hi}) → **~{full['sources'] / 1000:,.0f}k sources** "
        f"({full['days'] * lo / 1000:,.0f}k–{full['days'] * hi / 1000:,.0f}k), of them "
        f"**~{full['dead'] / 1000:,.0f}k dead** today by the age curve "
        f"({full['dead'] / full['sources']:.0%}).",
        f"Rates from the `{base.name}` run: {answered / dead:.2f} archive requests answered per dead source "
        f"({cdx / dead:.2f} CDX queries), the busiest host and the global concurrency scaled by the sources "
        f"(×{src_ratio:.1f})"
        + (f", CPU at `make bench`'s {pps:.1f} real pages/s on {cores} cores" if pps else "")
        + ". Real time at the default politeness:", "",
        "| component | full backfill |", "|---|---|"]
    for name, sec in sorted(comp.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {_h(sec)} |")
    bound = max(comp.values())
    lines += ["", f"One machine: lower bound **{_h(bound)}** ({max(comp, key=comp.get)}); the "
                  f"`{base.name}` run's wall/lower-bound was {base.ratio:.2f}.", "",
              "| workers (one IP) | lower bound | what bounds it | without the archive |",
              "|---:|---:|---|---:|"]
    for n in WORKERS:
        parts = {k: v / n if k in ("CPU", "global concurrency") else v for k, v in comp.items()}
        name = max(parts, key=parts.get)
        live = max(v for k, v in parts.items() if not k.startswith("archive"))
        lines.append(f"| {n} | {_h(parts[name])} | {name} | {_h(live)} |")
    return lines
