"""Seeding the shared frontier and reading queue lengths (plain redis-py; no Scrapy)."""

from __future__ import annotations

import json
from datetime import date

from crawler.distributed import keys
from crawler.portal.titles import day_title, iter_days


def seed_days(r, days: list[date], per_request: int = 50) -> int:
    """Push day batches (≤50 titles each) as seeds; returns the number of seeds."""
    seeds = [json.dumps({"kind": "days", "titles": [day_title(d) for d in days[i : i + per_request]]})
             for i in range(0, len(days), per_request)]
    if seeds:
        r.rpush(keys.SEEDS, *seeds)
    return len(seeds)


def seed_range(r, start: date, end: date, per_request: int = 50, skip: set[str] = frozenset()) -> int:
    """Seed every day of the range not in ``skip`` (ISO days already complete) and remember the range."""
    r.sadd(keys.RANGES, json.dumps([start.isoformat(), end.isoformat()]))
    return seed_days(r, [d for d in iter_days(start, end) if d.isoformat() not in skip], per_request)


def seed_sources(r, rows: list[dict]) -> int:
    """Seed source fetches ({url, cited_url, day}) that must happen even if already requested once."""
    seeds = [json.dumps({"kind": "source", "url": x["url"], "cited_url": x["cited_url"], "day": x.get("day")})
             for x in rows]
    if seeds:
        r.rpush(keys.SEEDS, *seeds)
    return len(seeds)


def seed_entities(r, titles: list[str], per_request: int = 50) -> int:
    """Seed entity resolution batches (≤50 titles each) that must happen even if requested once."""
    seeds = [json.dumps({"kind": "entities", "titles": titles[i : i + per_request]}, ensure_ascii=False)
             for i in range(0, len(titles), per_request)]
    if seeds:
        r.rpush(keys.SEEDS, *seeds)
    return len(seeds)


def mark_sources_known(r, urls: list[str]) -> None:
    """Sources the archive already has (ok, or failed and not due): workers will not request them."""
    for i in range(0, len(urls), 1000):
        if urls[i : i + 1000]:
            r.sadd(keys.SOURCES_SEEN, *urls[i : i + 1000])


def queue_lengths(r, spider: str = "portal") -> dict:
    """Lengths of the shared structures, for monitoring."""
    return {
        "seeds": r.llen(keys.SEEDS),
        "frontier": r.zcard(keys.frontier_key(spider)),
        "items": r.llen(keys.ITEMS),
        "processing": r.llen(keys.PROCESSING),
        "sources_seen": r.scard(keys.SOURCES_SEEN),
        "workers": r.hlen(keys.ACTIVE),
        "busy_workers": sum(1 for _ in r.scan_iter(match=f"{keys.BUSY}:*", count=1000)),
        "leased": sum(r.hlen(k) for k in r.scan_iter(match=f"{keys.LEASES}:*", count=1000)),
    }
