"""Item pipeline: article extraction in a process pool, so the reactor keeps downloading meanwhile."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from scrapy.exceptions import NotConfigured

from crawler.items import SourceFetch
from crawler.sources import extract_source, one_line


def _warm_up() -> None:
    """Import the extractors once per worker so the first page doesn't pay for it."""
    import crawler.extract.article  # noqa: F401


class ExtractionPipeline:
    """Hands each fetched body to ``crawler.sources.extract_source`` in a worker process."""

    def __init__(self, workers: int, stats):
        self.workers = workers
        self.stats = stats
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("NEWSARCHIVE_FOLLOW_SOURCES", True):
            raise NotConfigured("sources are not followed")
        workers = s.getint("NEWSARCHIVE_EXTRACT_WORKERS", 0) or os.cpu_count() or 1
        return cls(workers, crawler.stats)

    def open_spider(self):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["crawler.extract.article"])
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_warm_up)

    def close_spider(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    async def process_item(self, item):
        if not isinstance(item, SourceFetch) or item.status != "fetched":
            return item
        day = item.event_day.isoformat() if item.event_day else None
        try:
            future = self.pool.submit(extract_source, item.body, item.url, item.content_type, day, item.final_url)
            item.article = await asyncio.wrap_future(future)
        except Exception as err:  # a crashed worker is recorded, the run goes on
            item.article = {"status": "extraction_error", "error": one_line(f"{type(err).__name__}: {err}")}
        self.stats.inc_value("newsarchive/sources/extracted")
        return item
