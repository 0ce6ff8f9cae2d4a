"""Item pipeline of a distributed worker: each item goes to the shared item queue in Redis (the ingest writes it)."""

from __future__ import annotations

from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed import keys
from crawler.distributed.codec import encode_item
from crawler.items import DayPage, SourceFetch


class RedisItemPipeline:
    """Pushes each item, JSON-encoded, to the shared item queue (the ingest is the only writer); a source's item
    ends the lease on its request, an API batch's last day page the lease on the API request."""

    def __init__(self, server, crawler=None):
        self.server = server
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured("not a distributed worker")
        return cls(get_redis_from_settings(crawler.settings), crawler)

    def process_item(self, item):
        # one round trip, all or nothing: the item is queued exactly when its request's lease ends
        pipe = self.server.pipeline(transaction=True)
        pipe.rpush(keys.ITEMS, encode_item(item))
        leases = getattr(getattr(self.crawler, "spider", None), "leases", None)
        if leases is not None and isinstance(item, SourceFetch):
            leases.release(item.url, pipe)
        elif leases is not None and isinstance(item, DayPage):
            leases.delivered(("day", item.title), pipe)
        pipe.execute()
        body = getattr(item, "body", None)
        if body is not None:
            item.body = None
        return item
