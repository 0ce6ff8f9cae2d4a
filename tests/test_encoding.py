"""Decoding fetched HTML bytes (crawler.extract.encoding)."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract.encoding import (
    charset_from_content_type,
    charset_from_meta,
    decode_html,
    normalize_charset,
)

TEXT = "Café crème — naïve façade, 13 février 2014 · Ägypten Öl Übergang"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_str_passes_through():
    assert decode_html("<p>déjà</p>") == ("<p>déjà</p>", "str")


@pytest.mark.parametrize(
    "label, expected",
    [("UTF-8", "utf-8"), ("utf8", "utf-8"), ("ISO-8859-1", "cp1252"), ("latin1", "cp1252"),
     ("windows-1256", "cp1256"), ("Shift_JIS", "shift_jis"), ("gb2312", "gb18030"), ("'koi8-r'", "koi8-r"),
     ("no-such-charset", None), ("", None), (None, None)],
)
def test_normalize_charset(label, expected):
    assert normalize_charset(label) == expected


def test_charset_sources():
    assert charset_from_content_type("text/html; charset=ISO-8859-15") == "iso8859-15"
    assert charset_from_content_type('text/html; charset="utf-8"') == "utf-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_meta(b'<meta charset="windows-1251">') == "cp1251"
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=euc-jp">'
    assert charset_from_meta(http_equiv) == "euc_jp"
    assert charset_from_meta(b"<p>no declaration</p>") is None


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                        (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_bom_wins_over_declarations(bom, codec):
    data = bom + page(TEXT, '<meta charset="iso-8859-1">').encode(codec)
    text, used = decode_html(data, "text/html; charset=iso-8859-1")
    assert TEXT in text and used == codec and not text.startswith("\ufeff")


def test_content_type_charset_used():
    data = page(TEXT).encode("cp1252")
    text, used = decode_html(data, "text/html; charset=windows-1252")
    assert TEXT in text and used == "cp1252"


def test_meta_charset_used_without_header():
    data = page("Египет и Россия", '<meta charset="windows-1251">').encode("cp1251")
    text, used = decode_html(data)
    assert "Египет и Россия" in text and used == "cp1251"


def test_header_beats_meta():
    latin9 = "Café crème, naïve façade: 13 février 2014, 5 €"
    data = page(latin9, '<meta charset="koi8-r">').encode("iso-8859-15")
    text, used = decode_html(data, "text/html; charset=ISO-8859-15")
    assert latin9 in text and used == "iso8859-15"


def test_utf8_mislabelled_as_latin1_is_recognised():
    data = page(TEXT, '<meta charset="iso-8859-1">').encode("utf-8")
    text, used = decode_html(data, "text/html; charset=ISO-8859-1")
    assert TEXT in text and used == "utf-8"


def test_wrong_declaration_that_fails_falls_through():
    data = page(TEXT).encode("utf-8")  # not valid ascii, declared ascii
    text, _ = decode_html(data, "text/html; charset=utf-16")
    assert TEXT in text


def test_undeclared_legacy_encoding_is_detected():
    body = ("Le gouvernement égyptien a annoncé jeudi que le ministre de la défense se rendrait à "
            "Moscou. Les négociations porteront sur la coopération militaire et économique entre les "
            "deux pays. ") * 6
    data = page(body).encode("cp1252")
    text, used = decode_html(data)
    assert "égyptien" in text and "négociations" in text and used != "utf-8"


def test_undeclared_utf8_and_ascii():
    assert decode_html(page(TEXT).encode("utf-8"))[1] == "utf-8"
    assert decode_html(b"<p>plain</p>")[0] == "<p>plain</p>"


def test_garbage_never_raises():
    data = b"<html><body>\xff\xfe\xfa\x80 broken \x81\x8d bytes</body></html>" * 3
    text, _ = decode_html(data, "text/html; charset=utf-8")
    assert "broken" in text
