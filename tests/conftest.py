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
           "NEWSARCHIVE_WIKI_API": "http://127.0.0.1:9/w/api.php"}


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
