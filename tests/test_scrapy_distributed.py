"""Scrapy glue of the distributed mode, without Redis: the worker loop, the shared host gate's download
handler and the leasing scheduler, each against a small fake of the few Redis calls it makes
(tests/test_distributed.py runs workers against a real Redis)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import scrapy
from redis.exceptions import ConnectionError as RedisConnectionError
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy_redis.queue import PriorityQueue

from crawler.distributed import keys
from crawler.distributed.hostgate import HostGate
from crawler.distributed.leases import api_lease_key
from crawler.scrapy import distributed
from crawler.scrapy.distributed import CompatScheduler, SharedHostGateHandler, WorkerLoop, worker_id
from tests.conftest import project_crawler
from tests.test_portal_spider import make_spider

REDIS = "redis://127.0.0.1:9/0"  # never connected to: every client is replaced by a fake before use


class FakeRedis:
    """Lists, sorted-set sizes, hashes and plain keys in memory; the commands the worker loop uses."""

    def __init__(self):
        self.lists: dict[str, list] = {}
        self.zsets: dict[str, int] = {}
        self.hashes: dict[str, dict] = {}
        self.values: dict[str, tuple] = {}  # key -> (value, px)
        self.deleted: list[str] = []

    def hset(self, key, field, value):
        self.hashes.setdefault(key, {})[field] = value

    def hdel(self, key, field):
        self.hashes.get(key, {}).pop(field, None)

    def llen(self, key):
        return len(self.lists.get(key, []))

    def zcard(self, key):
        return self.zsets.get(key, 0)

    def scan_iter(self, match="*", count=None):
        prefix = match.rstrip("*")
        return iter([k for k in [*self.hashes, *self.values] if k.startswith(prefix)])

    def set(self, key, value, px=None):
        self.values[key] = (value, px)

    def delete(self, key):
        self.deleted.append(key)
        self.values.pop(key, None)
        self.hashes.pop(key, None)


class FakeLeases:
    def __init__(self, popped=()):
        self.calls: list = []
        self.popped = list(popped)

    def forget_all(self):
        self.calls.append(("forget_all",))

    def give_up(self, frontier):
        self.calls.append(("give_up", frontier))
        return 2

    def keep_alive(self):
        self.calls.append(("keep_alive",))

    def pop(self, frontier):
        self.calls.append(("pop", frontier))
        return self.popped.pop(0) if self.popped else None

    def hold(self, field, work):
        self.calls.append(("hold", field, work))


# --- WorkerLoop ---------------------------------------------------------------------------------------------


def make_loop(idle_exit=0, seeds=()):
    crawler = project_crawler(NEWSARCHIVE_REDIS_URL=REDIS, NEWSARCHIVE_IDLE_EXIT=idle_exit)
    loop = WorkerLoop.from_crawler(crawler)
    loop.server = FakeRedis()
    crawled = []
    crawler.engine = SimpleNamespace(crawl=crawled.append)
    seeds = list(seeds)
    spider = SimpleNamespace(
        name="portal",
        leases=FakeLeases(),
        seed_requests=lambda limit: [seeds.pop(0) for _ in range(min(limit, len(seeds)))],
    )
    crawler.spider = spider
    return loop, spider, crawled


def test_worker_loop_is_not_configured_without_redis():
    with pytest.raises(NotConfigured):
        WorkerLoop.from_crawler(project_crawler(NEWSARCHIVE_REDIS_URL=""))


def test_an_idle_worker_heartbeats_and_forgets_its_finished_leases():
    loop, spider, _ = make_loop()
    with pytest.raises(DontCloseSpider):
        loop.spider_idle(spider)
    assert worker_id() in loop.server.hashes[keys.ACTIVE]
    assert abs(loop.server.hashes[keys.ACTIVE][worker_id()] - time.time()) < 60
    assert ("forget_all",) in spider.leases.calls


def test_seeds_are_scheduled_and_keep_the_worker_open():
    seeds = [
        scrapy.Request("http://127.0.0.1:9/w/api.php?a=1"),
        scrapy.Request("http://127.0.0.1:9/w/api.php?a=2"),
    ]
    loop, spider, crawled = make_loop(idle_exit=5, seeds=seeds)
    loop.idle_since = time.monotonic() - 60
    with pytest.raises(DontCloseSpider):
        loop.spider_idle(spider)
    assert [r.url for r in crawled] == [
        "http://127.0.0.1:9/w/api.php?a=1",
        "http://127.0.0.1:9/w/api.php?a=2",
    ]
    assert loop.idle_since is None  # work came: the idle clock starts again


@pytest.mark.parametrize("state", ["seeds", "frontier", "leases"])
def test_shared_work_keeps_the_worker_open(state):
    loop, spider, crawled = make_loop(idle_exit=5)
    if state == "seeds":
        loop.server.lists[keys.SEEDS] = [
            '{"kind": "days", "titles": []}'
        ]  # another worker is about to take it
    elif state == "frontier":
        loop.server.zsets[keys.frontier_key("portal")] = 3
    else:
        loop.server.hashes[keys.lease_key("otherhost:42")] = {
            "f": "0\nrequest"
        }  # may come back or yield work
    loop.idle_since = time.monotonic() - 60
    with pytest.raises(DontCloseSpider):
        loop.spider_idle(spider)
    assert loop.idle_since is None
    assert crawled == []


def test_the_worker_closes_once_idle_longer_than_idle_exit():
    loop, spider, _ = make_loop(idle_exit=5)
    with pytest.raises(DontCloseSpider):
        loop.spider_idle(spider)  # the idle clock starts
    assert loop.idle_since is not None
    loop.idle_since -= 4  # 4 s idle: not yet
    with pytest.raises(DontCloseSpider):
        loop.spider_idle(spider)
    loop.idle_since -= 2  # 6 s idle
    assert loop.spider_idle(spider) is None  # the spider may close


def test_without_idle_exit_the_worker_runs_until_stopped():
    loop, spider, _ = make_loop(idle_exit=0)
    loop.idle_since = time.monotonic() - 24 * 3600
    with pytest.raises(DontCloseSpider):
        loop.spider_idle(spider)


def test_a_closing_worker_puts_its_leases_back_and_leaves():
    loop, spider, _ = make_loop()
    loop.server.hset(keys.ACTIVE, worker_id(), 1)
    loop.server.set(keys.busy_key(worker_id()), 1, px=3000)
    loop.spider_closed(spider, "finished")
    assert ("give_up", keys.frontier_key("portal")) in spider.leases.calls
    assert worker_id() not in loop.server.hashes[keys.ACTIVE]
    assert keys.busy_key(worker_id()) in loop.server.deleted


def busy_engine(active=(), idle=True):
    return SimpleNamespace(
        downloader=SimpleNamespace(active=set(active)),
        scraper=SimpleNamespace(slot=SimpleNamespace(is_idle=lambda: idle)),
    )


def test_the_busy_flag_is_set_while_requests_are_in_flight():
    loop, spider, _ = make_loop()
    loop.crawler.engine = busy_engine(active={"a request"})
    loop.mark_busy()
    assert loop.server.values[keys.busy_key(worker_id())] == (1, WorkerLoop.BUSY_TTL_MS)
    assert ("keep_alive",) in spider.leases.calls


def test_the_busy_flag_is_set_while_items_are_in_the_pipelines():
    loop, _spider, _ = make_loop()
    loop.crawler.engine = busy_engine(idle=False)
    loop.mark_busy()
    assert keys.busy_key(worker_id()) in loop.server.values


def test_no_busy_flag_when_idle():
    loop, spider, _ = make_loop()
    loop.crawler.engine = busy_engine()
    loop.mark_busy()
    assert keys.busy_key(worker_id()) not in loop.server.values
    assert ("keep_alive",) in spider.leases.calls  # the worker is alive all the same


# --- SharedHostGateHandler ----------------------------------------------------------------------------------


class FakeInner:
    """Scrapy's HTTP handler: records what it was asked to download."""

    def __init__(self):
        self.downloaded = []
        self.closed = False

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    async def download_request(self, request):
        self.downloaded.append(request.url)
        return Response(request.url, status=200, request=request)

    async def close(self):
        self.closed = True


class FakeGate:
    def __init__(self, wait=0.0, turn=1000, error=None):
        self.wait, self.turn, self.error = wait, turn, error
        self.taken, self.given_back, self.intervals = [], [], []

    def take(self, host, interval=None):
        self.taken.append(host)
        self.intervals.append(interval)
        if self.error:
            raise self.error
        return self.wait, self.turn

    def give_back(self, host, turn, interval=None):
        self.given_back.append((host, turn))
        return True


def make_handler(gate, slots=None):
    crawler = project_crawler()
    crawler.engine = SimpleNamespace(
        downloader=SimpleNamespace(
            get_slot_key=lambda request: request.meta.get("download_slot") or urlsplit(request.url).hostname,
            slots=slots or {},
        )
    )
    return SharedHostGateHandler(crawler, FakeInner(), gate), crawler.stats


@pytest.fixture
def waits(monkeypatch):
    asked = []

    async def sleep(seconds, *args, **kwargs):
        asked.append(seconds)

    monkeypatch.setattr(distributed.asyncio, "sleep", sleep)
    return asked


def test_handler_waits_for_the_hosts_turn(waits):
    gate = FakeGate(wait=0.75, turn=5000)
    handler, stats = make_handler(gate)
    resp = asyncio.run(handler.download_request(scrapy.Request("https://news.example.org/a")))
    assert resp.status == 200
    assert gate.taken == ["news.example.org"]
    assert waits == [0.75]
    assert handler.inner.downloaded == ["https://news.example.org/a"]
    assert stats.get_value("newsarchive/host_gate/waits") == 1
    assert stats.get_value("newsarchive/host_gate/wait_seconds") == 0.75


def test_handler_uses_the_download_slot_as_the_host(waits):
    gate = FakeGate()
    handler, _ = make_handler(gate)
    asyncio.run(
        handler.download_request(
            scrapy.Request("https://web.archive.org/cdx", meta={"download_slot": "wayback"})
        )
    )
    assert gate.taken == ["wayback"]


def test_handler_sends_at_once_when_it_is_the_hosts_turn(waits):
    handler, stats = make_handler(FakeGate(wait=0.0))
    asyncio.run(handler.download_request(scrapy.Request("https://news.example.org/a")))
    assert waits == []
    assert stats.get_value("newsarchive/host_gate/waits") is None
    assert handler.inner.downloaded == ["https://news.example.org/a"]


def test_handler_gives_the_turn_back_when_cancelled():
    gate = FakeGate(wait=3600.0, turn=7777)  # a real asyncio.sleep, cancelled at once
    handler, stats = make_handler(gate)

    async def run():
        task = asyncio.ensure_future(handler.download_request(scrapy.Request("https://news.example.org/a")))
        for _ in range(3):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert gate.given_back == [("news.example.org", 7777)]
    assert handler.inner.downloaded == []  # never sent
    assert stats.get_value("newsarchive/host_gate/turns_given_back") == 1


def test_without_redis_the_request_goes_with_the_workers_own_delays(waits):
    handler, stats = make_handler(FakeGate(error=RedisConnectionError("refused")))
    resp = asyncio.run(handler.download_request(scrapy.Request("https://news.example.org/a")))
    assert resp.status == 200 and waits == []
    assert stats.get_value("newsarchive/host_gate/errors") == 1


def test_handler_without_a_gate_only_downloads(waits):
    handler, _stats = make_handler(None)
    asyncio.run(handler.download_request(scrapy.Request("https://news.example.org/a")))
    assert handler.inner.downloaded == ["https://news.example.org/a"] and waits == []


def test_handler_from_settings(monkeypatch):
    monkeypatch.setattr(SharedHostGateHandler, "INNER", f"{__name__}.FakeInner")
    off = SharedHostGateHandler.from_crawler(
        project_crawler(REDIS_URL=REDIS, NEWSARCHIVE_SHARED_HOST_DELAY=0)
    )
    assert off.gate is None and isinstance(off.inner, FakeInner)
    on = SharedHostGateHandler.from_crawler(
        project_crawler(REDIS_URL=REDIS, NEWSARCHIVE_SHARED_HOST_DELAY=0.4)
    )
    assert isinstance(on.gate, HostGate) and on.gate.interval_ms == 400
    asyncio.run(on.close())
    assert on.inner.closed


# --- CompatScheduler ----------------------------------------------------------------------------------------


class FakeDupefilter:
    def __init__(self, seen=()):
        self.seen = set(seen)

    def request_seen(self, request):
        return request.url in self.seen


class SchedulerRedis(FakeRedis):
    def __init__(self):
        super().__init__()
        self.zadds = []

    def register_script(self, script):
        return lambda keys=(), args=(): None

    def execute_command(self, *args):
        self.zadds.append(args)


@pytest.fixture
def scheduler(tmp_path):
    spider = make_spider(tmp_path)
    sched = CompatScheduler(
        server=SchedulerRedis(),
        persist=True,
        queue_key=keys.REQUESTS,
        queue_cls="scrapy_redis.queue.PriorityQueue",
        dupefilter=FakeDupefilter(),
    )
    sched.stats = spider.crawler.stats
    sched.open(spider)
    return sched, spider


def test_scheduler_opens_the_shared_frontier_and_leases(scheduler):
    sched, spider = scheduler
    assert isinstance(sched.queue, PriorityQueue)
    assert sched.queue.key == "newsarchive:portal:requests"
    assert spider.leases is sched.leases
    assert keys.alive_key(worker_id()) in sched.server.values  # alive from the start


def test_scheduler_filters_seen_requests_unless_dont_filter(scheduler):
    sched, spider = scheduler
    sched.df = FakeDupefilter(seen={"https://news.example.org/a"})
    assert sched.enqueue_request(scrapy.Request("https://news.example.org/a")) is False
    assert sched.enqueue_request(scrapy.Request("https://news.example.org/a", dont_filter=True)) is True
    assert sched.enqueue_request(scrapy.Request("https://news.example.org/b")) is True
    assert len(sched.server.zadds) == 2
    assert spider.crawler.stats.get_value("scheduler/enqueued/redis") == 2


def leased(sched, request, field):
    sched.leases = FakeLeases([(sched.queue._encode_request(request), field)])
    return sched.next_request()


def test_a_source_request_is_leased_for_its_source(scheduler):
    sched, spider = scheduler
    (source,) = spider.sources.for_citations(
        [("https://news.example.org/a", "https://news.example.org/a", "2014-02-13", False)]
    )
    got = leased(sched, source, "f1")
    assert got.url == "https://news.example.org/a" and got.callback == spider.parse_source
    assert ("hold", "f1", "https://news.example.org/a") in sched.leases.calls
    assert spider.crawler.stats.get_value("scheduler/dequeued/redis") == 1


def test_an_api_request_is_leased_for_its_batch(scheduler):
    sched, spider = scheduler
    api = spider._api_request(["Portal:Current events/2014 February 13"], forced=True)
    got = leased(sched, api, "f2")
    assert got.callback == spider.parse_api
    assert ("hold", "f2", api_lease_key(api.meta)) in sched.leases.calls


def test_another_request_is_not_leased(scheduler):
    sched, _spider = scheduler
    leased(sched, scrapy.Request("https://news.example.org/robots.txt"), "f3")
    assert ("hold", "f3", None) in sched.leases.calls


def test_an_empty_frontier_gives_nothing(scheduler):
    sched, spider = scheduler
    sched.leases = FakeLeases([])
    assert sched.next_request() is None
    assert spider.crawler.stats.get_value("scheduler/dequeued/redis") is None


def test_handler_spaces_a_host_by_its_own_slot_delay_when_longer(waits):
    """The archive's 1 s (or a Crawl-delay) holds across all workers, not only the shared 0.25 s."""
    gate = FakeGate()
    handler, _ = make_handler(gate, slots={"wayback": SimpleNamespace(delay=1.0)})
    asyncio.run(handler.download_request(scrapy.Request("https://web.archive.org/web/x", meta={"download_slot": "wayback"})))
    asyncio.run(handler.download_request(scrapy.Request("https://news.example.org/a")))  # no slot yet
    assert gate.intervals == [1.0, None]
