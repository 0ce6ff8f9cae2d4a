"""Decoding fetched HTML bytes to text (pure: no Scrapy).

w3lib reads the declarations (as Scrapy does): the byte-order mark, the charset of the HTTP ``Content-Type``,
then the document's own ``<meta charset>`` / ``http-equiv`` / XML declaration, with the WHATWG labels
(``latin-1`` is windows-1252). Unlike ``w3lib.encoding.html_to_unicode``, a declared charset is used only when
the bytes decode with it, and bytes that are valid UTF-8 (with non-ASCII characters) are read as UTF-8
whatever single- or multi-byte charset they are declared in: such pages, mislabelled UTF-8, would otherwise
come out as mojibake. Undeclared bytes that are not UTF-8 go to charset_normalizer's detection; the last
resort is UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

_SNIFF_BYTES = 16384
_UTF8 = codecs.lookup("utf-8").name


# WHATWG decodes every GBK label (gb2312, gbk, x-gbk, chinese …) with the gb18030 decoder, a superset of
# Python's gbk and gb2312 codecs, which fail on a page's four-byte gb18030 characters
_WHATWG_DECODER = {"gbk": "gb18030", "gb2312": "gb18030"}


def _codec(name: str | None) -> str | None:
    try:
        name = codecs.lookup(name).name if name else None
    except LookupError:
        return None
    return _WHATWG_DECODER.get(name, name)


def _looks_utf8(data: bytes) -> bool:
    """Non-ASCII bytes present and the whole input is valid UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:200_000]).best()
    except Exception:  # pragma: no cover - detection is best effort
        return None
    return _codec(best.encoding) if best is not None else None


def decode_html(data: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Decode HTML bytes; returns (text, codec name used). Strings are returned unchanged."""
    if isinstance(data, str):
        return data, "str"
    bom, mark = read_bom(data)
    if bom:
        name = _codec(bom) or "utf-8"
        return data[len(mark):].decode(name, errors="replace"), name
    declared = (http_content_type_encoding(content_type) if content_type else None,
                html_body_declared_encoding(data[:_SNIFF_BYTES]))
    for enc in map(_codec, declared):
        if not enc:
            continue
        if enc != _UTF8 and _looks_utf8(data):
            return data.decode("utf-8"), "utf-8"
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    if data.isascii() or _looks_utf8(data):
        return data.decode("utf-8"), "utf-8"
    enc = _detect(data)
    if enc:
        return data.decode(enc, errors="replace"), enc
    return data.decode("utf-8", errors="replace"), "utf-8"
