"""`newsarchive report` on a big synthetic archive: its time, CPU and peak memory.

    python bench/report_scale.py [--db output/bench-report.db] [--days 3652] [--rebuild]

Builds (once; again with --rebuild) an archive the size of the 10-year bench crawl — about 110k events and 130k
sources over 3,652 days, 45 KiB a source — by writing rows through crawler.storage (save_day, save_source,
start_run/finish_run) with distributions like the real portal's: ~31 events a day, 0–5 citations an event
(mean 1.35, 12% cite a URL cited in the week before), Zipf-distributed outlets and entities, source outcomes
(79% ok, 6.3% recovered from an archive, 14% failed by reason, 0.5% pending), publication lags clustered on the
event day with long tails, three extractor versions, incompressible stored pages. Entities get the `lat`/`lon`
columns of entity resolution, 35% of them located. Then runs `newsarchive report` on it in a child process and
prints wall time, CPU time and peak RSS (the child's ru_maxrss) as one JSON line per run; odd runs start with
the archive's pages dropped from the page cache (posix_fadvise), even runs with them cached.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.items import DayPage, Entity, Event, SourceFetch, SourceRef  # noqa: E402
from crawler.storage.days import save_day  # noqa: E402
from crawler.storage.runs import finish_run, start_run  # noqa: E402
from crawler.storage.schema import open_db  # noqa: E402
from crawler.storage.sources import RetryPolicy, save_source  # noqa: E402
from scrapy.settings import Settings  # noqa: E402

_PROJECT = Settings()
_PROJECT.setmodule("crawler.settings")
RETRY = RetryPolicy.from_settings(_PROJECT)

START = date(2014, 1, 1)
CATEGORIES = ["Armed conflicts and attacks", "Politics and elections", "International relations",
              "Disasters and accidents", "Law and crime", "Business and economy", "Science and technology",
              "Sports", "Health and environment", "Arts and culture"]
FAILURES = [("http_error", 404, 7.0), ("timeout", None, 2.0), ("dns_error", None, 2.0), ("soft_404", 200, 1.0),
            ("empty_extraction", 200, 1.5), ("robots_denied", None, 0.7)]
VERSIONS = [("trafilatura-2.3.1+na3.r1", 55), ("trafilatura-2.3.1+na2.r1", 30), ("trafilatura-2.2.0+na1.r1", 15)]
DATE_SOURCES = [("jsonld", 0.95, 45), ("meta:article:published_time", 0.93, 30), ("time-element", 0.85, 8),
                ("url", 0.75, 7), ("htmldate", 0.6, 8), ("dateline", 0.7, 2)]


class Zipf:
    """Ranks 0…n-1 drawn with weight 1/(rank+1)^s."""

    def __init__(self, rnd: random.Random, n: int, s: float):
        import itertools

        self.rnd, self.n = rnd, n
        self.cum = list(itertools.accumulate(1 / (k + 1) ** s for k in range(n)))

    def draw(self) -> int:
        import bisect

        return min(bisect.bisect(self.cum, self.rnd.random() * self.cum[-1]), self.n - 1)


def lag(rnd: random.Random) -> int | None:
    x = rnd.random()
    for p, value in ((0.55, 0), (0.20, -1), (0.08, 1)):
        if x < p:
            return value
        x -= p
    if x < 0.07:
        return -rnd.randint(2, 7)
    if x < 0.11:
        return rnd.randint(2, 30)
    if x < 0.14:
        return rnd.choice([-1, 1]) * rnd.randint(31, 900)
    return None


def outcome(rnd: random.Random) -> tuple[str, str | None, int | None]:
    """(status, recovered_from, http_status)."""
    x = rnd.random() * 100
    if x < 79:
        return "ok", None, 200
    if x < 84.5:
        return "ok", "wayback", 200
    if x < 85.3:
        return "ok", "commoncrawl", 200
    if x < 85.8:
        return "pending", None, None
    status, http, _ = rnd.choices(FAILURES, weights=[w for *_, w in FAILURES])[0]
    return status, None, http


def build(path: Path, days: int, seed: int = 110) -> dict:
    rnd = random.Random(seed)
    vocab = [f"w{i}" for i in range(6000)]
    outlets = Zipf(rnd, 4000, 1.1)
    entities = Zipf(rnd, 60000, 1.0)
    db = open_db(path)
    run = start_run(db, "bench", {"synthetic": True, "days": days})
    recent: list[str] = []
    n_events = n_cites = 0
    t0 = time.monotonic()
    for d in range(days):
        day = START + timedelta(days=d)
        x = rnd.random()
        status = "missing" if x < 0.004 else "parse_error" if x < 0.0055 else "api_error" if x < 0.006 else "ok"
        events = []
        if status == "ok":
            for pos in range(1, max(1, int(rnd.gauss(31, 9))) + 1):
                k = rnd.choices([0, 1, 2, 3, 4, 5], [4, 68, 20, 6, 1.5, 0.5])[0]
                refs = []
                for j in range(k):
                    if recent and rnd.random() < 0.12:
                        url = rnd.choice(recent)
                    else:
                        url = f"https://news{rnd.randint(0, 3999)}.example/{day:%Y/%m/%d}/story-{pos}-{j}-{rnd.getrandbits(24)}"
                        recent.append(url)
                    o = outlets.draw()
                    refs.append(SourceRef(url, None if rnd.random() < 0.05 else f"Outlet {o}"))
                ents = {f"Entity {entities.draw()}" for _ in range(1 + min(8, int(rnd.expovariate(1 / 2.5))))}
                events.append(Event(day=day, category=rnd.choice(CATEGORIES), stories=[], position=pos,
                                    text=" ".join(rnd.choices(vocab, k=25)) + f" ({day} #{pos})",
                                    entities=[Entity(t, t) for t in sorted(ents)], sources=refs))
            recent = recent[-300:]
        page = DayPage(day=day, title=f"Portal:Current events/{day:%Y %B} {day.day}", status=status,
                       revision_id=1000 + d if status == "ok" else None, events=events,
                       error="synthetic failure" if status not in ("ok", "missing") else None)
        saved = save_day(db, page, " ".join(rnd.choices(vocab, k=800)) if status == "ok" else None)
        n_events += len(events)
        n_cites += sum(len(e.sources) for e in events)
        with db.atomic():
            for url in dict.fromkeys(saved.source_urls):
                _save_source(db, rnd, url, day, vocab)
    db.execute("ALTER TABLE entities ADD COLUMN lat REAL")  # entity resolution's columns (not migrated yet)
    db.execute("ALTER TABLE entities ADD COLUMN lon REAL")
    with db.atomic():
        for (entity_id,) in db.execute("SELECT id FROM entities").fetchall():
            r = random.Random(entity_id)
            if r.random() < 0.35:
                db.execute("UPDATE entities SET lat = ?, lon = ? WHERE id = ?",
                           [r.uniform(-50, 65), r.uniform(-130, 150), entity_id])
    counts = {"days": days, "events": n_events, "sources_fetched": db["sources"].count}
    finish_run(db, run, "finished", counts)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return {"events": n_events, "citations": n_cites, "sources": counts["sources_fetched"],
            "build_s": round(time.monotonic() - t0, 1), "bytes": path.stat().st_size}


def _save_source(db, rnd: random.Random, url: str, day: date, vocab: list[str]) -> None:
    if next(db.query("SELECT status FROM sources WHERE url = ?", [url]))["status"] != "pending":
        return  # cited again: fetched already
    status, recovered, http = outcome(rnd)
    if status == "pending":
        return
    body = rnd.randbytes(int(rnd.lognormvariate(10.4, 0.4))) if status in ("ok", "soft_404", "empty_extraction") \
        else None  # stored pages are compressed: incompressible bytes of ~33 KiB (median)
    result = None
    if status == "ok":
        shift = lag(rnd)
        source, conf, _ = rnd.choices(DATE_SOURCES, [w for *_, w in DATE_SOURCES])[0]
        published = (day + timedelta(days=shift)).isoformat() if shift is not None else None
        result = {"status": "ok", "title": " ".join(rnd.choices(vocab, k=8)),
                  "text": " ".join(rnd.choices(vocab, k=int(rnd.lognormvariate(6.1, 0.5)))),
                  "published": published, "date_source": source if published else None,
                  "date_confidence": round(min(1.0, max(0.1, rnd.gauss(conf, 0.08))), 2) if published else None,
                  "language": "en", "word_count": 0, "extractor": "trafilatura",
                  "extractor_version": rnd.choices([v for v, _ in VERSIONS], [w for _, w in VERSIONS])[0]}
    elif status in ("soft_404", "empty_extraction"):
        result = {"status": status, "error": "synthetic", "text": "", "extractor": "trafilatura",
                  "extractor_version": VERSIONS[0][0]}
    fetch = SourceFetch(url=url, final_url=url, http_status=http, content_type="text/html", status=status,
                        error=None if status == "ok" else f"synthetic {status}", event_day=day,
                        body=b"<html>" if body else None)  # the stored copy is compressed_body
    if recovered:
        fetch.recovered_from, fetch.archive_url = recovered, f"https://archive.example/{url}"
        fetch.failure = {"failure_status": rnd.choice(["http_error", "dns_error", "timeout", "reported_dead"]),
                         "failure_error": "synthetic"}
    save_source(db, fetch, result, RETRY, compressed_body=body)


def evict(db: Path) -> None:
    """Drop the archive's pages from the OS page cache (this file only): the run reads them from disk."""
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            fd = os.open(path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)


def measure(db: Path, out: Path, cold: bool) -> dict:
    cmd = [str(ROOT / ".venv" / "bin" / "newsarchive"), "report", "--db", str(db), "--out", str(out)]
    if cold:
        evict(db)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    return {"cache": "cold" if cold else "warm", "exit": os.waitstatus_to_exitcode(status), "wall_s": round(wall, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024),
            "page_bytes": out.stat().st_size if out.exists() else None, "stdout": stdout.strip(),
            "stderr": stderr.strip()[-500:]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=ROOT / "output" / "bench-report.db")
    p.add_argument("--out", type=Path, default=ROOT / "output" / "bench-report.html")
    p.add_argument("--days", type=int, default=3652)
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--runs", type=int, default=3, help="report runs to time (cold, then warm)")
    args = p.parse_args(argv)
    built = None
    if args.rebuild or not args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.db) + suffix).unlink(missing_ok=True)
        built = build(args.db, args.days)
        print(json.dumps({"built": built}), flush=True)
    for i in range(args.runs):
        print(json.dumps({"run": i + 1, **measure(args.db, args.out, cold=i % 2 == 0)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
