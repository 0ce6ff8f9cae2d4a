from crawler.net.urls import normalize_url


def test_tracking_parameters_dropped_and_query_sorted():
    assert (normalize_url("http://News.Example.org/a?utm_source=rss&b=2&a=1&fbclid=x#top")
            == "http://news.example.org/a?a=1&b=2")


def test_default_port_fragment_and_protocol_relative():
    assert normalize_url("HTTPS://example.org:443/x#") == "https://example.org/x"
    assert normalize_url("//example.org/y") == "http://example.org/y"


def test_same_article_cited_two_ways_is_one_url():
    a = normalize_url("https://www.bbc.co.uk/news/world-asia-26166949#")
    b = normalize_url("https://www.bbc.co.uk/news/world-asia-26166949?utm_medium=social")
    assert a == b


def test_non_http_left_alone():
    assert normalize_url("mailto:someone@example.org") == "mailto:someone@example.org"
