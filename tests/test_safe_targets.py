"""SafeTargetsMiddleware: URLs from wiki text never reach loopback, private or link-local targets."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import dnscache
from scrapy.utils.misc import build_from_crawler
from twisted.internet.error import DNSLookupError

from crawler.net.failures import classify_failure
from crawler.net.safety import BlockedAddress
from crawler.scrapy.middlewares.safe_targets import BlockedRequest, SafeTargetsMiddleware
from crawler.scrapy.resolver import REFUSED_NAMES, SafeResolver
from tests.conftest import project_crawler

SETTINGS = {
    "NEWSARCHIVE_WIKI_API": "http://127.0.0.1:7000/w/api.php",
    "NEWSARCHIVE_MIRROR": "",
    "NEWSARCHIVE_WAYBACK_URL": "",
    "NEWSARCHIVE_COMMONCRAWL_URL": "",
    "NEWSARCHIVE_COMMONCRAWL_DATA_URL": "",
    "NEWSARCHIVE_ALLOW_NETWORKS": "",
}


@pytest.fixture(autouse=True)
def clean_state(monkeypatch):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    saved = dict(REFUSED_NAMES)
    REFUSED_NAMES.clear()
    yield
    REFUSED_NAMES.clear()
    REFUSED_NAMES.update(saved)


def make_mw(**settings):
    return build_from_crawler(SafeTargetsMiddleware, project_crawler(**{**SETTINGS, **settings}))


@pytest.fixture
def mw():
    return make_mw()


def test_not_configured_when_switched_off():
    with pytest.raises(NotConfigured):
        make_mw(NEWSARCHIVE_SAFE_TARGETS=False)


@pytest.mark.parametrize(
    "url", ["https://news.example.org/story", "http://93.184.216.34/a", "https://[2606:4700::6810:85e5]/"]
)
def test_public_targets_pass(mw, url):
    assert mw.process_request(Request(url)) is None


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://127.0.0.1:8080/admin", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.5/", "10.0.0.5 is a private network address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local (cloud metadata) address",
        ),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address"),
        ("http://[fd00::1]/", "fd00::1 is a unique-local IPv6 address"),
        ("http://localhost:9200/_search", "localhost is a local name"),
        ("http://printer.local/", "printer.local is a local name"),
    ],
)
def test_non_public_targets_are_blocked(mw, url, reason):
    with pytest.raises(BlockedRequest) as exc:
        mw.process_request(Request(url))
    assert str(exc.value) == f"blocked address: {reason}"


def test_a_blocked_request_is_dropped_and_recorded_as_blocked_address(mw):
    with pytest.raises(BlockedRequest) as exc:
        mw.process_request(Request("http://192.168.1.1/"))
    assert isinstance(exc.value, IgnoreRequest)  # Scrapy drops it quietly
    assert isinstance(exc.value, BlockedAddress)
    assert classify_failure(exc.value)[0] == "blocked_address"


def test_non_http_schemes_are_blocked(mw):
    with pytest.raises(BlockedRequest, match="scheme 'ftp' is not http"):
        mw.process_request(Request("ftp://files.example.org/report.pdf"))


def test_the_trusted_endpoint_passes_but_not_its_neighbours(mw):
    assert mw.process_request(Request("http://127.0.0.1:7000/w/api.php?action=query")) is None
    with pytest.raises(BlockedRequest):
        mw.process_request(Request("http://127.0.0.1:7001/w/api.php"))  # another port: not the endpoint


def test_allowed_networks_pass():
    mw = make_mw(NEWSARCHIVE_ALLOW_NETWORKS="127.0.0.0/8, ::1/128")
    assert mw.process_request(Request("http://127.0.0.1:8080/page")) is None
    assert mw.process_request(Request("http://[::1]:8080/page")) is None
    assert mw.process_request(Request("http://localhost:8080/page")) is None  # a local name: loopback allowed
    with pytest.raises(BlockedRequest):
        mw.process_request(Request("http://10.0.0.1/"))


def test_failure_of_a_refused_name_becomes_a_blocked_request(mw):
    REFUSED_NAMES["evil.example"] = "evil.example resolves to 127.0.0.1 (loopback)"
    err = DNSLookupError("no results for hostname lookup: evil.example")
    with pytest.raises(BlockedRequest) as exc:
        mw.process_exception(Request("https://Evil.Example/story"), err)
    assert str(exc.value) == "blocked address: evil.example resolves to 127.0.0.1 (loopback)"


def test_failures_of_other_names_go_on(mw):
    REFUSED_NAMES["evil.example"] = "evil.example resolves to 127.0.0.1 (loopback)"
    err = DNSLookupError("no results for hostname lookup: news.example.org")
    assert mw.process_exception(Request("https://news.example.org/story"), err) is None


def test_resolver_and_middleware_together(mw, monkeypatch):
    """The resolver refuses the name; the connection error that follows is turned into a BlockedRequest."""
    monkeypatch.setitem(dnscache, "rebind.example", "10.9.8.7")
    resolver = SafeResolver.from_crawler(project_crawler(**SETTINGS), reactor=None)
    failures = []
    resolver.getHostByName("rebind.example").addErrback(failures.append)
    assert failures and failures[0].check(DNSLookupError)
    with pytest.raises(BlockedRequest, match="rebind.example resolves to 10.9.8.7 \\(private network\\)"):
        mw.process_exception(Request("https://rebind.example/x"), failures[0].value)
