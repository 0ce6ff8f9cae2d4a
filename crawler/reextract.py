"""``newsarchive reextract``: extraction re-run over stored pages in a process pool, no network."""

from __future__ import annotations

import os
import zlib
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from crawler.sources import extract_source
from crawler.storage.schema import open_db
from crawler.storage.sources import select_for_reextract, update_extraction


def _job(args):
    source_id, html, url, content_type, event_day, final_url = args
    return source_id, extract_source(zlib.decompress(html), url, content_type, event_day, final_url)


def _jobs(db, rows):
    for r in rows:
        html = next(db.query("SELECT html FROM sources WHERE id = ?", [r["id"]]))["html"]
        yield (r["id"], html, r["url"], r["content_type"], r["event_day"], r["final_url"])


def reextract(db_path: str, outlet=None, since=None, statuses=(), workers: int | None = None,
              progress: bool = False) -> dict:
    """Re-extract the selected sources; returns {"total", "by_status"}."""
    db = open_db(db_path)
    rows = select_for_reextract(db, outlet, since, statuses)
    counts: Counter = Counter()
    workers = workers or os.cpu_count() or 1
    bar = None
    if progress:
        from rich.progress import track  # noqa: F401
        from rich.progress import Progress
        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("re-extracting", total=len(rows))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for source_id, result in pool.map(_job, _jobs(db, rows), chunksize=4):
            update_extraction(db, source_id, result)
            counts[result["status"]] += 1
            if bar:
                bar.update(task, advance=1)
    if bar:
        bar.stop()
    db.close()
    return {"total": len(rows), "by_status": dict(counts)}
