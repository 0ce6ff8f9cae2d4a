"""Item pipeline: article extraction in a process pool, so the reactor keeps downloading meanwhile.

The workers also compress the body for storage (``crawler.storage.blobs.pack``), so the reactor
thread does neither. The pool is started when the spider opens, from a helper thread: starting the forkserver
(which imports the extractors) takes seconds, and the first worker would otherwise be spawned by the first
item — blocking the reactor meanwhile. Each worker then runs one extraction of a small built-in page, so the
extractors' lazy imports and first-use set-up happen while the portal is being read, not on the first sources.

This module stays light (no Scrapy import at module level): the workers import it to run ``extract_for_storage``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from crawler.items import SourceFetch
from crawler.extract.fetched import extract_source
from crawler.net.failures import one_line
from crawler.storage.blobs import pack

PRELOAD = ["crawler.extract.article", "pipelines.extraction"]
# No date in its markup or URL: the date cascade goes all the way to htmldate (the slowest first use).
_PRIMER = ("<html lang='en'><head><title>Council approves the river flood plan</title></head><body><article>"
           "<h1>Council approves the river flood plan</h1>"
           + "<p>The city council approved the river flood defence plan after a long debate on its cost and on "
             "the houses it protects, and work is to start next spring, officials said on Tuesday.</p>" * 6
           + "</article></body></html>").encode()


def forkserver_context():
    """The pool's multiprocessing context: a forkserver that has imported the extractors (``PRELOAD``)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_forkserver() -> None:
    """Start the pool's forkserver now, in the background: the command calls this before Scrapy is imported, so
    the forkserver imports the extractors on another core meanwhile, not when the spider opens.
    Returns at once; the pool built later forks its workers from this server."""
    from multiprocessing import forkserver

    forkserver_context()
    try:
        forkserver.ensure_running()
    except OSError:  # the pool tries again when the spider opens, and records what fails
        pass


def _warm_up() -> None:
    """Import the extractors once per worker so the first page doesn't pay for it."""
    import crawler.extract.article  # noqa: F401


def _prime() -> int:
    """A first extraction in this worker (lazy imports, first-use tables, htmldate's English dateparser);
    returns the pid."""
    from crawler.extract.htmldate_languages import warm_up

    extract_source(_PRIMER, "https://primer.invalid/news/council-flood-plan", "text/html", "2014-02-13")
    warm_up(("en",))
    return os.getpid()


def extract_for_storage(body: bytes, url: str, content_type: str | None, event_day: str | None,
                        final_url: str | None, compress: bool) -> tuple[dict, bytes | None]:
    """Worker side: ``extract_source``'s result, and the body compressed as storage keeps it (None: no storage)."""
    article = extract_source(body, url, content_type, event_day, final_url)
    return article, pack(body) if compress else None


class ExtractionPipeline:
    """Hands each fetched body to ``crawler.extract.fetched.extract_source`` in a worker process; the result goes
    in ``item.article`` (and the compressed body in ``item.compressed_body`` when the archive will keep it)."""

    def __init__(self, workers: int, stats, compress: bool = True):
        self.workers = workers
        self.stats = stats
        self.compress = compress  # the storage pipeline will keep the body (not in a distributed worker)
        self.pool: ProcessPoolExecutor | None = None
        self._starter: threading.Thread | None = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        s = crawler.settings
        if not s.getbool("NEWSARCHIVE_FOLLOW_SOURCES"):
            raise NotConfigured("sources are not followed")
        workers = s.getint("NEWSARCHIVE_EXTRACT_WORKERS") or os.cpu_count() or 1
        return cls(workers, crawler.stats, compress=bool(s.get("NEWSARCHIVE_DB")))

    def open_spider(self):
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=forkserver_context(),
                                        initializer=_warm_up)
        self._starter = threading.Thread(target=self._start_workers, name="extraction-pool-start", daemon=True)
        self._starter.start()

    def _start_workers(self) -> None:
        """Spawn every worker now (one task each: the pool spawns a worker per task while none is idle)."""
        try:
            for future in [self.pool.submit(_prime) for _ in range(self.workers)]:
                future.exception()
        except Exception:  # a broken pool shows on the first item, which records it
            pass

    def close_spider(self):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)  # a start still under way stops here
        if self._starter is not None:
            self._starter.join()

    async def process_item(self, item):
        if not isinstance(item, SourceFetch) or item.status != "fetched":
            return item
        day = item.event_day.isoformat() if item.event_day else None
        try:
            future = self.pool.submit(extract_for_storage, item.body, item.url, item.content_type, day,
                                      item.final_url, self.compress)
            item.article, item.compressed_body = await asyncio.wrap_future(future)
        except Exception as err:  # a crashed worker is recorded, the run goes on
            item.article = {"status": "extraction_error", "error": one_line(f"{type(err).__name__}: {err}")}
        self.stats.inc_value("newsarchive/sources/extracted")
        return item
