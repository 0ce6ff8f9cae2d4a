"""Shared pytest fixtures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crawler.storage.sources import RetryPolicy

# The retry schedule tests store sources with (the project's defaults, written out)
RETRY = RetryPolicy(base=timedelta(hours=1), factor=4.0, max_attempts=5)


@pytest.fixture
def realdata() -> Path:
    """../shared/realdata beside the repository (real pages, read in place; never copied in)."""
    path = Path(__file__).parents[1].parent / "shared" / "realdata"
    if not path.is_dir():
        pytest.skip("../shared/realdata not found: real-page tests skipped")
    return path


# Tests never reach the network: real archive endpoints and the real wiki API are replaced for every
# subprocess the tests start (a test that needs a fake one passes its local URL explicitly).
OFFLINE = {"NEWSARCHIVE_WAYBACK_URL": "", "NEWSARCHIVE_COMMONCRAWL_URL": "", "NEWSARCHIVE_COMMONCRAWL_DATA_URL": "",
           "NEWSARCHIVE_WIKI_API": "http://127.0.0.1:9/w/api.php",
           "NEWSARCHIVE_WIKIDATA_API": "http://127.0.0.1:9/wd/api.php"}


@pytest.fixture(autouse=True, scope="session")
def offline_endpoints():
    import os

    saved = {k: os.environ.get(k) for k in OFFLINE}
    os.environ.update(OFFLINE)
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(autouse=True)
def e2e_marker_guard(request, monkeypatch):
    """A test that starts a subprocess or a server must carry the ``e2e`` marker (so ``-m "not e2e"`` stays a fast,
    self-contained subset): without it, starting one fails the test."""
    if request.node.get_closest_marker("e2e") is None:
        import socket
        import subprocess

        def refuse(*args, **kwargs):
            raise AssertionError(f"{request.node.nodeid} starts a subprocess or a server: mark it @pytest.mark.e2e")

        monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
        monkeypatch.setattr(socket.socket, "listen", refuse)
    yield


def project_crawler(spidercls=None, **settings):
    """A crawler (Scrapy's ``get_crawler``) with the project's settings, ``settings`` over them."""
    from scrapy.utils.test import get_crawler

    from crawler import settings as project

    values = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    values.pop("TWISTED_REACTOR", None)
    return get_crawler(spidercls, {**values, **settings})
