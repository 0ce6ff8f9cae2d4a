"""Stored-body compression: Zstandard frames, and the zlib blobs of earlier versions still read."""

import zlib

import pytest

from crawler.storage.blobs import ZSTD_MAGIC, pack, pack_text, unpack, unpack_text

PAGE = ("<html><head><meta charset='utf-8'><title>Überschwemmung</title></head><body>"
        + "<p>The council met on Tuesday — 洪水 — to discuss the river flood defences.</p>" * 200
        + "</body></html>").encode("utf-8")


def test_pack_is_a_smaller_zstd_frame_that_unpacks_to_the_same_bytes():
    blob = pack(PAGE)
    assert blob[:4] == ZSTD_MAGIC
    assert len(blob) < len(PAGE) / 10
    assert unpack(blob) == PAGE


@pytest.mark.parametrize("level", [1, 3, 6, 9])
def test_zlib_blobs_of_earlier_versions_still_unpack(level):
    assert unpack(zlib.compress(PAGE, level)) == PAGE


def test_text_round_trip_none_and_memoryview():
    assert pack_text(None) is None and unpack_text(None) is None
    text = PAGE.decode("utf-8")
    assert unpack_text(pack_text(text)) == text
    assert unpack(memoryview(pack(b""))) == b""  # sqlite may hand back a buffer


def test_a_corrupt_blob_raises_rather_than_returning_garbage():
    with pytest.raises(Exception):
        unpack(pack(PAGE)[:-8])
    with pytest.raises(zlib.error):
        unpack(b"not compressed at all")
