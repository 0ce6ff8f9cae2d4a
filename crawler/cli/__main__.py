"""``python -m crawler.cli``: the ``newsarchive`` command."""

from crawler.cli import run

run()
