"""robots.txt: Scrapy's middleware with a fix for requests waiting on one robots.txt, and answers kept between runs."""

from __future__ import annotations

import logging
from datetime import timedelta

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawler.scrapy.slots import keep_host_pace, restart_host_delay

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class OneLineRobotsErrors(logging.Filter):
    """Scrapy logs a robots.txt that cannot be fetched (DNS error, refused connection) with its traceback; the page
    request then meets the same failure, which the crawl records. The log keeps the one-line message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Error downloading"):
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


ROBOTS_LOGGER = logging.getLogger(RobotsTxtMiddleware.__module__)


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with a fix for requests that wait on the same robots.txt, and a cache of
    robots.txt answers in the archive between runs.

    In Scrapy 2.19 with the asyncio reactor, every request waiting while a host's robots.txt downloads awaits
    ``Deferred.asFuture`` on one shared Deferred; asFuture consumes the result, so all waiters after the first
    get ``None`` and are let through unchecked. Here each waiter gets its own Deferred, chained so the parser
    passes on to the next.

    The cache (``crawler.storage.robots``, table ``robots_txt`` of NEWSARCHIVE_DB) answers a host asked less than
    NEWSARCHIVE_ROBOTS_CACHE_HOURS (24; 0: off) ago. It is off when capturing or replaying WARC files, so that
    every robots.txt decision of a captured crawl is in its WARC files.

    A robots.txt that answers only 5xx, 408 or 429 (after Scrapy's retries) means "unreachable" in RFC 9309: the
    host's last kept answer (up to 30 days old) stands in for it, and without one the host is completely
    disallowed for this run; its sources are recorded ``robots_unreachable`` and tried again by a later run.
    A robots.txt that cannot be fetched at all (DNS, refused, timeout) lets the page request go, as in Scrapy:
    it meets the same network failure, which is recorded as the page's status.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        if not any(isinstance(f, OneLineRobotsErrors) for f in ROBOTS_LOGGER.filters):
            ROBOTS_LOGGER.addFilter(OneLineRobotsErrors())
        s = crawler.settings
        hours = s.getfloat("NEWSARCHIVE_ROBOTS_CACHE_HOURS")
        warc = s.get("NEWSARCHIVE_WARC_DIR") or s.getlist("NEWSARCHIVE_REPLAY")
        self.cache_path = s.get("NEWSARCHIVE_DB") if hours > 0 and not warc else None
        self.max_age = timedelta(hours=hours)
        self._cache_db = None
        self._unreachable: dict[str, int] = {}  # netloc -> HTTP status of a robots.txt that only failed
        self._crawl_delays: dict[str, float | None] = {}  # netloc -> its robots.txt's Crawl-delay for us
        self.max_crawl_delay = s.getfloat("NEWSARCHIVE_CRAWL_DELAY_MAX")
        crawler.signals.connect(self._answered, signal=signals.response_downloaded)

    def _cache(self):
        if self._cache_db is None and self.cache_path:
            from crawler.storage.schema import open_db

            self._cache_db = open_db(self.cache_path)
            self.crawler.signals.connect(self._close_cache, signal=signals.spider_closed)
        return self._cache_db

    def _close_cache(self, *args, **kwargs):
        if self._cache_db is not None:
            self._cache_db.close()
            self._cache_db = None

    async def robot_parser(self, request):
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers and self.cache_path:
            from crawler.storage.robots import cached_robots

            body = cached_robots(self._cache(), netloc, self.max_age)
            if body is not None:
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                self.crawler.stats.inc_value("newsarchive/robots_cache/hits")
                return self._parsers[netloc]
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()

            def pass_on(result):
                waiter.callback(result)
                return result

            pending.addBoth(pass_on)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request):
        from crawler.storage.robots import STALE_LIMIT, cached_robots, save_robots, transient

        if transient(response.status):  # RFC 9309 §2.3.1.4: a cached copy, else complete disallow
            stale = cached_robots(self._cache(), netloc, STALE_LIMIT) if self.cache_path else None
            if stale is not None:
                self.crawler.stats.inc_value("newsarchive/robots/stale_copy_used")
                response = response.replace(body=stale)
            else:
                self.crawler.stats.inc_value("newsarchive/robots/unreachable")
                self._unreachable[netloc] = response.status
                response = response.replace(body=DISALLOW_ALL)
            await super()._parse_robots(response, netloc, request)
            return
        await super()._parse_robots(response, netloc, request)
        if self.cache_path and save_robots(self._cache(), netloc, response.url, response.status, response.body):
            self.crawler.stats.inc_value("newsarchive/robots_cache/saved")

    def process_request_2(self, rp, request):
        status = self._unreachable.get(urlparse_cached(request).netloc) if self._unreachable else None
        if status is not None:
            raise IgnoreRequest(f"robots.txt unreachable (HTTP {status}): complete disallow until it answers "
                                "(RFC 9309)")
        super().process_request_2(rp, request)
        delay = self._crawl_delay(rp, request)
        if delay:  # the host's stated pace: its slot keeps it, and AutoThrottle does not lower it
            request.meta["autothrottle_dont_adjust_delay"] = True
            keep_host_pace(self.crawler, request, delay)

    def _answered(self, response, request, spider=None) -> None:
        """A host with a Crawl-delay gets it counted from its answer: the next request leaves that long after
        the last response came back, so it cannot reach the host sooner after the previous one, however late
        that one went out."""
        if self._crawl_delays.get(urlparse_cached(request).netloc):
            restart_host_delay(self.crawler, request)

    def _crawl_delay(self, rp, request) -> float | None:
        """The pace for a host whose robots.txt states a ``Crawl-delay`` for us: that delay (at most
        NEWSARCHIVE_CRAWL_DELAY_MAX), counted from each of the host's answers (``_answered``); worked out once
        per host."""
        netloc = urlparse_cached(request).netloc
        if netloc not in self._crawl_delays:
            agent = self._robotstxt_useragent or request.headers.get(b"User-Agent", self._default_useragent)
            reader = getattr(rp, "crawl_delay", None)
            delay = reader(agent) if reader else None
            self._crawl_delays[netloc] = min(delay, self.max_crawl_delay) if delay and delay > 0 else None
            if self._crawl_delays[netloc]:
                self.crawler.stats.inc_value("newsarchive/robots/crawl_delay_hosts")
                restart_host_delay(self.crawler, request)  # from the robots.txt answer, just read
        return self._crawl_delays[netloc]
