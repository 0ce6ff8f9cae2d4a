"""Exceptions of WARC replay (no Scrapy machinery beyond its exception base class)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class NotInReplay(IgnoreRequest):
    """A request whose URL has no response record in the replayed WARC files.

    ``crawler.sources.classify_failure`` maps it to status ``not_in_replay`` (FAILURE_STATUS). The message
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
