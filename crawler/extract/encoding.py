"""Decoding fetched HTML bytes to text (pure: no Scrapy).

Order of trust: byte-order mark, the charset of the HTTP ``Content-Type``, the document's own
``<meta charset>`` / ``<meta http-equiv="Content-Type">`` declaration (first 16 KiB),
then detection with charset_normalizer, then UTF-8 with replacement characters.
A declared charset is only used when the bytes actually decode with it (a page served as
``latin-1`` that is really UTF-8 is common; a strict decode failure falls through to the next
source, and a UTF-8 page mislabelled as ISO-8859-1/windows-1252 is recognised).
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_SNIFF_BYTES = 16384
# labels browsers treat as windows-1252 (WHATWG encoding standard)
_ALIASES = {
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "utf8": "utf-8",
    "unicode": "utf-8",
}


_SINGLE_BYTE_LATIN = {codecs.lookup(x).name for x in ("cp1252", "iso-8859-15", "latin-1")}


def normalize_charset(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value."""
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return normalize_charset(m.group(1)) if m else None


def charset_from_meta(data: bytes) -> str | None:
    """The charset declared by ``<meta charset>`` / ``http-equiv`` in the document head."""
    m = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return normalize_charset(m.group(1).decode("ascii", "ignore")) if m else None


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _try(data: bytes, enc: str | None) -> str | None:
    if not enc:
        return None
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_utf8(data: bytes) -> bool:
    """Non-ASCII bytes present and the whole input is valid UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Decode HTML bytes; returns (text, codec name used). Strings are returned unchanged."""
    if isinstance(data, str):
        return data, "str"
    bom = _bom(data)
    if bom:
        name, n = bom
        return data[n:].decode(name, errors="replace"), name
    for enc in (charset_from_content_type(content_type), charset_from_meta(data)):
        if not enc:
            continue
        if enc in _SINGLE_BYTE_LATIN and _looks_utf8(data):
            # mislabelled UTF-8: every byte sequence decodes as cp1252, so check UTF-8 first
            return data.decode("utf-8"), "utf-8"
        text = _try(data, enc)
        if text is not None:
            return text, enc
    if data.isascii() or _looks_utf8(data):
        return data.decode("utf-8"), "utf-8"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            enc = normalize_charset(best.encoding) or best.encoding
            return data.decode(enc, errors="replace"), enc
    except Exception:  # pragma: no cover - detection is best effort
        pass
    return data.decode("utf-8", errors="replace"), "utf-8"
