"""Scrapy's RetryMiddleware that waits for a server's ``Retry-After`` on 429/503 — the whole host waits."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from crawler.net.politeness import retry_after_seconds
from crawler.scrapy.slots import pause_host

logger = logging.getLogger(__name__)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware that also honours ``Retry-After`` on 429/503, for the whole host.

    The wait is the header's (a 429 without one waits NEWSARCHIVE_RETRY_AFTER_DEFAULT: the Wayback Machine, for
    one, sends none), capped by NEWSARCHIVE_RETRY_AFTER_MAX. The retried request waits, and the host's download slot
    is paused as long, so its other requests do not meet the same answer. It happens only when a retry follows
    (with the retries used up, the answer goes on at once).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")
        self.default_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_DEFAULT")

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:  # retries used up: the answer goes on at once
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"), default=None)
        if wait is None and response.status == 429:
            wait = self.default_wait
        if wait is not None and response.status in (429, 503):
            wait = min(wait, self.max_wait)
            self.crawler.stats.inc_value("newsarchive/retry_after_waits")
            logger.debug("Retry-After %.1fs for %s (the host waits)", wait, request.url)
            pause_host(self.crawler, request, wait)
            await asyncio.sleep(wait)
        return retry
