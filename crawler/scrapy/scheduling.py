"""The scheduler's priority queue: Scrapy's DownloaderAwarePriorityQueue, with the slow shared slots served first.

Scrapy's queue hands out requests of the slot with the fewest active downloads, round-robin among ties; requests
waiting out a host's delay inside the downloader count against CONCURRENT_REQUESTS, so while hundreds of live hosts
have work the engine rarely gets round to the web archive's slot, which then idles although its queue is the
longest and it is the slowest way through the crawl. Here the slots named in NEWSARCHIVE_FIRST_SLOTS (the web
archives, the wiki API) get the next request whenever they hold fewer than their concurrency: each keeps a request
ready for the moment its delay allows one, and every other slot is served as Scrapy serves it.
"""

from __future__ import annotations

from scrapy.pqueues import DownloaderAwarePriorityQueue


class SlowSlotsFirstPriorityQueue(DownloaderAwarePriorityQueue):
    def __init__(self, crawler, *args, **kwargs):
        super().__init__(crawler, *args, **kwargs)
        self.first_slots = tuple(crawler.settings.getlist("NEWSARCHIVE_FIRST_SLOTS"))

    def pop(self):
        slot = self._starved_first_slot()
        if slot is None:
            return super().pop()
        queue = self.pqueues[slot]
        request = queue.pop()
        if len(queue) == 0:
            del self.pqueues[slot]
            queue.close()
        return request

    def _starved_first_slot(self) -> str | None:
        """A first slot with requests waiting here and fewer than its concurrency in the downloader."""
        downloader = self._downloader_interface.downloader
        for name in self.first_slots:
            if name not in self.pqueues:
                continue
            slot = downloader.slots.get(name)
            if slot is None or len(slot.active) < slot.concurrency:
                return name
        return None
