"""Pure URL helpers: the normal form under which a cited source is stored once, and addresses on a local mirror."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler.net.wayback import unwrap_archive_url

# Query parameters that track a click and never select content.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|_gl|"
    r"ocid|cmpid|ncid|ns_mchannel|ns_source|ns_campaign|ns_linkname|ns_fee|icid|s_cid|"
    r"rss|ref_src|smid|partner|CMP|WT\.[a-z_]+|mbid|__twitter_impression)$",
    re.I,
)


def drop_tracking(url: str) -> str:
    """Remove tracking query parameters (utm_*, fbclid, …) and keep the rest in order."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(kept, doseq=True)))


def normalize_url(url: str) -> str:
    """Normal form of a cited URL: scheme/host lower-case, default port and fragment dropped,
    tracking parameters removed, query sorted and percent-encoding canonical (w3lib)."""
    url = url.strip()
    if url.startswith("//"):
        url = "http:" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    netloc = parts.netloc.lower()
    if parts.port and ((parts.scheme.lower(), parts.port) in (("http", 80), ("https", 443))):
        netloc = netloc.rsplit(":", 1)[0]
    url = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))
    return canonicalize_url(drop_tracking(url), keep_fragments=False)


@lru_cache(maxsize=16384)  # each citation is keyed three times (request, event link, stored source)
def source_url(url: str) -> str:
    """The key of a cited source: its normal form, with a web.archive.org capture unwrapped to the original."""
    unwrapped = unwrap_archive_url(url.strip())
    return normalize_url(unwrapped[0] if unwrapped else url)


def mirror_url(mirror: str, url: str) -> str | None:
    """``https://h/p?q`` → ``<mirror>/mirror/https/h/p?q``; None for a non-http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path or "/"
    return f"{mirror.rstrip('/')}/mirror/{parts.scheme}/{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")


def original_url(mirror_path: str, query: str = "") -> str | None:
    """Inverse of mirror_url for a request path ``/mirror/<scheme>/<host>/<rest>``."""
    bits = mirror_path.split("/", 4)
    if len(bits) < 4 or bits[1] != "mirror" or bits[2] not in ("http", "https"):
        return None
    rest = "/" + bits[4] if len(bits) > 4 else "/"
    return urlunsplit((bits[2], bits[3], rest, query, ""))
