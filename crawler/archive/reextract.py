"""``newsarchive reextract``: extraction re-run over stored pages (WARC record or stored copy), no network."""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from crawler.extract.fetched import extract_source
from crawler.storage.schema import open_db
from crawler.storage.sources import select_for_reextract, update_extraction
from crawler.warc.bodies import source_body

CHUNK = 64  # sources in flight at once: memory stays flat on large archives


def _job(args):
    source_id, body, url, content_type, event_day, final_url = args
    return source_id, extract_source(body, url, content_type, event_day, final_url)


def reextract(db_path: str, outlet=None, since=None, statuses=(), warc_dirs=(), workers: int | None = None,
              progress: bool = False) -> dict:
    """Re-extract the selected sources with the current extractor; returns {"total", "by_status"}."""
    db = open_db(db_path)
    rows = select_for_reextract(db, outlet, since, statuses)
    counts: Counter = Counter()
    bar = task = None
    if progress:
        from rich.progress import Progress

        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("re-extracting", total=len(rows))
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for i in range(0, len(rows), CHUNK):
            jobs = [(r["id"], source_body(db, r["id"], warc_dirs)[0] or b"", r["url"], r["content_type"],
                     r["event_day"], r["final_url"]) for r in rows[i : i + CHUNK]]
            for source_id, result in pool.map(_job, jobs):
                update_extraction(db, source_id, result)
                counts[result["status"]] += 1
                if bar:
                    bar.update(task, advance=1)
    if bar:
        bar.stop()
    db.close()
    return {"total": len(rows), "by_status": dict(counts)}
