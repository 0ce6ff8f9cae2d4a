"""Decoding fetched HTML bytes (crawler.extract.encoding)."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract.encoding import decode_html

TEXT = "Café crème — naïve façade, 13 février 2014 · Ägypten Öl Übergang"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_str_passes_through():
    assert decode_html("<p>déjà</p>") == ("<p>déjà</p>", "str")


@pytest.mark.parametrize("label, codec, expected", [
    ("ISO-8859-1", "cp1252", "cp1252"),  # WHATWG: latin-1 is windows-1252
    ("latin1", "cp1252", "cp1252"),
    ("windows-1256", "cp1256", "cp1256"),
    ("Shift_JIS", "cp932", "cp932"),
    ("gb2312", "gb18030", "gb18030"),
    ('"koi8-r"', "koi8-r", "koi8-r"),
])
def test_declared_labels(label, codec, expected):
    body = {"cp1256": "مصر وروسيا", "cp932": "エジプトとロシア", "gb18030": "埃及和俄罗斯",
            "koi8-r": "Египет и Россия"}.get(codec, "Café crème — naïve façade")
    data = page(body).encode(codec)
    text, used = decode_html(data, f"text/html; charset={label}")
    assert body in text and used == expected
    text, used = decode_html(page(body, f'<meta charset="{label.strip(chr(34))}">').encode(codec))
    assert body in text and used == expected


@pytest.mark.parametrize("label", ["gbk", "GB2312", "x-gbk"])
def test_a_gbk_label_reads_four_byte_gb18030_characters(label):
    body = "埃及和俄罗斯 😀 ḿ"  # the emoji and U+1E3F are four-byte sequences in gb18030, absent from gbk
    data = page(body).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    assert decode_html(data, f"text/html; charset={label}") == (page(body), "gb18030")


def test_meta_http_equiv_declaration():
    body = "日本とエジプトの会談"
    head = '<meta http-equiv="Content-Type" content="text/html; charset=euc-jp">'
    text, used = decode_html(page(body, head).encode("euc_jp"))
    assert body in text and used == "euc_jp"


def test_unknown_label_is_ignored():
    text, used = decode_html(page("Ägypten").encode("utf-8"), "text/html; charset=no-such-charset")
    assert "Ägypten" in text and used == "utf-8"


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


@pytest.mark.parametrize("label", ["ISO-8859-1", "windows-1252", "euc-kr", "gb2312"])
def test_utf8_mislabelled_is_recognised(label):
    data = page(TEXT + " 이집트 埃及", f'<meta charset="{label}">').encode("utf-8")
    text, used = decode_html(data, f"text/html; charset={label}")
    assert TEXT + " 이집트 埃及" in text and used == "utf-8"
    text, used = decode_html(data)
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
