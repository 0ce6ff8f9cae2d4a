"""How stored bodies are compressed: raw pages, day-page wikitext, bodies crossing Redis (pure, bytes in/out).

New blobs are Zstandard frames (level 1). Blobs of older archives are zlib streams: ``unpack`` tells the two apart
by the zstd frame's magic number, so an archive is never rewritten to be read.
"""

from __future__ import annotations

import zlib

import zstandard

ZSTD_LEVEL = 1
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # RFC 8878 §3.1.1; a zlib stream starts 0x78 (or 0x08-0x68 for small windows)

_compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
_decompressor = zstandard.ZstdDecompressor()


def pack(data: bytes) -> bytes:
    """``data`` as a Zstandard frame (with its content size, so ``unpack`` allocates once)."""
    return _compressor.compress(data)


def unpack(blob: bytes) -> bytes:
    """Inverse of ``pack``; also reads the zlib blobs of earlier versions."""
    blob = bytes(blob)
    if blob[:4] == ZSTD_MAGIC:
        return _decompressor.decompress(blob)
    return zlib.decompress(blob)


def pack_text(text: str | None) -> bytes | None:
    return pack(text.encode("utf-8")) if text is not None else None


def unpack_text(blob: bytes | None) -> str | None:
    return unpack(blob).decode("utf-8") if blob is not None else None
