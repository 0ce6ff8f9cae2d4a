"""Markdown that stays literal: escaping of text from the wiki and the publishers, and safe link targets (pure)."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit


_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_INLINE_RE = re.compile(r"([\\`*_\[\]<>~])")
_AMP_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START_RE = re.compile(r"^(?:([#>+=|-])|(\d{1,9})([.)]))")
_URL_UNSAFE = re.compile(r"[\s()<>\\\"`\x00-\x1f\x7f]")


def fold(text: str | None) -> str:
    """All whitespace and control characters folded to single spaces (one line)."""
    return " ".join(_CONTROL_RE.sub(" ", text or "").split())


def clean(text: str | None) -> str:
    """Text as read from the database: HTML entities decoded (``&#039;`` → ``'``), then folded."""
    return fold(_ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text or ""))


def md_inline(text: str | None) -> str:
    """Text that stays literal inside a paragraph, heading or link text (no links, HTML, emphasis)."""
    text = _INLINE_RE.sub(r"\\\1", fold(text))
    return _AMP_RE.sub(r"\\&", text)


def md_paragraph(text: str | None) -> str:
    """Like md_inline, and a leading ``#``/``>``/``-``/``1.`` does not start a heading, quote or list."""
    text = md_inline(text)
    m = _BLOCK_START_RE.match(text)
    if m and m.group(1):
        return "\\" + text
    if m:
        return text[: m.end(2)] + "\\" + text[m.end(2):]
    return text


def md_heading(text: str | None) -> str:
    """Heading content: inline-escaped, and a trailing ``#`` is not eaten as a closing sequence."""
    return unclosed(md_inline(text))


def unclosed(md: str) -> str:
    """A heading's Markdown with a trailing ``#`` escaped (not eaten as a closing sequence)."""
    return md[:-1] + "\\#" if md.endswith("#") else md


def safe_url(url: str | None) -> str | None:
    """An http(s) URL usable as a link target (spaces, parentheses, ``<>`` percent-encoded), else None."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), url)


def host_of(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def link(label: str, url: str | None) -> str:
    """``[label](url)`` for an http(s) URL; otherwise the label and the URL as plain, escaped text."""
    target = safe_url(url)
    if target:
        return f"[{md_inline(label)}]({target})"
    return f"{md_inline(label)} ({md_inline(url)})" if url else md_inline(label)
