"""Diagnostics: ``newsarchive crawl`` with a part swapped, for A/B measurements and profiles. Never used by the
product; run from the repository root:

    python -m bench.variants VARIANT crawl --from … --to … [crawl options]

- ``stub``: extraction replaced by a constant article — what the crawl costs *besides* extraction (download,
  Scrapy, pool hand-off, storage).
- ``before``: the extraction pipeline as it was before the bench's fixes — workers spawned by the first item
  (blocking the reactor while the forkserver imports the extractors) and the body compressed for storage in the
  reactor thread.

- ``as-is``: nothing swapped (with the profiler below).

``NEWSARCHIVE_CPROFILE=FILE`` profiles the run with cProfile on the reactor thread's CPU clock (pstats file).
"""

from __future__ import annotations

import os
import sys

TEXT = ("The council met on Tuesday to discuss the river flood defences and the budget for the coming year. " * 60)
ARTICLE = {
    "url": None, "title": "A stub article", "authors": ["Ada Writer"], "description": "A stub.", "language": "en",
    "site_name": "Stub", "text": TEXT.strip(), "word_count": len(TEXT.split()), "published": "2026-12-30",
    "published_at": None, "date_source": "meta", "date_confidence": 0.9, "date_flag": None,
    "extractor": "stub", "extractor_version": "stub", "outlet_rule": None, "status": "ok", "error": None,
}


def stub_extract_for_storage(body, url, content_type, event_day, final_url, compress) -> tuple:
    """pipelines.extraction.extract_for_storage without the extraction: a constant article, the body compressed."""
    from crawler.storage.blobs import pack

    return {**ARTICLE, "url": url}, pack(body) if compress else None


def _before(extraction) -> None:
    """Restore the earlier behaviour: lazy worker start, extract_source only (storage compresses)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    def open_spider(self):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["crawler.extract.article"])
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=extraction._warm_up)

    extraction.ExtractionPipeline.open_spider = open_spider
    extraction.ExtractionPipeline.compress = property(lambda self: False, lambda self, value: None)


def main() -> None:
    import pipelines.extraction as extraction

    variant = sys.argv.pop(1)
    if variant == "stub":
        extraction.extract_for_storage = stub_extract_for_storage
    elif variant == "before":
        _before(extraction)
    elif variant != "as-is":
        raise SystemExit(f"unknown variant {variant!r} (stub, before, as-is)")
    from crawler.cli import main as cli

    sys.argv[0] = "newsarchive"
    profile_to = os.environ.get("NEWSARCHIVE_CPROFILE")
    if not profile_to:
        cli()
        return
    import cProfile
    import time

    profiler = cProfile.Profile(time.thread_time)  # CPU of the reactor thread only
    try:
        profiler.runcall(cli, standalone_mode=False)
    finally:
        profiler.dump_stats(profile_to)


if __name__ == "__main__":
    main()
