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
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .page import registered_domain

DATA = Path(__file__).with_name("data") / "headline_sources.json"


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, list], dict[str, list]]:
    """(by host, by registered domain); a registered domain shared by publishers with different orders is
    left out of the second map (the host must then match exactly)."""
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    by_host: dict[str, list] = {}
    by_domain: dict[str, list] = {}
    conflicts: set[str] = set()
    for host, entry in doc["publishers"].items():
        versions = [(date.fromisoformat(until) if until else None, tuple(order))
                    for until, order in entry["versions"]]
        by_host[host] = versions
        dom = registered_domain(host) or host
        if dom in by_domain and by_domain[dom] != versions:
            conflicts.add(dom)
        by_domain.setdefault(dom, versions)
    for dom in conflicts:
        by_domain.pop(dom, None)
    return by_host, by_domain


def headline_order(url: str | None, day: date | None = None) -> tuple[str, ...]:
    """The headline sources to try first for a page of ``url`` (empty: publisher unknown)."""
    if not url:
        return ()
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return ()
    by_host, by_domain = _table()
    versions = by_host.get(host)
    if versions is None and host.startswith("www."):
        versions = by_host.get(host[4:])
    if versions is None:
        versions = by_host.get("www." + host) or by_domain.get(registered_domain(host) or host)
    if not versions:
        return ()
    if day is not None:
        for until, order in versions:  # oldest first; the current version (until None) last
            if until is None or day < until:
                return order
    return versions[-1][1]
