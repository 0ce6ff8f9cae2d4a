"""Scrapy's RetryMiddleware that waits for a server's ``Retry-After`` on 429/503."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from crawler.net.politeness import retry_after_seconds

logger = logging.getLogger(__name__)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware that also honours ``Retry-After`` on 429/503.

    The wait is capped by NEWSARCHIVE_RETRY_AFTER_MAX; it suspends only the retried request, and happens only when a
    retry follows (with the retries used up, the answer goes on at once).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")

    async def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:  # retries used up: the answer goes on at once
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"), default=None)
        if wait is not None and response.status in (429, 503):
            wait = min(wait, self.max_wait)
            self.crawler.stats.inc_value("newsarchive/retry_after_waits")
            logger.debug("Retry-After %.1fs for %s", wait, request.url)
            await asyncio.sleep(wait)
        return retry
