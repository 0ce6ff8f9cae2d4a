"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def realdata() -> Path:
    """../shared/realdata beside the repository (real pages, read in place; never copied in)."""
    path = Path(__file__).parents[1].parent / "shared" / "realdata"
    if not path.is_dir():
        pytest.skip("../shared/realdata not found: real-page tests skipped")
    return path
