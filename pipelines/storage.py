"""Item pipeline: writes day pages (and later, fetched sources) to SQLite through crawler.storage."""

from __future__ import annotations

from datetime import timedelta

from scrapy.exceptions import NotConfigured

from crawler.items import DayPage, SourceFetch
from crawler.storage.repo import save_day
from crawler.storage.schema import open_db
from crawler.storage.sources import RetryPolicy, save_source


class StoragePipeline:
    """One SQLite connection, owned by the reactor thread; one transaction per day page."""

    def __init__(self, db_path: str, stats, policy: RetryPolicy = RetryPolicy()):
        self.db_path = db_path
        self.stats = stats
        self.policy = policy
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("NEWSARCHIVE_DB")
        if not path:
            raise NotConfigured("NEWSARCHIVE_DB is empty: storage off")
        s = crawler.settings
        policy = RetryPolicy(base=timedelta(seconds=s.getfloat("NEWSARCHIVE_SOURCE_RETRY_BASE", 3600)),
                             factor=s.getfloat("NEWSARCHIVE_SOURCE_RETRY_FACTOR", 4),
                             max_attempts=s.getint("NEWSARCHIVE_SOURCE_MAX_ATTEMPTS", 5))
        pipeline = cls(path, crawler.stats, policy)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self):
        self.db = open_db(self.db_path)

    def close_spider(self):
        if self.db is not None:
            self.db.close()

    def _maybe_recover(self, item, status: str) -> None:
        """A live page that fetched but held no article (empty, soft 404): look for an archived copy."""
        spider = self.crawler.spider
        if (item.recovered_from or item.status != "fetched" or status not in ("empty_extraction", "soft_404")
                or not getattr(spider, "archive_fallback", False)):
            return
        error = (item.article or {}).get("error")
        self.crawler.engine.crawl(spider.archive_request(item.url, item.event_day, status, error))

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
            status = save_source(self.db, item, item.article, self.policy,
                                 compressed_body=getattr(item, "compressed_body", None))
            if item.status != "archive_miss" and not item.recovered_from:
                self.stats.inc_value("newsarchive/sources/fetched")
                self.stats.inc_value("newsarchive/sources/ok" if status == "ok" else "newsarchive/sources/failed")
            elif item.recovered_from and status == "ok":
                self.stats.inc_value("newsarchive/sources/ok")
                self.stats.inc_value("newsarchive/sources/failed", -1)
            self.stats.inc_value(f"newsarchive/sources/status/{status}")
            if item.recovered_from and status == "ok":
                self.stats.inc_value("newsarchive/sources/recovered")
            self._maybe_recover(item, status)
            item.body = item.compressed_body = None  # free the page; it is stored compressed
        return item
