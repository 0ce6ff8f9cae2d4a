"""The ``newsarchive`` command: a click group whose commands live in the modules beside this one (crawling in
``crawl`` and ``distributed``, reading the archive in ``archive``, saved pages in ``pages``)."""

from __future__ import annotations

import click

from crawler.cli.options import Failure, exit_now


class _Commands(click.Group):
    """Every command: an archive SQLite cannot use is a one-line error, whichever command opened it."""

    def invoke(self, ctx):
        from crawler.storage.errors import UnreadableArchive

        try:
            return super().invoke(ctx)
        except UnreadableArchive as err:
            raise Failure(str(err)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsarchive")
def main():
    """newsarchive: a news-event archive from Wikipedia's Current Events portal and its cited sources."""


def _register() -> None:
    from crawler.cli.archive import datasette_metadata, dedup, export, render, report, status
    from crawler.cli.crawl import crawl, update
    from crawler.cli.distributed import ingest, worker
    from crawler.cli.pages import extract, parse_day_cmd, reextract

    for command in (crawl, update, status, parse_day_cmd, extract, reextract, render, export, report, dedup,
                    datasette_metadata, worker, ingest):
        main.add_command(command)


_register()


def run() -> None:
    """The console script: ``main`` (click's standalone mode ends in SystemExit), then a quick exit."""
    try:
        main()
    except SystemExit as end:
        exit_now(end.code)
