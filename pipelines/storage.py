"""Item pipeline: writes day pages, fetched sources, entity resolutions and Wikidata answers to the archive
through ``crawler.storage``."""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from crawler.items import DayPage, EntityBatch, SourceFetch, WikidataBatch
from crawler.storage.days import save_day
from crawler.storage.entities import save_resolutions
from crawler.storage.schema import open_db
from crawler.storage.sources import RetryPolicy, save_source
from crawler.storage.wikidata import save_wikidata


class StoragePipeline:
    """One SQLite connection, owned by the reactor thread; one transaction per day page or source.

    A stored source keeps the status the archive holds in ``item.stored_status`` (the spider reads it to decide
    whether to look for an archived copy); its body is freed once stored.
    """

    def __init__(self, db_path: str, stats, policy: RetryPolicy):
        self.db_path = db_path
        self.stats = stats
        self.policy = policy
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("NEWSARCHIVE_DB")
        if not path:
            raise NotConfigured("NEWSARCHIVE_DB is empty: storage off")
        return cls(path, crawler.stats, RetryPolicy.from_settings(crawler.settings))

    def open_spider(self):
        self.db = open_db(self.db_path)

    def close_spider(self):
        if self.db is not None:
            self.db.close()

    def process_item(self, item):
        if isinstance(item, DayPage):
            saved = save_day(self.db, item, item.wikitext)
            status = item.status if item.status in ("ok", "missing") else "failed"
            self.stats.inc_value(f"newsarchive/days/{status}")
            if saved.changed:
                self.stats.inc_value("newsarchive/events", saved.events)
            else:
                self.stats.inc_value("newsarchive/days/unchanged")
        elif isinstance(item, SourceFetch):
            status = save_source(self.db, item, item.article, self.policy, compressed_body=item.compressed_body)
            self._count(item, status)
            item.stored_status = status
            item.body = item.compressed_body = None  # free the page; it is stored compressed
        elif isinstance(item, EntityBatch):
            for status, n in save_resolutions(self.db, item).items():
                self.stats.inc_value(f"newsarchive/entities/status/{status}", n)
        elif isinstance(item, WikidataBatch):
            for status, n in save_wikidata(self.db, item).items():
                self.stats.inc_value(f"newsarchive/wikidata/status/{status}", n)
        return item

    def _count(self, item: SourceFetch, status: str) -> None:
        """Live fetches count as fetched, ok or failed; a recovered capture counts as ok, and takes back the failed
        count of the live fetch it stands in for (a {{Dead link}} or a cited capture had none)."""
        inc = self.stats.inc_value
        if item.status != "archive_miss" and not item.recovered_from:
            inc("newsarchive/sources/fetched")
            inc("newsarchive/sources/ok" if status == "ok" else "newsarchive/sources/failed")
        elif item.recovered_from and status == "ok":
            inc("newsarchive/sources/ok")
            inc("newsarchive/sources/recovered")
            if (item.failure or {}).get("after_live_failure"):
                inc("newsarchive/sources/failed", -1)
        inc(f"newsarchive/sources/status/{status}")
