"""Scrapy's MetaRefreshMiddleware without decoding pages that cannot hold a refresh tag."""

from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware that decodes a page only when its head can hold a refresh tag.

    Scrapy looks for ``<meta http-equiv="refresh">`` in ``response.text[:4096]``, which decodes the whole body
    (encoding sniffing included) in the reactor thread for every page; the extraction workers decode it again.
    A refresh tag has the ASCII bytes ``refresh`` in any ASCII-compatible encoding, so pages without them in the
    first 4,096 characters' worth of bytes are passed on undecoded. UTF-16/32 pages (NUL bytes) take the full path.
    """

    SCAN_BYTES = 4096 * 4  # 4,096 characters are at most 16 KiB in UTF-8

    def process_response(self, request, response, spider=None):
        head = response.body[:self.SCAN_BYTES]
        if b"refresh" not in head.lower() and b"\x00" not in head[:512]:
            return response
        return super().process_response(request, response)
