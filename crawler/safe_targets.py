"""Scrapy glue for safe targets: a downloader middleware (URL checks) and a DNS resolver (address checks).

URLs from wiki text may not reach loopback, private, link-local or unique-local addresses, nor non-http(s)
schemes. The resolver checks the address the crawler will actually connect to (no DNS rebinding); redirects pass
through both again. Operator-configured endpoints (wiki API, mirror, Wayback, proxy) are trusted.
NEWSARCHIVE_ALLOW_NETWORKS lists CIDRs that are allowed anyway (tests reach their own servers with it).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from crawler.netsafety import BlockedAddress, blocked_reason, check_url, endpoint, parse_networks

ENDPOINT_SETTINGS = ("NEWSARCHIVE_WIKI_API", "NEWSARCHIVE_MIRROR", "NEWSARCHIVE_WAYBACK_URL",
                     "NEWSARCHIVE_COMMONCRAWL_URL", "NEWSARCHIVE_COMMONCRAWL_DATA_URL")


class BlockedRequest(IgnoreRequest, BlockedAddress):
    """Raised by the middleware: the request is dropped and the source records ``blocked_address``."""


# Names the resolver refused, with the reason: the connection error Twisted reports for them is only
# "no results for hostname lookup", so the middleware turns it back into a BlockedRequest.
REFUSED_NAMES: dict[str, str] = {}


def trusted_endpoints(settings) -> set[tuple[str, str, int]]:
    urls = [settings.get(name) for name in ENDPOINT_SETTINGS]
    urls += [os.environ.get(k) for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")]
    return {endpoint(u) for u in urls if u}


class SafeTargetsMiddleware:
    """Refuse unsafe URLs before they are fetched (NEWSARCHIVE_SAFE_TARGETS=False switches it off)."""

    def __init__(self, allowed, trusted):
        self.allowed = allowed
        self.trusted = trusted

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("NEWSARCHIVE_SAFE_TARGETS", True):
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


class SafeResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses names resolving to non-public addresses.

    Names of trusted endpoints resolve freely. Set with TWISTED_DNS_RESOLVER.
    """

    allowed: tuple = ()
    trusted_names: set = set()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        s = crawler.settings
        resolver.enabled = s.getbool("NEWSARCHIVE_SAFE_TARGETS", True)
        resolver.allowed = parse_networks(s.get("NEWSARCHIVE_ALLOW_NETWORKS"))
        resolver.trusted_names = {t[1] for t in trusted_endpoints(s)}
        return resolver

    def getHostByName(self, name, timeout=()):
        d = super().getHostByName(name, timeout)
        if not getattr(self, "enabled", True) or name.lower() in self.trusted_names:
            return d
        return d.addCallback(self._check, name)

    def _check(self, address, name):
        reason = blocked_reason(address, self.allowed)
        if reason:
            REFUSED_NAMES[name.lower()] = f"{name} resolves to {address} ({reason})"
            return defer.fail(BlockedAddress(f"blocked address: {REFUSED_NAMES[name.lower()]}"))
        return address
