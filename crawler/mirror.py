"""Pure mapping between a URL and its address on a local mirror (``/mirror/<scheme>/<host><path>``)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


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
