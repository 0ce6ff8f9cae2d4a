"""WARC replay: every download answered from WARC records, never the network (``crawler.warc.reader``).

Leaves ``request.meta["warc_record"]`` like the capture middleware, so a replayed crawl stores the same pointers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

REPLAY_FLAG = "warc-replay"


class NotInReplay(IgnoreRequest):
    """A request whose URL has no response record in the replayed WARC files.

    ``crawler.net.failures.classify_failure`` maps it to status ``not_in_replay`` (FAILURE_STATUS). The message
    deliberately leaves the URL out: classify_failure reads an IgnoreRequest mentioning "robots" as a
    robots.txt denial.
    """

    def __init__(self, url: str = ""):
        super().__init__("not in the replayed WARC files")
        self.url = url


class ReplayedFailure(IgnoreRequest):
    """A request that failed without a response when the WARC files were captured (timeout, DNS error, refused
    connection…): replay fails it the same way. ``classify_failure`` returns the recorded status and message."""

    def __init__(self, status: str, message: str, url: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.url = url


class WarcReplayMiddleware:
    """Answers every request from the WARC files of NEWSARCHIVE_REPLAY; never uses the network.

    A URL without a response record raises NotInReplay (status ``not_in_replay``), except robots.txt,
    which is answered with an empty 200 (allow all) flagged ``warc-replay-default``. A URL whose recorded
    outcome is a failure without response raises ReplayedFailure, which keeps the recorded status.
    """

    def __init__(self, crawler, paths: list[str]):
        from crawler.warc.reader import WarcIndex

        self.crawler = crawler
        self.index = WarcIndex.build(paths)
        logger.info("WARC replay: %d URLs from %d files", len(self.index), len(self.index.files))
        if not self.index.entries:
            logger.warning("WARC replay: no response record in %s", ", ".join(paths))

    @classmethod
    def from_crawler(cls, crawler):
        paths = crawler.settings.getlist("NEWSARCHIVE_REPLAY")
        paths = [p for p in (str(x).strip() for x in paths) if p]
        if not paths:
            raise NotConfigured("NEWSARCHIVE_REPLAY is not set")
        return cls(crawler, paths)

    def process_request(self, request, spider=None):
        stats = self.crawler.stats
        failure = self.index.failure(request.url)
        if failure is not None:
            stats.inc_value("newsarchive/replay/failures")
            raise ReplayedFailure(*failure, url=request.url)
        stored = self.index.lookup(request.url)
        if stored is None:
            if urlsplit(request.url).path == "/robots.txt":
                stats.inc_value("newsarchive/replay/robots_default")
                return responsetypes.from_args(url=request.url, body=b"")(
                    url=request.url, status=200, body=b"", request=request,
                    headers=Headers({"Content-Type": "text/plain"}),
                    flags=[REPLAY_FLAG, "warc-replay-default"])
            stats.inc_value("newsarchive/replay/misses")
            logger.info("not in the replayed WARC files: %s", request.url)
            raise NotInReplay(request.url)
        headers = Headers()
        for name, value in stored.headers:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
        request.meta["warc_record"] = (Path(stored.warc_file).name, stored.offset)
        stats.inc_value("newsarchive/replay/hits")
        return cls(url=request.url, status=stored.status, headers=headers, body=stored.body, request=request,
                   flags=[REPLAY_FLAG], protocol=stored.protocol)
