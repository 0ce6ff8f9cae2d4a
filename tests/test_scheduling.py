"""SlowSlotsFirstPriorityQueue: the web archive's slot (and the wiki API's) get the next request while they hold
fewer than their concurrency; every other slot as Scrapy's DownloaderAwarePriorityQueue serves it."""

from __future__ import annotations

import types

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.squeues import LifoMemoryQueue

from crawler.scrapy.scheduling import SlowSlotsFirstPriorityQueue
from tests.conftest import project_crawler


def make_queue():
    crawler = project_crawler(NEWSARCHIVE_FIRST_SLOTS=["wayback", "wiki-api"])
    crawler.engine = types.SimpleNamespace(downloader=Downloader(crawler))
    return SlowSlotsFirstPriorityQueue.from_crawler(crawler, LifoMemoryQueue, ""), crawler.engine.downloader


def live(n: int) -> list[Request]:
    return [Request(f"https://host{i}.example.org/a") for i in range(n)]


def archive(i: int) -> Request:
    return Request(f"https://web.archive.org/web/2014id_/http://x{i}.example/", meta={"download_slot": "wayback"},
                   priority=-5)


def test_the_archive_slot_is_served_while_it_has_room_then_scrapys_order_resumes():
    queue, downloader = make_queue()
    for request in [*live(6), archive(1), archive(2), archive(3)]:
        queue.push(request)
    # no archive slot yet (nothing sent): it is served first, like a slot with room
    assert queue.pop().meta["download_slot"] == "wayback"
    slot = downloader.slots["wayback"] = Slot(2, 1.0, 0)
    slot.active.add(Request("https://web.archive.org/a"))
    assert queue.pop().meta["download_slot"] == "wayback"  # 1 of 2 active: still room
    slot.active.add(Request("https://web.archive.org/b"))
    popped = queue.pop()  # full: the live hosts' turn, the fewest active first
    assert popped.meta.get("download_slot") != "wayback" and "example.org" in popped.url
    slot.active.clear()
    assert queue.pop().meta["download_slot"] == "wayback"
    rest = [queue.pop() for _ in range(len(queue))]
    assert len(rest) == 5 and not any(r.meta.get("download_slot") == "wayback" for r in rest)
    assert queue.pop() is None
