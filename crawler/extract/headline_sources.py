"""Which headline a known publisher calls *the* title — per-publisher data with dated versions (pure).

A news page carries several headlines: the SEO one (JSON-LD ``headline``, ``<title>``), the social one
(``og:title``) and the display one (the ``<h1>``); publishers differ in which is the article's title proper.
Without knowledge of the site, ``crawler.extract.title`` tries them in the order that is right most often.
For the publishers listed in ``data/headline_sources.json`` the order is known: the data say which source
each publisher's reference parser reads, with dated versions where a redesign changed it (the facts come
from the fundus project's publisher parsers). The version in force on the page's reference day (its date or
the crawl day) applies; without a day, the current one.

Sources: ``og``, ``jsonld``, ``h1``, ``twitter``, ``title`` (the candidate names of ``title_candidates``),
and ``meta:KEY`` for a named ``<meta>`` element.

A ``HeadlineSources`` table is immutable; ``without(domains)`` gives a copy that knows nothing about the
publishers of those registered domains. The extractor reaches it through ``crawler.extract.knowledge``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from .page import registered_domain

DATA = Path(__file__).with_name("data") / "headline_sources.json"

Versions = tuple[tuple[date | None, tuple[str, ...]], ...]  # (valid until, exclusive; None: current), order


class HeadlineSources:
    """Headline orders by host; a registered domain shared by publishers with different orders is only
    matched by exact host."""

    def __init__(self, by_host: Mapping[str, Versions]):
        self.by_host: Mapping[str, Versions] = MappingProxyType(dict(by_host))
        by_domain: dict[str, Versions] = {}
        conflicts: set[str] = set()
        for host, versions in self.by_host.items():
            dom = registered_domain(host) or host
            if dom in by_domain and by_domain[dom] != versions:
                conflicts.add(dom)
            by_domain.setdefault(dom, versions)
        self.by_domain: Mapping[str, Versions] = MappingProxyType(
            {d: v for d, v in by_domain.items() if d not in conflicts})

    @classmethod
    def load(cls, path: Path = DATA) -> HeadlineSources:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return cls({host: tuple((date.fromisoformat(until) if until else None, tuple(order))
                                for until, order in entry["versions"])
                    for host, entry in doc["publishers"].items()})

    def __len__(self) -> int:
        return len(self.by_host)

    def without(self, domains: Iterable[str]) -> HeadlineSources:
        """The same table without the publishers of these registered domains."""
        drop = set(domains)
        return HeadlineSources({h: v for h, v in self.by_host.items()
                                if (registered_domain(h) or h) not in drop})

    def order(self, url: str | None, day: date | None = None) -> tuple[str, ...]:
        """The headline sources to try first for a page of ``url`` (empty: publisher unknown)."""
        if not url:
            return ()
        host = (urlsplit(url).hostname or "").lower()
        if not host:
            return ()
        versions = self.by_host.get(host)
        if versions is None and host.startswith("www."):
            versions = self.by_host.get(host[4:])
        if versions is None:
            versions = self.by_host.get("www." + host) or self.by_domain.get(registered_domain(host) or host)
        if not versions:
            return ()
        if day is not None:
            for until, order in versions:  # oldest first; the current version (until None) last
                if until is None or day < until:
                    return order
        return versions[-1][1]
