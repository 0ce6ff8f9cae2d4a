"""Safe targets, address side: a DNS resolver refusing names that resolve to non-public addresses.

The check is on the address the crawler connects to (no DNS rebinding). Names of operator-configured endpoints
(wiki API, Wikidata, mirror, Wayback, Common Crawl, proxy) resolve freely; NEWSARCHIVE_ALLOW_NETWORKS lists CIDRs
allowed anyway. Set with ``TWISTED_DNS_RESOLVER``.
"""

from __future__ import annotations

import os

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.net.safety import BlockedAddress, blocked_reason, endpoint, parse_networks

ENDPOINT_SETTINGS = ("NEWSARCHIVE_WIKI_API", "NEWSARCHIVE_MIRROR", "NEWSARCHIVE_WAYBACK_URL",
                     "NEWSARCHIVE_COMMONCRAWL_URL", "NEWSARCHIVE_COMMONCRAWL_DATA_URL", "NEWSARCHIVE_WIKIDATA_API")

class RefusedName(DNSLookupError, BlockedAddress):
    """A name that resolves to a non-public address. Twisted takes it for a failed lookup (it logs any other
    resolver error with a traceback on the terminal); the crawl records it as a blocked address."""


# Names the resolver refused, with the reason: the connection error Twisted reports for them is only
# "no results for hostname lookup", so the middleware turns it back into a BlockedRequest.
REFUSED_NAMES: dict[str, str] = {}


def trusted_endpoints(settings) -> set[tuple[str, str, int]]:
    urls = [settings.get(name) for name in ENDPOINT_SETTINGS]
    urls += [os.environ.get(k) for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")]
    return {endpoint(u) for u in urls if u}


class SafeResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses names resolving to non-public addresses.

    Names of trusted endpoints resolve freely. Set with TWISTED_DNS_RESOLVER.
    """

    enabled: bool = True
    allowed: tuple = ()
    trusted_names: frozenset = frozenset()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        s = crawler.settings
        resolver.enabled = s.getbool("NEWSARCHIVE_SAFE_TARGETS")
        resolver.allowed = parse_networks(s.get("NEWSARCHIVE_ALLOW_NETWORKS"))
        resolver.trusted_names = frozenset(t[1] for t in trusted_endpoints(s))
        return resolver

    def getHostByName(self, name, timeout=()):
        d = super().getHostByName(name, timeout)
        if not self.enabled or name.lower() in self.trusted_names:
            return d
        return d.addCallback(self._check, name)

    def _check(self, address, name):
        reason = blocked_reason(address, self.allowed)
        if reason:
            REFUSED_NAMES[name.lower()] = f"{name} resolves to {address} ({reason})"
            return defer.fail(RefusedName(f"blocked address: {REFUSED_NAMES[name.lower()]}"))
        return address
