"""The one writer of the distributed mode: drains the shared item queue into SQLite in batches, idempotently.

Reliable hand-over: a batch is moved atomically from the item queue to a processing list, written in one
transaction, and only then deleted; after a crash the processing list is written again first (writes are
idempotent), so no item is lost. Source requests leased by a worker that stopped renewing its alive key are
put back in the frontier (``crawler.distributed.leases``). When all shared queues stay empty, the seeded ranges
are checked against the database and whatever is still missing (days, never-fetched sources, never-resolved entity
titles) is seeded again.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import date

from crawler.distributed import keys
from crawler.distributed.codec import decode_item
from crawler.distributed.leases import requeue_orphans
from crawler.distributed.seeding import seed_days, seed_entities, seed_sources
from crawler.items import DayPage, EntityBatch, WikidataBatch
from crawler.portal.titles import iter_days
from crawler.storage.days import days_stored, save_day
from crawler.portal.entities import story_title
from crawler.storage.entities import range_titles, save_resolutions, titles_to_resolve
from crawler.storage.sources import RetryPolicy, pending_sources, save_source
from crawler.storage.wikidata import save_wikidata

logger = logging.getLogger(__name__)


@dataclass
class IngestStats:
    batches: int = 0
    items: int = 0
    days: int = 0
    sources: int = 0
    reseeded: int = 0
    requeued: int = 0  # leased requests of stopped workers put back in the frontier


def drain_once(r, db, batch: int, policy: RetryPolicy, stats: IngestStats | None = None) -> int:
    """Write one batch (a leftover processing batch first); returns the number of items written."""
    if not r.llen(keys.PROCESSING):
        pipe = r.pipeline(transaction=True)
        for _ in range(batch):
            pipe.lmove(keys.ITEMS, keys.PROCESSING, "LEFT", "RIGHT")
        pipe.execute()
    raws = r.lrange(keys.PROCESSING, 0, -1)
    if not raws:
        return 0
    days = sources = 0
    with db.atomic():
        for raw in raws:
            item = decode_item(raw)
            if isinstance(item, DayPage):
                save_day(db, item, item.wikitext)
                days += 1
            elif isinstance(item, EntityBatch):
                save_resolutions(db, item)
            elif isinstance(item, WikidataBatch):
                save_wikidata(db, item)
            else:
                save_source(db, item, item.article, policy)
                sources += 1
    r.delete(keys.PROCESSING)
    if stats is not None:
        stats.batches += 1
        stats.items += len(raws)
        stats.days += days
        stats.sources += sources
    return len(raws)


def queues_empty(r, spider: str = "portal") -> bool:
    """No shared work left: queues empty, no leased request (a live worker's, or a stopped one's not yet put
    back) and no live worker holding requests or items in flight."""
    if r.llen(keys.ITEMS) or r.llen(keys.PROCESSING) or r.llen(keys.SEEDS) or r.zcard(keys.frontier_key(spider)):
        return False
    for pattern in (f"{keys.LEASES}:*", f"{keys.BUSY}:*"):
        if next(r.scan_iter(match=pattern, count=1000), None) is not None:
            return False
    return True


def reseed_missing(r, db, per_request: int = 50) -> int:
    """Seed again what the seeded ranges still lack: days not stored, sources cited but never fetched, entity
    titles never resolved (a worker stopped holding them)."""
    n = 0
    for raw in r.smembers(keys.RANGES):
        start, end = (date.fromisoformat(x) for x in json.loads(raw))
        have = days_stored(db, start.isoformat(), end.isoformat())
        missing = [d for d in iter_days(start, end) if d.isoformat() not in have]
        n += seed_days(r, missing, per_request) and len(missing)
        # one seed per source (a seed is fetched even if requested before), for its earliest citing day
        n += seed_sources(r, pending_sources(db, start.isoformat(), end.isoformat()))
        links, stories = range_titles(db, start.isoformat(), end.isoformat())
        titles = titles_to_resolve(db, links + [t for t in map(story_title, stories) if t], None)
        n += seed_entities(r, titles, per_request)
    return n


def run_ingest(r, db, *, batch: int, policy: RetryPolicy, idle_exit: float = 0, poll: float = 0.5,
               reseed_rounds: int = 3, should_stop=lambda: False, on_batch=None) -> IngestStats:
    """Drain until stopped, or until every shared queue has been empty for ``idle_exit`` seconds."""
    stats = IngestStats()
    idle_since = None
    rounds = 0
    while not should_stop():
        written = drain_once(r, db, batch, policy, stats)
        if written:
            idle_since = None
            if on_batch:
                on_batch(stats)
            continue
        requeued = requeue_orphans(r, keys.frontier_key())
        if requeued:
            stats.requeued += requeued
            logger.warning("put back %d requests leased by a worker that stopped", requeued)
        if not queues_empty(r):
            idle_since = None
            time.sleep(poll)
            continue
        idle_since = idle_since or time.monotonic()
        quiet = time.monotonic() - idle_since
        if idle_exit and quiet >= idle_exit:
            if rounds < reseed_rounds:
                rounds += 1
                reseeded = reseed_missing(r, db)
                stats.reseeded += reseeded
                if reseeded:
                    logger.warning("re-seeded %d missing days/sources (a worker stopped mid-run?)", reseeded)
                    idle_since = None
                    continue
            break
        time.sleep(poll)
    return stats
