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
