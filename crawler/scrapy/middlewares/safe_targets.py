"""Safe targets, URL side: a downloader middleware refusing URLs from wiki text that reach non-public addresses.

URLs from wiki text may not reach loopback, private, link-local or unique-local addresses, nor non-http(s)
schemes. The resolver checks the address the crawler will actually connect to (no DNS rebinding); redirects pass
through both again. Operator-configured endpoints (wiki API, mirror, Wayback, proxy) are trusted.
NEWSARCHIVE_ALLOW_NETWORKS lists CIDRs that are allowed anyway (tests reach their own servers with it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.net.safety import BlockedAddress, check_url, endpoint, parse_networks
from crawler.scrapy.resolver import REFUSED_NAMES, trusted_endpoints


class BlockedRequest(IgnoreRequest, BlockedAddress):
    """Raised by the middleware: the request is dropped and the source records ``blocked_address``."""


class SafeTargetsMiddleware:
    """Refuse unsafe URLs before they are fetched (NEWSARCHIVE_SAFE_TARGETS=False switches it off)."""

    def __init__(self, allowed, trusted):
        self.allowed = allowed
        self.trusted = trusted

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("NEWSARCHIVE_SAFE_TARGETS"):
            raise NotConfigured
        return cls(parse_networks(s.get("NEWSARCHIVE_ALLOW_NETWORKS")), trusted_endpoints(s))

    def process_request(self, request, spider=None):
        if endpoint(request.url) in self.trusted:
            return None
        reason = check_url(request.url, self.allowed)
        if reason:
            raise BlockedRequest(f"blocked address: {reason}")
        return None

    def process_exception(self, request, exception, spider=None):
        host = (urlsplit(request.url).hostname or "").lower()
        if host in REFUSED_NAMES:
            raise BlockedRequest(f"blocked address: {REFUSED_NAMES[host]}")
        return None
