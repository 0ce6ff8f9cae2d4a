"""Spider ``portal``: day pages of Wikipedia's Current Events portal through the MediaWiki API, and their sources.

Thin glue: titles, API answers and wikitext are handled by ``crawler.portal``; cited sources and their recovery
from web archives by ``crawler.scrapy.source_requests`` (over the state machine ``crawler.net.recovery``); the
resolution of the days' entities (and their Wikidata items) by ``crawler.scrapy.entity_requests``.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from datetime import date, datetime, timezone

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from scrapy.downloadermiddlewares.retry import get_retry_request

from crawler.distributed.leases import api_lease_key
from crawler.items import DayPage, SourceFetch
from crawler.net.failures import one_line
from crawler.net.politeness import retry_after_seconds
from crawler.portal.api import ApiError, read_query, revisions_url
from crawler.portal.errors import PortalParseError
from crawler.portal.titles import day_title, iter_days, title_day
from crawler.portal.wikitext import parse_wikitext
from crawler.scrapy.config import finalize_settings
from crawler.scrapy.entity_requests import EntityRequests
from crawler.scrapy.source_requests import SourceRequests, archives_from_settings, citations
from crawler.storage.schema import open_db
from crawler.storage.sources import due_sources, sources_to_fetch


def parse_day_arg(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise NotConfigured(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def _day_or_last(title: str) -> date:
    """The day of a requested title, for sorting (a title that is no day title sorts last)."""
    try:
        return title_day(title)
    except ValueError:
        return date.max


class PortalSpider(scrapy.Spider):
    """Day pages in batches of up to 50 titles per API request, one request at a time; each day page becomes a
    ``DayPage`` item, and each newly cited source a request (``SourceRequests``)."""

    name = "portal"

    @classmethod
    def update_settings(cls, settings) -> None:
        """The project's derived settings, the same for ``scrapy crawl portal`` and ``newsarchive crawl``."""
        super().update_settings(settings)
        finalize_settings(settings)

    def __init__(self, start: str | None = None, end: str | None = None, date: str | None = None,
                 days: str | None = None, worker: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self._batches: deque = deque()
        self._held_batch = False
        self._days_done = False  # no more day pages to read: the last partial batch of titles may go
        self._db = None
        self.leases = None  # a distributed worker's leases (set by its scheduler, crawler.scrapy.distributed)
        self.redis = None
        if worker:  # a distributed worker: its work comes from the shared seeds and frontier
            self.days = []
        elif days:
            self.days = [parse_day_arg(d, "days") for d in days.split(",") if d.strip()]
        else:
            start = start or date
            end = end or date or start
            if not start:
                raise NotConfigured("give -a start=YYYY-MM-DD [-a end=YYYY-MM-DD] or -a date=YYYY-MM-DD")
            first, last = parse_day_arg(start, "start"), parse_day_arg(end, "end")
            if last < first:
                raise NotConfigured(f"end {last} is before start {first}")
            self.days = list(iter_days(first, last))

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.api = s.get("NEWSARCHIVE_WIKI_API")
        spider.maxlag = s.getint("NEWSARCHIVE_MAXLAG")
        spider.per_request = max(1, min(50, s.getint("NEWSARCHIVE_TITLES_PER_REQUEST")))
        spider.api_retries = s.getint("NEWSARCHIVE_API_RETRIES")
        spider.max_wait = s.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")
        spider.follow_sources = s.getbool("NEWSARCHIVE_FOLLOW_SOURCES")
        spider.db_path = s.get("NEWSARCHIVE_DB")
        spider.retry_due = s.getbool("NEWSARCHIVE_RETRY_DUE_SOURCES")
        spider.refetch_ok = s.getbool("NEWSARCHIVE_REFETCH_OK_SOURCES")
        # Backfills: the next batch of days is asked for only while fewer than this many requests wait in the
        # scheduler, so memory stays flat however many years are crawled (0 = no bound). Requests to the web
        # archives count apart, with their own bound: their slot is the slowest, and live hosts would idle if a
        # backlog of archive requests held the days back.
        spider.max_backlog = s.getint("NEWSARCHIVE_MAX_BACKLOG")
        spider.max_archive_backlog = s.getint("NEWSARCHIVE_MAX_ARCHIVE_BACKLOG")
        if s.get("NEWSARCHIVE_REDIS_URL"):
            from scrapy_redis.connection import get_redis_from_settings

            spider.redis = get_redis_from_settings(s)
        spider.sources = SourceRequests(spider, archives_from_settings(s), spider._known_sources)
        spider.entities = EntityRequests(spider, s)
        crawler.signals.connect(spider._maybe_release_batch, signal=signals.response_received)
        crawler.signals.connect(spider._idle_release_batch, signal=signals.spider_idle)
        crawler.signals.connect(spider._idle_entities, signal=signals.spider_idle)
        crawler.signals.connect(spider._item_stored, signal=signals.item_scraped)
        return spider

    def _known_sources(self, urls: list[str]) -> dict[str, dict]:
        """Which of ``urls`` to fetch, with their validators: in a distributed worker, those the shared seen-set
        did not have; otherwise those the archive has not fetched successfully (all, without an archive)."""
        if self.redis is not None:
            from crawler.distributed.keys import SOURCES_SEEN

            return {url: {} for url in urls if self.redis.sadd(SOURCES_SEEN, url)}
        db = self.source_db()
        if db is None:
            return {url: {} for url in urls}
        return sources_to_fetch(db, urls, refetch_ok=self.refetch_ok)

    def seed_requests(self, limit: int = 20) -> list[scrapy.Request]:
        """Distributed mode: turn up to ``limit`` shared seeds into requests."""
        from crawler.distributed.keys import SEEDS

        out = []
        for raw in self.redis.lpop(SEEDS, limit) or []:
            seed = json.loads(raw)
            if seed["kind"] == "days":
                out.append(self._api_request(seed["titles"], forced=True))
            elif seed["kind"] == "source":
                out.append(self.sources.first_request(seed["url"], seed["cited_url"], seed.get("day"), {}))
            elif seed["kind"] == "entities" and self.entities.enabled:
                out.append(self.entities.resolve_request(seed["titles"]))
        return out

    def source_db(self):
        """A read connection to the archive, to skip sources already fetched (None without a database)."""
        if self._db is None and self.db_path:
            self._db = open_db(self.db_path)
        return self._db

    def closed(self, reason):
        if self._db is not None:
            self._db.close()

    async def start(self):
        # API requests form one chain (the next batch goes out when the previous answer is handled): serial
        # requests as Wikimedia's API etiquette asks, and days stored in order.
        self._batches = deque(
            [day_title(d) for d in self.days[i : i + self.per_request]]
            for i in range(0, len(self.days), self.per_request))
        if self._batches:
            yield self._api_request(self._batches.popleft())
        else:
            self._days_done = True
        if self.redis is not None:
            for request in self.seed_requests(limit=50):
                yield request
        if self.follow_sources and self.retry_due and self.source_db() is not None:
            for row in due_sources(self.source_db()):
                if row["url"] not in self.sources.requested:
                    yield self.sources.first_request(row["url"], row["cited_url"], row["first_cited_day"], {})

    # --- cited sources (crawler.scrapy.source_requests) ------------------------------------------------------
    def parse_source(self, response):
        return self.sources.on_response(response)

    def source_failed(self, failure):
        return self.sources.on_failure(failure)

    def _item_stored(self, item, response=None, spider=None) -> None:
        """A stored live page without an article goes on to the web archives."""
        if isinstance(item, SourceFetch):
            request = self.sources.after_stored(item)
            if request is not None:
                self.crawler.engine.crawl(request)

    # --- entities (crawler.scrapy.entity_requests) --------------------------------------------------------------
    async def parse_entities(self, response):
        async for out in self.entities.on_resolution(response):
            yield out

    def entities_failed(self, failure):
        return self.entities.on_resolution_failure(failure)

    async def parse_wikidata(self, response):
        async for out in self.entities.on_wikidata(response):
            yield out

    def wikidata_failed(self, failure):
        return self.entities.on_wikidata_failure(failure)

    def _last_titles(self) -> list[scrapy.Request]:
        """The day chain ended: the titles' last partial batch goes out (a distributed worker's at idle)."""
        self._days_done = True
        return self.entities.flush_titles() if self.redis is None else []

    def _idle_entities(self, spider=None) -> None:
        """Nothing in flight: the partial batch of the next resolution stage, once no day page is to come."""
        if not (self._days_done or self.redis is not None) or self._batches:
            return
        requests = self.entities.idle_requests()
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    # --- day pages ---------------------------------------------------------------------------------------------
    def _api_request(self, titles, cont=None, forced=False, seen=(), cited=()):
        return scrapy.Request(
            revisions_url(self.api, titles, self.maxlag, cont),
            callback=self.parse_api,
            errback=self.api_failed,
            # The API is an operator-configured endpoint used under Wikimedia's API etiquette (serial requests,
            # maxlag, a descriptive User-Agent); robots.txt (which disallows /w/ for crawlers) is not about it.
            meta={"titles": titles, "cont": cont, "seen": list(seen), "cited": list(cited),
                  "download_slot": "wiki-api", "dont_obey_robotstxt": True, "autothrottle_dont_adjust_delay": True},
            priority=100,
            dont_filter=forced,
        )

    async def parse_api(self, response):
        follow_up = False
        leases = self.leases
        work = api_lease_key(response.request.meta) if leases is not None else None
        async for out in self._parse_api(response):
            if isinstance(out, scrapy.Request) and out.callback == self.parse_api:
                follow_up = True
            elif work is not None and isinstance(out, DayPage):
                leases.expect(work, ("day", out.title))  # the lease ends with the last day page pushed
            yield out
        if work is not None:
            leases.close(work)
        if not follow_up and self._batches:
            if self._backlog_full():
                self._held_batch = True  # released by _maybe_release_batch once the backlog drains
            else:
                yield self._api_request(self._batches.popleft())
        elif not follow_up:
            for request in self._last_titles():
                yield request

    def _backlog(self) -> int:
        """Requests waiting in the scheduler (from Scrapy's own counters), but for the web archives'."""
        stats = self.crawler.stats
        waiting = (stats.get_value("scheduler/enqueued", 0) or 0) - (stats.get_value("scheduler/dequeued", 0) or 0)
        return max(0, waiting - self.sources.archive_waiting)

    def _backlog_full(self, part: float = 1.0) -> bool:
        """Whether either backlog is above ``part`` of its bound (0: no bound)."""
        return (0 < self.max_backlog * part < self._backlog()
                or 0 < self.max_archive_backlog * part < self.sources.archive_waiting)

    def _release_batch(self) -> None:
        self._held_batch = False
        self.crawler.stats.inc_value("newsarchive/api_batches_held")
        self.crawler.engine.crawl(self._api_request(self._batches.popleft()))

    def _maybe_release_batch(self, response, request, spider=None) -> None:
        if self._held_batch and self._batches and not self._backlog_full(0.5):
            self._release_batch()

    def _idle_release_batch(self, spider=None) -> None:
        if self._held_batch and self._batches:
            self._release_batch()
            raise DontCloseSpider

    async def _parse_api(self, response):
        titles = response.meta["titles"]
        seen = set(response.meta["seen"])
        cited = list(response.meta.get("cited", []))  # the batch's citations so far (continued answers)
        fetched_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        try:
            result = read_query(json.loads(response.text))
        except ApiError as err:
            retry = get_retry_request(response.request, spider=self, reason=f"API {err.code}",
                                      max_retry_times=self.api_retries,
                                      stats_base_key="newsarchive/api_retries") if err.retryable else None
            if retry is not None:  # maxlag, ratelimited, readonly: after Retry-After, or a growing pause
                attempt = retry.meta["retry_times"]
                wait = retry_after_seconds(response.headers.get(b"Retry-After"), default=None)
                await asyncio.sleep(min(wait if wait is not None else 5.0 * attempt, self.max_wait))
                yield retry
                return
            for item in self._failed(titles, seen, f"api_error: {err}", response.url):
                yield item
            for request in self._batch_sources(cited):
                yield request
            return
        except (ValueError, KeyError, TypeError) as err:
            for item in self._failed(titles, seen, f"api_error: unreadable answer: {err}", response.url):
                yield item
            for request in self._batch_sources(cited):
                yield request
            return
        inverse = {to: frm for frm, to in result.normalized.items()}
        # A whole answer (no continuation before or after it) is read in date order and each day's new sources
        # go out as soon as that day is parsed, so downloads and extraction start while the later days are
        # parsed; each source still goes with its earliest citing day. A continued answer collects its
        # citations over all its parts first (its parts need not be in date order).
        stream = self.follow_sources and not result.continue_params and not cited and not seen
        pages = [(inverse.get(page.title, page.title), page) for page in result.pages]
        if stream:
            pages.sort(key=lambda pair: _day_or_last(pair[0]))
        for requested, page in pages:
            if requested in seen:
                continue
            seen.add(requested)
            day_page = self._day_page(requested, page, fetched_at, response.url)
            day_page.warc = response.meta.get("warc_record")
            yield day_page
            for request in self.entities.add_day(day_page):
                yield request
            if stream:
                for request in self._batch_sources(citations(day_page)):
                    yield request
                await asyncio.sleep(0)  # the downloader starts on them before the next day is parsed
            elif self.follow_sources:
                cited.extend(citations(day_page))
        if result.continue_params:
            yield self._api_request(titles, result.continue_params, seen=seen, cited=cited)
            return
        for item in self._failed([t for t in titles if t not in seen], set(),
                                 "api_error: page absent from the API answer", response.url):
            yield item
        for request in self._batch_sources(cited):
            yield request

    def _batch_sources(self, cited: list) -> list[scrapy.Request]:
        """The batch's source requests, once all its pages are read: each source for its earliest citing day
        (the API answers pages in no date order, and may split a batch over continued answers)."""
        return self.sources.for_citations(cited) if self.follow_sources and cited else []

    def _day_page(self, title, page, fetched_at, api_url) -> DayPage:
        day = title_day(title)
        base = dict(day=day, title=page.title or title, fetched_at=fetched_at, api_url=api_url)
        if page.missing:
            return DayPage(status="missing", **base)
        if page.invalid:
            return DayPage(status="api_error", error=one_line(f"invalid title: {page.invalid_reason}"), **base)
        dp = DayPage(status="ok", revision_id=page.revision_id, revision_timestamp=page.timestamp,
                     wikitext=page.content, **base)
        try:
            dp.events = parse_wikitext(page.content or "", day)
        except PortalParseError as err:
            dp.status, dp.error = "parse_error", one_line(err)
            self.logger.warning("%s: %s", title, dp.error)
        return dp

    def _failed(self, titles, seen, reason, api_url):
        for title in titles:
            if title in seen:
                continue
            self.logger.warning("%s: %s", title, one_line(reason))
            yield DayPage(day=title_day(title), title=title, status="api_error", error=one_line(reason),
                          api_url=api_url,
                          fetched_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())

    def _end_lease(self, request, day_pages=()) -> None:
        """Distributed worker: this API request yields nothing more; its lease ends once ``day_pages`` are pushed
        (``crawler.distributed.leases``)."""
        leases = self.leases
        if leases is not None:
            work = api_lease_key(request.meta)
            for page in day_pages:
                leases.expect(work, ("day", page.title))
            leases.close(work)

    def api_failed(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        reason = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.crawler.stats.inc_value("newsarchive/api_failures")
        out = list(self._failed(request.meta["titles"], set(request.meta.get("seen", [])),
                                f"api_error: {reason}", request.url))
        self._end_lease(request, out)
        if self._batches:
            out.append(self._api_request(self._batches.popleft()))
        else:
            out.extend(self._last_titles())
        return out
