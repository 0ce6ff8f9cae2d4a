"""Serve every request except the operator's endpoints from a local mirror (tests, demo, bench)."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from crawler.net.urls import mirror_url, original_url


class LocalMirrorMiddleware:
    """Tests, demo and bench: send every request except the wiki API's to a local mirror.

    ``NEWSARCHIVE_MIRROR = "http://127.0.0.1:PORT"`` turns ``https://host/path?q`` into
    ``http://127.0.0.1:PORT/mirror/https/host/path?q`` (the wiki API and archive endpoints excepted); the
    response gets its original URL back, so
    extraction and storage see the cited URL. Off (NotConfigured) when the setting is empty.
    """

    def __init__(self, mirror: str, endpoints: list[str]):
        self.mirror = mirror.rstrip("/")
        # Endpoints on this machine (a local fake API / Wayback) are used as they are; real ones go to the
        # mirror like everything else, so a test or demo never reaches the network.
        local = ("127.", "localhost", "[::1]", "::1")
        self.endpoints = tuple(e for e in endpoints if e and (urlsplit(e).hostname or "").startswith(local))

    @classmethod
    def from_crawler(cls, crawler):
        mirror = crawler.settings.get("NEWSARCHIVE_MIRROR")
        if not mirror:
            raise NotConfigured
        s = crawler.settings
        return cls(mirror, [s.get(k) or "" for k in ("NEWSARCHIVE_WIKI_API", "NEWSARCHIVE_WAYBACK_URL",
                                                      "NEWSARCHIVE_COMMONCRAWL_URL", "NEWSARCHIVE_COMMONCRAWL_DATA_URL",
                                                      "NEWSARCHIVE_WIKIDATA_API")])

    def process_request(self, request, spider=None):
        url = request.url
        if url.startswith(self.mirror) or url.startswith(self.endpoints):
            return None
        mirrored = mirror_url(self.mirror, url)
        if mirrored is None:
            return None
        # keep per-host politeness: the download slot stays the original host, not the mirror's
        request.meta["mirror_original"] = url
        request.meta.setdefault("download_slot", urlsplit(url).hostname or "")
        # Rewritten in place, not returned as a new Request: a returned Request goes back to the scheduler and
        # through every middleware again (twice the scheduling work, and pages queued behind the robots.txt
        # requests). ``_set_url`` is Request's own setter.
        request._set_url(mirrored)
        return None

    def process_response(self, request, response, spider=None):
        if request.url.startswith(self.mirror + "/mirror/"):
            # the URL this very hop stands for (a redirect inside the mirror carries the first hop's meta along)
            parts = urlsplit(request.url)
            original = original_url(parts.path, parts.query) or request.meta.get("mirror_original")
            if original:
                response._set_url(original)  # in place, like the request: the response is fresh from the handler
        return response
