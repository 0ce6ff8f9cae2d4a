"""The canonical URL a page declares for itself: ``<link rel="canonical">``, else ``<meta property="og:url">`` (pure).

An AMP page, a print view, a syndicated copy or the same article under a second address usually names the original
there. Only the document head is parsed. A declaration that cannot name one article is ignored: not http(s), or
the site's home page (a common misconfiguration that would tie every article of a site together).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.net.urls import source_url

HEAD_BYTES = 256 * 1024  # a head that has not ended by then declares nothing we read
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.I)


def _head(body: bytes) -> bytes:
    end = _HEAD_END.search(body, 0, HEAD_BYTES)
    return body[: end.start()] if end else body[:HEAD_BYTES]


def _usable(url: str | None, base: str) -> str | None:
    if not url or not url.strip():
        return None
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if parts.path.strip("/") in ("", "index.html", "index.php", "home") and not parts.query:
        return None
    return source_url(absolute)


def declared_canonical(body: bytes, page_url: str) -> str | None:
    """The page's declared canonical URL in the archive's normal form (``crawler.net.urls.source_url``), resolved
    against ``page_url``; None when the page declares none that names one article."""
    head = _head(body)
    if not head.strip():
        return None
    try:
        tree = lxml.html.fromstring(head + b"</head></html>")
    except (etree.ParserError, ValueError):
        return None
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels:
            found = _usable(link.get("href"), page_url)
            if found:
                return found
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:url":
            found = _usable(meta.get("content"), page_url)
            if found:
                return found
    return None
