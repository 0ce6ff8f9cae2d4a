"""Pure rules for safe targets: which addresses a URL taken from wiki text may reach."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# Names that never leave the machine or the local network, whatever DNS says.
LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class BlockedAddress(Exception):
    """A target refused because it is not a public http(s) address."""


def parse_networks(values) -> tuple:
    """Networks from a list or comma-separated string of CIDRs (``127.0.0.0/8, ::1/128``)."""
    if not values:
        return ()
    if isinstance(values, str):
        values = [v for v in values.split(",")]
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if str(v).strip())


def blocked_reason(ip: str, allowed=()) -> str | None:
    """Why an address must not be contacted (None: it is public, or explicitly allowed)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if any(addr in net for net in allowed):
        return None
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local (cloud metadata)"
    if isinstance(addr, ipaddress.IPv6Address) and addr in ipaddress.ip_network("fc00::/7"):
        return "unique-local IPv6"
    if addr.is_private:
        return "private network"
    if addr.is_multicast or addr.is_reserved or addr.is_unspecified:
        return "reserved"
    if addr in ipaddress.ip_network("100.64.0.0/10"):
        return "carrier-grade NAT"
    return None


def check_url(url: str, allowed=()) -> str | None:
    """A one-line reason when the URL itself is unsafe (scheme, IP literal, local name); None otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'!r} is not http(s)"
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "no host"
    reason = blocked_reason(host, allowed)
    if reason:
        return f"{host} is a {reason} address"
    if _is_ip(host):
        return None
    if host == "localhost" or host.endswith(LOCAL_NAMES):
        if not allowed or blocked_reason("127.0.0.1", allowed) is not None:
            return f"{host} is a local name"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def endpoint(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL, for matching trusted endpoints."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port
