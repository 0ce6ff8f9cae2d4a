"""Small downloader middlewares (thin glue; policy lives in plain functions)."""

from __future__ import annotations

import asyncio
import logging

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from crawler.politeness import retry_after_seconds

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
    ``http://127.0.0.1:PORT/mirror/https/host/path?q``; the response gets its original URL back, so
    extraction and storage see the cited URL. Off (NotConfigured) when the setting is empty.
    """

    def __init__(self, mirror: str, api: str):
        self.mirror = mirror.rstrip("/")
        self.api = api

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        mirror = crawler.settings.get("NEWSARCHIVE_MIRROR")
        if not mirror:
            raise NotConfigured
        return cls(mirror, crawler.settings.get("NEWSARCHIVE_WIKI_API") or "")

    def process_request(self, request, spider=None):
        from crawler.mirror import mirror_url

        url = request.url
        if url.startswith(self.mirror) or (self.api and url.startswith(self.api)):
            return None
        mirrored = mirror_url(self.mirror, url)
        if mirrored is None:
            return None
        from urllib.parse import urlsplit

        # keep per-host politeness: the download slot stays the original host, not the mirror's
        meta = {**request.meta, "mirror_original": url}
        meta.setdefault("download_slot", urlsplit(url).hostname or "")
        return request.replace(url=mirrored, meta=meta)

    def process_response(self, request, response, spider=None):
        original = request.meta.get("mirror_original")
        if original and request.url.startswith(self.mirror):
            return response.replace(url=original)
        return response
