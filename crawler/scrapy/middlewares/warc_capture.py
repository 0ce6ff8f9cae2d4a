"""WARC capture: every HTTP exchange of a crawl written to WARC files (the work is in ``crawler.warc.writer``).

Leaves ``request.meta["warc_record"] = (WARC file name, offset of the response record)`` for the spider to store
with the day page or source (on a redirect, the last hop's record).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.net.failures import classify_failure
from crawler.net.urls import original_url
from crawler.scrapy.middlewares.warc_replay import REPLAY_FLAG

logger = logging.getLogger(__name__)

INFO_SETTINGS = ("NEWSARCHIVE_WIKI_API", "NEWSARCHIVE_FOLLOW_SOURCES", "NEWSARCHIVE_MAXLAG",
                 "NEWSARCHIVE_TITLES_PER_REQUEST", "ROBOTSTXT_OBEY", "CONCURRENT_REQUESTS",
                 "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
                 "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES", "REDIRECT_MAX_TIMES")


def warcinfo(settings, spider=None) -> dict:
    """warcinfo fields of a crawl: operator/contact, user agent, robots policy, day range, settings."""
    days = getattr(spider, "days", None) or []
    info = {
        "operator": settings.get("NEWSARCHIVE_WARC_OPERATOR") or settings.get("NEWSARCHIVE_CONTACT"),
        "http-header-user-agent": settings.get("USER_AGENT"),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "isPartOf": settings.get("NEWSARCHIVE_WARC_PREFIX") or "newsarchive",
        "description": "Wikipedia Current Events portal day pages (MediaWiki API) and their cited sources"
                       + (f", days {min(days).isoformat()} to {max(days).isoformat()}" if days else ""),
        "newsarchive-settings": {k: settings.get(k) for k in INFO_SETTINGS},
    }
    if settings.get("NEWSARCHIVE_MIRROR"):
        info["newsarchive-mirror"] = ("captured through a local mirror (tests/demo): target URIs are the "
                                      "original URLs, IP addresses are not recorded")
    return info


class WarcCaptureMiddleware:
    """Writes every response that reaches it, with its request, to NEWSARCHIVE_WARC_DIR.

    Skipped: replayed responses and HTTP-cache hits (not network exchanges). A request sent that ends without a
    response (DNS error, timeout, size limit) leaves its request record and a ``metadata`` record with the
    failure (``WarcWriter.write_failure``); requests stopped before the network (robots.txt, blocked
    addresses, offsite) leave none.

    Settings: NEWSARCHIVE_WARC_DIR (on when set), NEWSARCHIVE_WARC_PREFIX, NEWSARCHIVE_WARC_MAX_SIZE
    (bytes, default 1 GB), NEWSARCHIVE_WARC_OPERATOR (default NEWSARCHIVE_CONTACT).
    """

    def __init__(self, crawler, directory: str):
        from crawler.warc.writer import WarcWriter

        s = crawler.settings
        self.crawler = crawler
        self.mirror = (s.get("NEWSARCHIVE_MIRROR") or "").rstrip("/")
        self.writer = WarcWriter(directory, prefix=s.get("NEWSARCHIVE_WARC_PREFIX") or "newsarchive",
                                 max_size=s.getint("NEWSARCHIVE_WARC_MAX_SIZE"))
        self._info_set = False

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("NEWSARCHIVE_WARC_DIR")
        if not directory:
            raise NotConfigured("NEWSARCHIVE_WARC_DIR is not set")
        mw = cls(crawler, directory)
        crawler.signals.connect(mw.close, signal=signals.spider_closed)
        return mw

    def close(self, *args, **kwargs):
        self.writer.close()
        stats = self.crawler.stats
        if stats is not None:
            stats.set_value("newsarchive/warc/files", [p.name for p in self.writer.files])

    def network_url(self, request) -> tuple[str, bool]:
        """(URL to record, whether it went through the local mirror)."""
        url = request.url
        if self.mirror and url.startswith(self.mirror + "/mirror/"):
            parts = urlsplit(url)
            orig = original_url(parts.path, parts.query) or request.meta.get("mirror_original")
            if orig:
                return orig, True
        return url, False

    def _set_info(self) -> None:
        if not self._info_set:
            self.writer.info = warcinfo(self.crawler.settings, getattr(self.crawler, "spider", None))
            self._info_set = True

    def process_request(self, request, spider=None):
        request.meta["warc_sent"] = id(request)  # this very request reached the download handler
        return None

    def process_exception(self, request, exception, spider=None):
        """A request that was sent and got no response: record the failure (the exception goes on)."""
        if request.meta.get("warc_sent") != id(request) or isinstance(exception, IgnoreRequest):
            return None
        self._set_info()
        url, _ = self.network_url(request)
        status, message = classify_failure(exception)
        self._record(request, url, "failures", lambda: self.writer.write_failure(
            url, request.method, request.headers.items(), status, message, datetime.now(timezone.utc),
            request_body=request.body))
        return None

    def process_response(self, request, response, spider=None):
        if REPLAY_FLAG in response.flags or "cached" in response.flags:
            return response
        self._set_info()
        url, mirrored = self.network_url(request)
        ip = getattr(response, "ip_address", None)
        self._record(request, url, "exchanges", lambda: self.writer.write_exchange(
            url, request.method, request.headers.items(), response.status, None,
            response.headers.items(), response.body, datetime.now(timezone.utc),
            request_body=request.body, ip_address=None if mirrored or ip is None else str(ip),
            protocol=getattr(response, "protocol", None)))
        return response

    def _record(self, request, url: str, kind: str, write) -> None:
        """``write()`` the records; point the request at them (``warc_record``) and count them as ``kind``."""
        try:
            request.meta["warc_record"] = write()
        except OSError as err:  # a full disk must not lose the crawl's database writes
            logger.error("WARC capture failed for %s: %s", url, err)
            self.crawler.stats.inc_value("newsarchive/warc/errors")
            return
        self.crawler.stats.inc_value(f"newsarchive/warc/{kind}")
