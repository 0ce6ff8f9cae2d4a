"""``make bench-backfill``: a backfill against a simulated web, wall time against what politeness allows.

    python -m bench.backfill [--sources 20500] [--hosts 1100] [--first 2014-01-01] [--scale 10]
                             [--variant NAME:CRAWL-OPTIONS …] [--skip-default] [--out FILE] [--no-write]

Builds the web (bench/backfill/world.py) from the real day pages' citation hosts, serves it on 127.0.0.1, runs
``newsarchive crawl`` over it once per variant (fresh database and servers each time), and prints each run's
details and, last, one line: ``backfill: wall/lower-bound R, archive requests per recovered source A, provoked
429 N, lost L, peak RSS M MiB`` (of the first variant). See bench/README.md.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report as bench_report  # noqa: E402
from bench.backfill import facts  # noqa: E402
from bench.backfill.analyse import add_database, analyse, politeness  # noqa: E402
from bench.backfill.crawl import run_crawl, scaled_args  # noqa: E402
from bench.backfill.hosts import read_sample, scaled_hosts  # noqa: E402
from bench.backfill.project import projection  # noqa: E402
from bench.backfill.report import SECTION, Outcome, comparison, details, figure_line, write_section  # noqa: E402
from bench.backfill.world import build_world, check_world  # noqa: E402

AS_OF = date(2026, 12, 1)  # the day the simulated web is seen on (link ages count to it)
READING = [
    "### Reading the figures", "",
    "- The lower bound is what the crawl's own settings allow for the requests it made (and the web's stated "
    "limits for the requests answered): wall/lower-bound ≥ 1 for a crawl that keeps its politeness; below 1 "
    "the crawl went faster than its settings allow (archive requests closer than NEWSARCHIVE_WAYBACK_DELAY).",
    "- Archive requests per recovered source count every request that reached the Wayback stand-in (CDX "
    "queries, captures, timestamp redirects, the ones answered 429); refused connections during a block "
    "never reach it and are not counted.",
    "- Lost: sources of the simulated web without a final status in the database — not in it at all (their "
    "day page was not read before the crawl ended) or still `pending`.",
    "- The time scale compresses delays, not CPU: the crawl's own costs per request (~10 ms of reactor, a "
    "refused connection ~0.05–0.1 s in Scrapy) weigh ×scale more in simulated time, and a crawl that spends "
    "its time on refused attempts looks slower than it would at ×1. At ×20 a host's 0.125 s minimum gap is "
    "6 ms of real time, within the send jitter of a busy process, so the per-host interval counts here are "
    "indicative; tests/test_backfill_sim.py checks intervals at ×2.",
    "- Arrival times are taken at the server. A request the crawler released on time but sent late (its "
    "reactor busy, its process descheduled on this shared machine) arrives close to the next one; such "
    "isolated late sends are counted apart from breaches (bench.backfill.analyse.interval_breaches).", ""]


def parse_variant(text: str) -> tuple[str, list[str]]:
    """``name:-s A=1 -s B=2`` → (name, ["-s", "A=1", "-s", "B=2"]); ``--web-no-block`` and
    ``--web-cdx-per-minute=N`` among the options change the simulated archive for this variant only."""
    name, sep, rest = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--variant wants NAME:CRAWL-OPTIONS, got {text!r}")
    return name.strip(), shlex.split(rest)


def web_options(args: list[str], cdx_per_minute: float, block: bool) -> tuple[list[str], float, bool, list[str]]:
    """(crawl options, CDX limit, block, other options of the simulated web) of a variant: its --web-* options
    taken out and applied (``--web-direct-nearest``: the archive answers a timestamp with the nearest capture
    itself, as pywb does, instead of redirecting to it)."""
    crawl, web = [], []
    for arg in args:
        if arg == "--web-no-block":
            block = False
        elif arg.startswith("--web-cdx-per-minute="):
            cdx_per_minute = float(arg.split("=", 1)[1])
        elif arg == "--web-direct-nearest":
            web.append("--direct-nearest")
        else:
            crawl.append(arg)
    return crawl, cdx_per_minute, block, web


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sources", type=int, default=20_500, help="cited sources of the simulated backfill")
    p.add_argument("--hosts", type=int, default=1_100, help="hosts they are spread over")
    p.add_argument("--first", type=date.fromisoformat, default=date(2014, 1, 1), help="first simulated day")
    p.add_argument("--as-of", type=date.fromisoformat, default=AS_OF, help="the day link ages count to")
    p.add_argument("--scale", type=float, default=10.0,
                   help="time-scale factor: every delay on both sides is divided by it")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--variant", action="append", type=parse_variant, default=[], metavar="NAME:OPTIONS",
                   help="a crawl to compare (repeatable): extra `newsarchive crawl` options, delays in "
                        "simulated seconds, e.g. 'dapq:-s SCHEDULER_PRIORITY_QUEUE=scrapy.pqueues."
                        "DownloaderAwarePriorityQueue'; --web-no-block / --web-cdx-per-minute=N among them "
                        "change the archive for that crawl")
    p.add_argument("--skip-default", action="store_true", help="run only the --variant crawls")
    p.add_argument("--cdx-per-minute", type=float, default=facts.CDX_PER_MINUTE,
                   help="the archive's CDX limit (60 was the 2023 figure)")
    p.add_argument("--no-archive-block", action="store_true",
                   help="the archive answers 429s but never blocks")
    p.add_argument("--max-minutes", type=float, default=40,
                   help="stop a crawl (SIGINT) after this many measured minutes")
    p.add_argument("--workdir", help="scratch directory (default: a new one under the system temp dir)")
    p.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    p.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md alone")
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers and the crawl on the way out
    started = time.time()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="newsarchive-backfill-"))
    info = bench_report.machine()
    sample = read_sample()
    shares = scaled_hosts(sample.hosts, args.hosts)
    world = build_world(work / "web", shares, args.sources, args.first, args.as_of, sample.events_per_day,
                        dict(sample.citations_per_event), sample.wrapped_share, sample.marked_dead_share,
                        args.seed)
    check_world(world)
    n = len(world.sources)
    dead = sum(1 for s in world.sources if s.fate != "live")
    top = ", ".join(f"{h} {w:.1%}" for h, w in shares.hosts[:4])
    scaled = ", ".join(f"{name} {a}→{b}" for name, (a, b) in scaled_args([], args.scale)[2].items())
    head = [f"simulated web: {n:,} sources over {len(world.hosts):,} hosts, {world.days} day pages "
            f"({world.first} … {world.last}), seen on {world.as_of}; dead {dead:,} ({dead / n:.0%}), "
            f"recoverable {sum(s.recoverable for s in world.sources):,}; top hosts {top}; tail Zipf exponent "
            f"{shares.exponent:.2f} fitted on the {shares.head} hosts cited twice or more in {sample.pages} "
            f"real day pages ({sample.citations} citations)",
            f"time scale ×{args.scale:g}: server latencies, Retry-After, rate-limit windows and block "
            f"durations are divided by {args.scale:g}, and so are the crawl's delays: {scaled}; "
            "DOWNLOAD_TIMEOUT is not (nothing here makes the crawl wait for it), nor is CPU: all durations "
            "below are simulated seconds (measured × the factor) unless marked measured",
            f"archive model: CDX {args.cdx_per_minute:g}/min, block "
            + ("off" if args.no_archive_block else "on"),
            "modelled (value — source):", *facts.fact_lines()]
    print(f"backfill bench in {work}; {info['nproc']} × {info['cpu']}; load {' '.join(info['load'])}")
    for line in head:
        print(line)
    variants = ([] if args.skip_default else [("default", [])]) + args.variant
    outcomes: list[Outcome] = []
    for name, extra in variants:
        print(f"\n[{name}] newsarchive crawl {' '.join(extra) or '(default settings)'} …", flush=True)
        crawl_args, cdx_pm, block, web = web_options(extra, args.cdx_per_minute, not args.no_archive_block)
        run = run_crawl(world, work / name, crawl_args, args.scale, cdx_pm, block, args.max_minutes * 60, web=web)
        _, overrides, _ = scaled_args(crawl_args, args.scale)
        pol = politeness(overrides)
        result = analyse(run.entries, pol, args.scale, world.hosts, cdx_pm, run.api_requests)
        add_database(result, work / name / "archive.db", world.sources)
        outcome = Outcome(name, extra, run, result, pol, args.scale, cdx_pm)
        outcomes.append(outcome)
        if run.returncode not in (0, None) or run.capped:
            print(run.output[-1500:])
        for line in details(outcome):
            print("  " + line)
        print("  " + figure_line(outcome), flush=True)
    if not outcomes:
        raise SystemExit("no crawl to run (--skip-default without --variant)")
    table = comparison(outcomes)
    if len(outcomes) > 1:
        print()
        for row in table:
            print(row)
    minutes = (time.time() - started) / 60
    if not args.no_write:
        section = [f"{SECTION} (run {info['date']}, {minutes:.0f} min, time scale ×{args.scale:g})", "",
                   f"`make bench-backfill` on {info['nproc']} × {info['cpu']}, load at the start "
                   f"{' '.join(info['load'])}. One line per crawl; durations in simulated seconds.", "",
                   *[f"- {line}" for line in head if not line.startswith("- ")],
                   *[f"  {line}" for line in head if line.startswith("- ")], "", *table, ""]
        for o in outcomes:
            bullets = [f"  - {line.strip()}" if line.startswith("  ") else f"- {line}" for line in details(o)]
            section += [f"### `{o.name}`: {' '.join(o.args) or 'default settings'}", "", *bullets,
                        f"- `{figure_line(o)}`", ""]
        section += ["### Projection: a full backfill", "",
                    *projection(outcomes, world, sample, Path(args.out)), "", *READING]
        write_section(Path(args.out), section)
        print(f"\nresults → {args.out}")
    print(f"done in {minutes:.1f} min")
    print(figure_line(outcomes[0]))


if __name__ == "__main__":
    main()
