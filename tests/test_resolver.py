"""SafeResolver: names that resolve to non-public addresses are refused (RefusedName) and remembered.

No DNS lookup happens: the names are put in Scrapy's resolver cache (``scrapy.resolver.dnscache``), which
``CachingThreadedResolver`` answers from before it would ask the system resolver.
"""

from __future__ import annotations

import pytest
from scrapy.resolver import dnscache
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.net.safety import BlockedAddress
from crawler.scrapy import resolver as resolver_module
from crawler.scrapy.resolver import REFUSED_NAMES, RefusedName, SafeResolver, trusted_endpoints
from tests.conftest import project_crawler

ENDPOINTS = {
    "NEWSARCHIVE_WIKI_API": "http://wiki.test:8080/w/api.php",
    "NEWSARCHIVE_MIRROR": "",
    "NEWSARCHIVE_WAYBACK_URL": "https://archive.test",
    "NEWSARCHIVE_COMMONCRAWL_URL": "",
    "NEWSARCHIVE_COMMONCRAWL_DATA_URL": "",
    "NEWSARCHIVE_WIKIDATA_API": "",
}
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")


class NoReactor:
    """Stands in for the reactor: a name answered from the cache never reaches it."""

    def __getattr__(self, name):
        raise AssertionError(f"the resolver used the reactor ({name}): a real lookup was attempted")


@pytest.fixture(autouse=True)
def clean_state(monkeypatch):
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    saved = dict(REFUSED_NAMES)
    REFUSED_NAMES.clear()
    yield
    REFUSED_NAMES.clear()
    REFUSED_NAMES.update(saved)


@pytest.fixture
def resolves(monkeypatch):
    """``resolves(name, address)``: the system resolver would answer ``address`` for ``name``."""

    def put(name, address):
        monkeypatch.setitem(dnscache, name, address)

    return put


def make_resolver(**settings):
    crawler = project_crawler(**{**ENDPOINTS, "NEWSARCHIVE_ALLOW_NETWORKS": "", **settings})
    return SafeResolver.from_crawler(crawler, NoReactor())


def lookup(resolver, name):
    """The Deferred's outcome: an address, or a Failure (consumed, so Twisted logs nothing)."""
    out = []
    resolver.getHostByName(name).addBoth(out.append)
    assert len(out) == 1, "the lookup did not finish at once"
    return out[0]


def test_a_name_resolving_to_loopback_is_refused_and_remembered(resolves):
    resolves("evil.example", "127.0.0.1")
    result = lookup(make_resolver(), "evil.example")
    assert isinstance(result, Failure)
    assert isinstance(result.value, RefusedName)
    # Twisted takes it for a failed lookup (no traceback on the terminal), the crawl for a blocked address
    assert isinstance(result.value, DNSLookupError)
    assert isinstance(result.value, BlockedAddress)
    assert "evil.example resolves to 127.0.0.1 (loopback)" in str(result.value)
    assert REFUSED_NAMES == {"evil.example": "evil.example resolves to 127.0.0.1 (loopback)"}


@pytest.mark.parametrize(
    "address, reason",
    [
        ("10.1.2.3", "private network"),
        ("192.168.0.10", "private network"),
        ("169.254.169.254", "link-local (cloud metadata)"),
    ],
)
def test_non_public_addresses_are_refused(resolves, address, reason):
    resolves("inside.example", address)
    result = lookup(make_resolver(), "inside.example")
    assert isinstance(result, Failure) and isinstance(result.value, RefusedName)
    assert REFUSED_NAMES["inside.example"] == f"inside.example resolves to {address} ({reason})"


def test_names_are_remembered_in_lower_case(resolves):
    resolves("Evil.Example", "127.0.0.2")
    assert isinstance(lookup(make_resolver(), "Evil.Example"), Failure)
    assert "evil.example" in REFUSED_NAMES and "Evil.Example" not in REFUSED_NAMES


def test_a_public_address_passes(resolves):
    resolves("news.example.org", "93.184.216.34")
    assert lookup(make_resolver(), "news.example.org") == "93.184.216.34"
    assert REFUSED_NAMES == {}


def test_trusted_endpoint_names_resolve_freely(resolves):
    """The operator's wiki API (here a local stand-in) may live on a private address."""
    resolves("wiki.test", "127.0.0.1")
    resolves("archive.test", "10.0.0.7")
    resolver = make_resolver()
    assert lookup(resolver, "wiki.test") == "127.0.0.1"
    assert lookup(resolver, "archive.test") == "10.0.0.7"
    assert REFUSED_NAMES == {}


def test_a_proxy_from_the_environment_is_trusted(resolves, monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.test:3128")
    resolves("proxy.test", "10.0.0.1")
    assert lookup(make_resolver(), "proxy.test") == "10.0.0.1"


def test_allowed_networks_pass(resolves):
    resolves("local.example", "127.0.0.1")
    resolves("lan.example", "10.0.0.5")
    resolver = make_resolver(NEWSARCHIVE_ALLOW_NETWORKS="127.0.0.0/8")
    assert lookup(resolver, "local.example") == "127.0.0.1"
    assert isinstance(lookup(resolver, "lan.example"), Failure)  # only the networks listed


def test_nothing_is_refused_when_safe_targets_are_off(resolves):
    resolves("evil.example", "127.0.0.1")
    assert lookup(make_resolver(NEWSARCHIVE_SAFE_TARGETS=False), "evil.example") == "127.0.0.1"
    assert REFUSED_NAMES == {}


def test_check_refuses_and_passes_on_the_address_given():
    resolver = make_resolver()
    assert resolver._check("8.8.8.8", "dns.example") == "8.8.8.8"
    failed = []
    resolver._check("::1", "v6.example").addErrback(failed.append)
    assert isinstance(failed[0].value, RefusedName)
    assert REFUSED_NAMES["v6.example"] == "v6.example resolves to ::1 (loopback)"


def test_trusted_endpoints_are_scheme_host_port():
    crawler = project_crawler(**ENDPOINTS)
    assert trusted_endpoints(crawler.settings) == {
        ("http", "wiki.test", 8080),
        ("https", "archive.test", 443),
    }


def test_the_resolver_is_the_projects_twisted_resolver():
    assert project_crawler().settings.get("TWISTED_DNS_RESOLVER") == (
        f"{resolver_module.__name__}.{SafeResolver.__name__}"
    )
