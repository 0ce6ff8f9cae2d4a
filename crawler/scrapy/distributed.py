"""Scrapy glue of the distributed mode: scrapy-redis shims for Scrapy 2.19, the shared per-host gate's download
handler, the worker loop (seeds, heartbeats, busy flag), leases on the requests it takes. The item pipeline that
pushes items to Redis is ``pipelines.redis``.

scrapy-redis 0.9.1 predates Scrapy 2.16: its scheduler passes ``spider=`` to ``StatsCollector.inc_value`` and
calls ``Spider.log``; its RedisPipeline takes a spider argument and returns a Deferred. The subclasses here keep
its queue and dupefilter and drop those calls, so no deprecation warning is left in the logs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

import redis
from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed import keys
from crawler.distributed.leases import Leases, api_lease_key

logger = logging.getLogger(__name__)


class RedisClient(redis.Redis):
    """redis-py's client as scrapy-redis builds it (``REDIS_PARAMS["redis_cls"]``), without the ``retry_on_timeout``
    argument scrapy-redis 0.9.1 passes: redis-py 6 deprecates it and retries timeouts by default."""

    def __init__(self, *args, retry_on_timeout=None, **kwargs):
        super().__init__(*args, **kwargs)

    @classmethod
    def from_url(cls, url, **kwargs):
        kwargs.pop("retry_on_timeout", None)
        return super().from_url(url, **kwargs)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class CompatScheduler(Scheduler):
    """scrapy-redis Scheduler without the calls Scrapy 2.19 deprecates, whose source and API requests are leased
    (``crawler.distributed.leases``; ``spider.leases``) until their items are out."""

    def open(self, spider):
        self.spider = spider
        self.queue = self._load_queue(spider)
        spider.leases = self.leases = Leases(self.server, worker_id())
        self.leases.keep_alive()
        if not self.df:
            from scrapy.utils.misc import load_object

            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            logger.info("Resuming crawl (%d requests in the shared frontier)", len(self.queue))

    def _load_queue(self, spider):
        from scrapy.utils.misc import load_object

        return load_object(self.queue_cls)(server=self.server, spider=spider,
                                           key=self.queue_key % {"spider": spider.name}, serializer=self.serializer)

    def enqueue_request(self, request):
        if not request.dont_filter and self.df.request_seen(request):
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        if isinstance(self.queue, PriorityQueue):
            got = self.leases.pop(self.queue.key)
            request = self.queue._decode_request(got[0]) if got else None
            if request is not None:
                meta = request.meta
                work = meta.get("source_url") or (api_lease_key(meta) if "titles" in meta else None)
                self.leases.hold(got[1], work)
        else:  # another queue class: no leases
            request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class SharedHostGateHandler:
    """HTTP(S) download handler of a distributed worker: Scrapy's own, after the host's turn in the shared gate
    (``crawler.distributed.hostgate``), so all workers together leave NEWSARCHIVE_SHARED_HOST_DELAY seconds — or
    the host's own slot delay when longer (the web archives', a robots.txt Crawl-delay) — between two requests to
    one host (download slot); 0 turns the gate off.

    The turn is taken here, not in a downloader middleware, because here the request already holds its place in
    this worker's per-host concurrency: it goes out as soon as its turn comes, so turns are not spent by requests
    that then queue behind the worker's own limits. If Redis cannot be asked, the request goes out with only the
    worker's own delays (counted in ``newsarchive/host_gate/errors``).
    """

    lazy = False
    INNER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"

    def __init__(self, crawler, inner, gate):
        self.crawler, self.inner, self.gate = crawler, inner, gate

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.utils.misc import build_from_crawler, load_object

        from crawler.distributed.hostgate import HostGate

        inner = build_from_crawler(load_object(cls.INNER), crawler)
        delay = crawler.settings.getfloat("NEWSARCHIVE_SHARED_HOST_DELAY")
        gate = HostGate(get_redis_from_settings(crawler.settings), delay) if delay > 0 else None
        return cls(crawler, inner, gate)

    async def download_request(self, request):
        if self.gate is not None:
            stats = self.crawler.stats
            downloader = self.crawler.engine.downloader
            host = downloader.get_slot_key(request)
            slot = downloader.slots.get(host)
            interval = slot.delay if slot is not None else None
            try:
                wait, turn = self.gate.take(host, interval)
            except RedisError as err:
                stats.inc_value("newsarchive/host_gate/errors")
                logger.warning("host gate unavailable (%s): %s goes out with this worker's delays only",
                               err, request.url)
                wait = 0.0
            if wait > 0:
                stats.inc_value("newsarchive/host_gate/waits")
                stats.inc_value("newsarchive/host_gate/wait_seconds", round(wait, 3))
                try:
                    await asyncio.sleep(wait)
                except asyncio.CancelledError:  # never sent (shutdown, timeout): the turn is not spent
                    self._give_back(host, turn, interval)
                    raise
        return await self.inner.download_request(request)

    def _give_back(self, host: str, turn: int, interval: float | None = None) -> None:
        try:
            if self.gate.give_back(host, turn, interval):
                self.crawler.stats.inc_value("newsarchive/host_gate/turns_given_back")
        except RedisError as err:
            logger.warning("could not give back a host-gate turn (%s)", err)

    async def close(self) -> None:
        await self.inner.close()


class WorkerLoop:
    """Keeps a worker alive: pulls seeds when idle, heartbeats, and closes after ``--idle-exit`` seconds of a
    shared frontier, seed list and item queue that stayed empty (NEWSARCHIVE_IDLE_EXIT; 0 = run until stopped).

    While requests or items are in flight here, ``newsarchive:workers:busy:<id>`` exists (renewed every second,
    expiring after BUSY_TTL_MS): the ingest does not take empty queues for finished work while a live worker
    still holds some, and a killed worker's flag lapses on its own.
    """

    BUSY_TTL_MS = 3000

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.idle_exit = crawler.settings.getfloat("NEWSARCHIVE_IDLE_EXIT")
        self.worker_id = worker_id()
        self.idle_since: float | None = None
        self._beat = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        from twisted.internet.task import LoopingCall

        self._beat = LoopingCall(self.mark_busy)
        self._beat.start(1.0, now=True)

    def mark_busy(self) -> None:
        """Renew the alive key, and the busy flag while the downloader or the scraper (spider, pipelines) holds
        work."""
        leases = getattr(self.crawler.spider, "leases", None)
        if leases is not None:
            try:
                leases.keep_alive()
            except Exception as err:  # Redis away: the key lapses, the ingest puts the leases back (duplicates)
                logger.warning("could not renew the alive key: %s", err)
        engine = self.crawler.engine
        if engine is None or engine.scraper.slot is None:
            return
        if engine.downloader.active or not engine.scraper.slot.is_idle():
            try:
                self.server.set(keys.busy_key(self.worker_id), 1, px=self.BUSY_TTL_MS)
            except Exception as err:  # Redis away: the flag lapses, the ingest may re-seed (duplicates only)
                logger.warning("could not renew the busy flag: %s", err)

    def spider_idle(self, spider):
        self.server.hset(keys.ACTIVE, self.worker_id, int(time.time()))
        if getattr(spider, "leases", None) is not None:
            spider.leases.forget_all()
        scheduled = 0
        for request in spider.seed_requests(limit=20):
            self.crawler.engine.crawl(request)
            scheduled += 1
        if scheduled:
            self.idle_since = None
            raise DontCloseSpider
        busy = self.server.llen(keys.SEEDS) + self.server.zcard(keys.frontier_key(spider.name))
        # another worker's leased requests may come back (it stops) or yield new work (its days' sources)
        busy = busy or next(self.server.scan_iter(match=f"{keys.LEASES}:*", count=1000), None) is not None
        if busy:
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        self.idle_since = self.idle_since or now
        if self.idle_exit and now - self.idle_since >= self.idle_exit:
            logger.info("frontier and seeds empty for %.0fs: worker exits", now - self.idle_since)
            return
        raise DontCloseSpider

    def spider_closed(self, spider, reason):
        if self._beat is not None and self._beat.running:
            self._beat.stop()
        leases = getattr(spider, "leases", None)
        if leases is not None:
            back = leases.give_up(keys.frontier_key(spider.name))
            if back:
                logger.info("%d leased requests put back in the shared frontier", back)
        self.server.hdel(keys.ACTIVE, self.worker_id)
        self.server.delete(keys.busy_key(self.worker_id))


def redis_settings(url: str, idle_exit: float = 0) -> dict:
    """Scrapy settings that turn a crawl into a distributed worker."""
    return {
        "NEWSARCHIVE_REDIS_URL": url,
        "REDIS_URL": url,
        "NEWSARCHIVE_IDLE_EXIT": idle_exit,
        "SCHEDULER": "crawler.scrapy.distributed.CompatScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": keys.REQUESTS,
        "SCHEDULER_DUPEFILTER_KEY": keys.DUPEFILTER,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        "ITEM_PIPELINES": {"pipelines.extraction.ExtractionPipeline": 500,
                           "pipelines.redis.RedisItemPipeline": 800},
        "EXTENSIONS": {"crawler.scrapy.distributed.WorkerLoop": 500},
        "DOWNLOAD_HANDLERS": {"http": "crawler.scrapy.distributed.SharedHostGateHandler",
                              "https": "crawler.scrapy.distributed.SharedHostGateHandler"},
    }

