"""The canonical URL a page declares (crawler.extract.canonical)."""

from crawler.extract.canonical import declared_canonical

PAGE = "https://news.example.org/amp/2014/02/11/talks.html"


def head(tags: str) -> bytes:
    return f"<html><head><title>t</title>{tags}</head><body><p>text</p></body></html>".encode()


def test_link_rel_canonical_is_read_and_normalised():
    body = head('<link rel="canonical" href="HTTPS://News.Example.org/2014/02/11/talks.html?utm_source=x#top">')
    assert declared_canonical(body, PAGE) == "https://news.example.org/2014/02/11/talks.html"


def test_relative_href_resolves_against_the_page():
    assert declared_canonical(head('<link href="/2014/talks" rel="canonical">'), PAGE) == \
        "https://news.example.org/2014/talks"


def test_og_url_when_no_link():
    body = head('<meta property="og:url" content="https://wire.example.com/story/42">')
    assert declared_canonical(body, PAGE) == "https://wire.example.com/story/42"


def test_link_wins_over_og_url():
    body = head('<meta property="og:url" content="https://a.example/x/1">'
                '<link rel="canonical" href="https://b.example/y/2">')
    assert declared_canonical(body, PAGE) == "https://b.example/y/2"


def test_home_page_and_other_schemes_are_ignored():
    assert declared_canonical(head('<link rel="canonical" href="https://news.example.org/">'), PAGE) is None
    assert declared_canonical(head('<link rel="canonical" href="javascript:void(0)">'), PAGE) is None
    assert declared_canonical(head('<link rel="canonical" href="">'), PAGE) is None


def test_nothing_declared_or_no_head():
    assert declared_canonical(head(""), PAGE) is None
    assert declared_canonical(b"<body><link rel='canonical' href='https://x.example/a/b'></body>", PAGE) is None
    assert declared_canonical(b"", PAGE) is None
