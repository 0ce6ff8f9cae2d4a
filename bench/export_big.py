"""Dataset exports of a big archive: time and peak RSS per format (``python bench/export_big.py``).

Builds a synthetic 10-year archive directly through ``crawler.storage`` (``save_day`` / ``save_source``, so the
near-duplicate index is built as a crawl builds it): 30 events a day, every fifth citing two sources (1.2 an
event), event texts of 10–60 words, article texts of a log-normal length around 600 words (words drawn from a
fixed vocabulary), one source in 20 a wire copy of an earlier article with its own first sentence; the sources'
full-text index is left empty (its triggers dropped: no export reads it, and it would double the build). Then runs
``newsarchive export`` once per format as a child process and reads its CPU time and peak RSS from ``wait4``.
Writes the section "Dataset exports of a big archive" of ``bench/results.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = [  # (name, export arguments; {out} is replaced)
    ("jsonl", ["--format", "jsonl", "--out", "{out}/events.jsonl"]),
    ("parquet", ["--format", "parquet", "--out", "{out}/events.parquet"]),
    ("csv", ["--format", "csv", "--out", "{out}/csv"]),
    ("wcep (3 splits)", ["--format", "wcep", "--out", "{out}/wcep", "--split", "train=0.8,validation=0.1,test=0.1"]),
    ("hf (3 splits)", ["--format", "hf", "--out", "{out}/hf", "--split", "train=0.8,validation=0.1,test=0.1"]),
]


def _words(rng: random.Random, n: int) -> int:
    return max(40, min(4000, int(rng.lognormvariate(6.3, 0.55))))  # median ~545, mean ~630


def _generate(rng, vocab, days: list[date], per_day: int, earlier: list[str]):
    """Day pages and (url, body, day) fetches of ``days``; ``earlier`` holds recent bodies to copy from."""
    from crawler.items import DayPage, Entity, Event, SourceRef

    pages, fetches, copies = [], [], 0
    for day in days:
        events = []
        for pos in range(1, per_day + 1):
            text = " ".join(rng.choices(vocab, k=rng.randint(10, 60))) + "."
            refs = []
            for k in range(2 if pos % 5 == 0 else 1):
                url = f"https://outlet{rng.randint(1, 400)}.example/{day.isoformat()}/{pos}-{k}"
                refs.append(SourceRef(url=url, outlet=f"Outlet {k}"))
                if earlier and rng.random() < 0.05:  # a wire copy of a recent article, with its own lead
                    body = " ".join(rng.choices(vocab, k=20)) + ". " + earlier[-rng.randint(1, len(earlier))]
                    copies += 1
                else:
                    body = "\n".join(" ".join(rng.choices(vocab, k=60)) for _ in range(_words(rng, 0) // 60 + 1))
                    earlier.append(body)
                    del earlier[:-500]
                fetches.append((url, body, day))
            events.append(Event(day=day, category="Armed conflicts and attacks", stories=["A story"], text=text,
                                entities=[Entity(title=rng.choice(vocab).title(), label="x")], sources=refs,
                                position=pos))
        pages.append(DayPage(day=day, title=f"Portal:Current events/{day}", status="ok",
                             revision_id=day.toordinal(), revision_timestamp=f"{day}T23:00:00Z", events=events))
    return pages, fetches, copies


def build(path: Path, days: int, per_day: int, seed: int = 7, chunk: int = 10) -> dict:
    """The archive, written as a crawl writes it; signatures computed in a pool of two processes (as the
    crawl's extraction workers do) while the main process stores the previous days."""
    from concurrent.futures import ProcessPoolExecutor

    from crawler.extract.fingerprint import text_signature
    from crawler.items import SourceFetch
    from crawler.storage.days import save_day
    from crawler.storage.schema import open_db
    from crawler.storage.sources import RetryPolicy, save_source

    rng = random.Random(seed)
    vocab = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 10))) for _ in range(20000)]
    policy = RetryPolicy(timedelta(hours=1), 4.0, 5)
    db = open_db(path)
    for trigger in ("sources_ai", "sources_au", "sources_ad"):  # the articles' full-text index stays empty: an
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")       # export never reads it, and it doubles the build
    first = date(2016, 1, 1)
    earlier: list[str] = []
    n_sources = copies = 0
    t0 = time.process_time()

    def store(pages, fetches, sigs):
        nonlocal n_sources
        for page in pages:
            save_day(db, page)
        for (url, body, day), sig in zip(fetches, sigs):
            fetch = SourceFetch(url=url, final_url=url, http_status=200, content_type="text/html",
                                fetched_at=f"{day}T12:00:00+00:00", status="fetched", event_day=day)
            result = {"status": "ok", "error": None, "title": body[:60], "text": body,
                      "word_count": len(body.split()), "published": day.isoformat(), "date_source": "jsonld",
                      "extractor": "synthetic", "extractor_version": "synthetic-1", "minhash": sig,
                      "canonical_url": None}
            save_source(db, fetch, result, policy)
            n_sources += 1

    with ProcessPoolExecutor(2) as pool:
        prev = None
        for lo in range(0, days, chunk):
            span = [first + timedelta(days=d) for d in range(lo, min(days, lo + chunk))]
            pages, fetches, n = _generate(rng, vocab, span, per_day, earlier)
            copies += n
            sigs = pool.map(text_signature, [b for _, b, _ in fetches], chunksize=32)  # starts at once
            if prev:
                store(*prev)
            prev = (pages, fetches, sigs)
        if prev:
            store(*prev)
    groups = db.execute("SELECT COUNT(DISTINCT duplicate_group), COUNT(duplicate_of) FROM sources").fetchone()
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    bands = db.execute("SELECT COUNT(*) FROM source_bands").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"events": events, "sources": n_sources, "copies": copies, "groups": groups[0],
            "duplicates": groups[1], "band_rows": bands, "build_cpu": time.process_time() - t0,
            "db_mb": path.stat().st_size / 2**20}


def run_export(db: Path, args: list[str], out: Path) -> dict:
    cmd = [str(ROOT / ".venv" / "bin" / "newsarchive"), "export", "--db", str(db), "-q"] + \
        [a.format(out=out) for a in args]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"export failed ({status}): {' '.join(cmd)}")
    return {"wall": time.monotonic() - t0, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def _size(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


def write_section(results: Path, facts: dict, rows: list[tuple[str, dict, float]], days: int) -> None:
    lines = ["## Dataset exports of a big archive (`python bench/export_big.py`)", "",
             f"Synthetic archive built through `crawler.storage` ({days:,} days): {facts['events']:,} events, "
             f"{facts['sources']:,} sources ({facts['copies']:,} of them wire copies; {facts['groups']:,} near-"
             f"duplicate groups, {facts['duplicates']:,} sources marked as a copy; {facts['band_rows']:,} LSH band "
             f"rows), {facts['db_mb']:,.0f} MiB; built in {facts['build_cpu']:,.0f} s CPU in the main process "
             "(`save_day`, `save_source` with the grouping; signatures in two worker processes; the articles' "
             "full-text index left empty: exports do not read it).",
             "", "| format | wall s | CPU s | peak RSS MiB | output MiB |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {r['wall']:.0f} | {r['cpu']:.0f} | {r['rss_mb']:.0f} | {size:,.0f} |"
              for name, r, size in rows]
    lines += ["", "Each export is one `newsarchive export` process (CPU and peak RSS from `wait4`); the machine is "
              "shared, so wall time varies more than CPU time.", ""]
    section = "\n".join(lines)
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    text = re.sub(r"## Dataset exports of a big archive.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip()
    results.write_text((text + "\n\n" if text else "") + section, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=3650)
    ap.add_argument("--per-day", type=int, default=30)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/newsarchive-export-bench"))
    ap.add_argument("--keep-db", action="store_true", help="reuse the archive of an earlier run when present")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "big.db"
    facts_file = args.workdir / "facts.json"
    import json

    if args.build_only:  # in a child process: this one stays small, so the exports' peak RSS is theirs alone
        facts_file.write_text(json.dumps(build(db, args.days, args.per_day)))
        return
    if not (args.keep_db and db.exists() and facts_file.exists()):
        for p in args.workdir.glob("big.db*"):
            p.unlink()
        subprocess.run([sys.executable, __file__, "--build-only", "--days", str(args.days), "--per-day",
                        str(args.per_day), "--workdir", str(args.workdir)], check=True)
    facts = json.loads(facts_file.read_text())
    print(facts, flush=True)
    rows = []
    for name, fmt_args in FORMATS:
        out = args.workdir / "out"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        r = run_export(db, fmt_args, out)
        rows.append((name, r, _size(out)))
        print(name, r, flush=True)
    write_section(args.out, facts, rows, args.days)


if __name__ == "__main__":
    main()
