"""``make bench``: crawl throughput against the extraction ceiling and a peer, and the 10-year scale curve.

    python bench/run.py [--pages 1000] [--scale-days 3650] [--skip-peer] [--skip-scale] [--out bench/results.md]

Everything runs on this machine against a loopback mirror (bench/mirror.py) serving real pages of
../shared/realdata (read in place) and generated portal day pages. See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.ceiling import mirror_urls, run_ceiling  # noqa: E402
from bench.corpus import bench_pages, real_pages  # noqa: E402
from bench.crawl import BENCH_SETTINGS, deciles, run_crawl  # noqa: E402
from bench.mirror import Mirror, count_requests  # noqa: E402
from bench.site import build_site, check_site, sources_per_day  # noqa: E402


# Event days after every bench page's publication date: the date cascade then works as for a page cited on the
# day it appeared (htmldate only for pages without a date of their own). Days before the pages' dates would make
# every dated page look "later than its event" and send it to htmldate's extensive search (2.6x the CPU).
PAGE_BENCH_FIRST_DAY = date(2027, 1, 1)
SCALE_FIRST_DAY = date(2027, 1, 1)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pages", type=int, default=1000, help="pages of the throughput bench (a, b, c)")
    p.add_argument("--rounds", type=int, default=3,
                   help="(a) and (b) run alternately this many times; the round with the median b/a is reported")
    p.add_argument("--scale-days", type=int, default=3650, help="days of the scale curve (36 pages a day)")
    p.add_argument("--skip-pages", action="store_true", help="skip the throughput bench")
    p.add_argument("--skip-peer", action="store_true", help="skip (c), trafilatura's CLI")
    p.add_argument("--peer-rounds", type=int, default=3,
                   help="(c) runs this many times, spread over the rounds; its median is reported")
    p.add_argument("--skip-scale", action="store_true", help="skip the scale curve")
    p.add_argument("--peer-parallel", type=int, default=0, help="trafilatura --parallel (default 4 × cores)")
    p.add_argument("--workdir", help="scratch directory (default: a new one under the system temp dir)")
    p.add_argument("--out", default=str(ROOT / "bench" / "results.md"), help="results file")
    p.add_argument("--set", "-s", action="append", default=[], metavar="NAME=VALUE",
                   help="extra crawl setting (repeatable)")
    return p.parse_args(argv)


def page_bench(args, work: Path, extra: dict) -> list[str]:
    pool = real_pages()
    site = build_site(work / "pages", bench_pages(args.pages, pool), PAGE_BENCH_FIRST_DAY)
    check_site(site, sample_days=site.days)
    print(f"throughput bench: {len(site.citations):,} pages ({len(pool)} distinct real pages) on {site.days} days")
    rounds: list[report.Round] = []
    peers = []
    n_rounds = max(1, args.rounds)
    peer_rounds = [] if args.skip_peer else spread(n_rounds, max(1, args.peer_rounds))
    with Mirror(site.wiki, site.url_map, work / "pages" / "requests.jsonl") as mirror:
        for k in range(n_rounds):
            print(f"  round {k + 1}/{max(1, args.rounds)}: (a) ceiling …", flush=True)
            ceiling = run_ceiling(site.citations)
            print(f"      {ceiling.pages_per_s:.2f} pages/s ({ceiling.seconds:.1f} s)", flush=True)
            print("  (b) newsarchive crawl …", flush=True)
            mark = mirror.mark()
            crawl = run_crawl(site, mirror, work / "pages" / "bench.db", extra)
            print(f"      {crawl.pages_per_s:.2f} pages/s ({crawl.wall:.1f} s, {crawl.stored} stored)", flush=True)
            rounds.append(report.Round(ceiling, crawl, count_requests(mirror.requests(mark))))
            if crawl.returncode != 0:
                print(crawl.stdout[-2000:])
            for _ in range(peer_rounds.count(k)):
                parallel = args.peer_parallel or 4 * (os.cpu_count() or 1)
                print(f"  (c) trafilatura --parallel {parallel} …", flush=True)
                from bench.peer import run_peer

                peers.append(run_peer(mirror_urls(site.citations, mirror.base), work / "pages", mirror, parallel))
                print(f"      {peers[-1].pages_per_s:.2f} pages/s ({peers[-1].wall:.1f} s)")
    return report.page_section(len(site.citations), rounds, peers, report.machine()["date"])


def spread(rounds: int, runs: int) -> list[int]:
    """The rounds after which (c) runs: ``runs`` of them, first and last included, evenly in between."""
    if runs <= 1:
        return [rounds // 2]
    return [round(i * (rounds - 1) / (runs - 1)) for i in range(runs)]


def scale_bench(args, work: Path, extra: dict) -> list[str]:
    per_day = sources_per_day()
    site = build_site(work / "scale", bench_pages(args.scale_days * per_day), SCALE_FIRST_DAY)
    check_site(site)
    print(f"scale curve: {site.days:,} days, {len(site.citations):,} pages", flush=True)
    with Mirror(site.wiki, site.url_map, work / "scale" / "requests.jsonl") as mirror:
        crawl = run_crawl(site, mirror, work / "scale" / "bench.db", extra, interval=2.0)
        requests = count_requests(mirror.requests())
    if crawl.returncode != 0:
        print(crawl.stdout[-2000:])
    return report.scale_section(site.days, crawl, deciles(crawl.samples, crawl.stored), requests,
                                math.ceil(site.days / 50), report.machine()["date"])


NOTES = [
    "## Notes", "",
    "- Pages: every distinct `*.html.gz` of ../shared/realdata/articles, each under its original URL (AEB/htmldate "
    "json, fundus meta.info, MANIFEST.tsv) or a synthetic unique one; past the pool's end the pool repeats under "
    "`?nabcopy=K` URLs (distinct sources). Served as `text/html` (the page's own charset decides).",
    "- (a) uses the arguments the crawl passes (body, URL, content type, event day) and one task per page, as the "
    "crawl's pool does; the clock starts once the fresh workers have imported the extractors.",
    "- (c) downloads in threads but extracts in its main process, one page at a time: that is trafilatura's "
    "CLI design for URL lists (`--parallel` parallelises downloads only).",
    "- \"other load\": CPU the rest of the machine (other users' jobs) used during the phase, in cores; the "
    "machine has 2 cores, so any other load slows every figure — compare the CPU columns too.",
]


def main(argv=None) -> None:
    args = parse_args(argv)
    extra = dict(pair.split("=", 1) for pair in args.set)
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = report.machine()
    print(f"bench in {work}; {info['nproc']} × {info['cpu']}; load {' '.join(info['load'])}")
    sections: list[str] = []
    t0 = time.time()
    if not args.skip_pages:
        sections += page_bench(args, work, extra)
    if not args.skip_scale and args.scale_days > 0:
        sections += scale_bench(args, work, extra)
    report.write_results(Path(args.out), info, {**BENCH_SETTINGS, **extra}, sections, NOTES)
    print(f"done in {(time.time() - t0) / 60:.1f} min → {args.out}")


if __name__ == "__main__":
    main()
