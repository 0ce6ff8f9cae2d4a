"""Small downloader middlewares (thin glue; policy lives in plain functions)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from scrapy.utils.response import response_status_message

from crawler.politeness import retry_after_seconds

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"

logger = logging.getLogger(__name__)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware that also honours ``Retry-After`` on 429/503.

    The wait is capped by NEWSARCHIVE_RETRY_AFTER_MAX; it suspends only the retried request.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX", 120)

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"), default=None)
        if wait is not None and response.status in (429, 503):
            wait = min(wait, self.max_wait)
            self.crawler.stats.inc_value("newsarchive/retry_after_waits")
            logger.debug("Retry-After %.1fs for %s", wait, request.url)
            await asyncio.sleep(wait)
        return self._retry(request, response_status_message(response.status)) or response


class LocalMirrorMiddleware:
    """Tests, demo and bench: send every request except the wiki API's to a local mirror.

    ``NEWSARCHIVE_MIRROR = "http://127.0.0.1:PORT"`` turns ``https://host/path?q`` into
    ``http://127.0.0.1:PORT/mirror/https/host/path?q`` (the wiki API and archive endpoints excepted); the
    response gets its original URL back, so
    extraction and storage see the cited URL. Off (NotConfigured) when the setting is empty.
    """

    def __init__(self, mirror: str, endpoints: list[str]):
        from urllib.parse import urlsplit

        self.mirror = mirror.rstrip("/")
        # Endpoints on this machine (a local fake API / Wayback) are used as they are; real ones go to the
        # mirror like everything else, so a test or demo never reaches the network.
        local = ("127.", "localhost", "[::1]", "::1")
        self.endpoints = tuple(e for e in endpoints if e and (urlsplit(e).hostname or "").startswith(local))

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        mirror = crawler.settings.get("NEWSARCHIVE_MIRROR")
        if not mirror:
            raise NotConfigured
        s = crawler.settings
        return cls(mirror, [s.get(k) or "" for k in ("NEWSARCHIVE_WIKI_API", "NEWSARCHIVE_WAYBACK_URL",
                                                      "NEWSARCHIVE_COMMONCRAWL_URL", "NEWSARCHIVE_COMMONCRAWL_DATA_URL")])

    def process_request(self, request, spider=None):
        from crawler.mirror import mirror_url

        url = request.url
        if url.startswith(self.mirror) or url.startswith(self.endpoints):
            return None
        mirrored = mirror_url(self.mirror, url)
        if mirrored is None:
            return None
        from urllib.parse import urlsplit

        # keep per-host politeness: the download slot stays the original host, not the mirror's
        request.meta["mirror_original"] = url
        request.meta.setdefault("download_slot", urlsplit(url).hostname or "")
        # Rewritten in place, not returned as a new Request: a returned Request goes back to the scheduler and
        # through every middleware again (measured: 2x the scheduling work per page, and pages queued behind
        # the robots.txt requests, so the first page was stored 3 s later). ``_set_url`` is Request's own setter.
        request._set_url(mirrored)
        return None

    def process_response(self, request, response, spider=None):
        original = request.meta.get("mirror_original")
        if original and request.url.startswith(self.mirror):
            response._set_url(original)  # in place, like the request: the response is fresh from the handler
        return response


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware that decodes a page only when its head can hold a refresh tag.

    Scrapy looks for ``<meta http-equiv="refresh">`` in ``response.text[:4096]``, which decodes the whole body
    (encoding sniffing included) in the reactor thread for every page; the extraction workers decode it again.
    A refresh tag has the ASCII bytes ``refresh`` in any ASCII-compatible encoding, so pages without them in the
    first 4,096 characters' worth of bytes are passed on undecoded. UTF-16/32 pages (NUL bytes) take the full path.
    """

    SCAN_BYTES = 4096 * 4  # 4,096 characters are at most 16 KiB in UTF-8

    def process_response(self, request, response, spider=None):
        head = response.body[:self.SCAN_BYTES]
        if b"refresh" not in head.lower() and b"\x00" not in head[:512]:
            return response
        return super().process_response(request, response)


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
        s = crawler.settings
        hours = s.getfloat("NEWSARCHIVE_ROBOTS_CACHE_HOURS", 24)
        warc = s.get("NEWSARCHIVE_WARC_DIR") or s.getlist("NEWSARCHIVE_REPLAY")
        self.cache_path = s.get("NEWSARCHIVE_DB") if hours > 0 and not warc else None
        self.max_age = timedelta(hours=hours)
        self._cache_db = None
        self._unreachable: dict[str, int] = {}  # netloc -> HTTP status of a robots.txt that only failed

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
