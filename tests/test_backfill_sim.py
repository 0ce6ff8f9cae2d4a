"""A small backfill against the simulated web of bench/backfill (a few hundred sources, 127.0.0.1 only), with
the crawler's default politeness (AutoThrottle on) at time scale ×2: every source ends with a recorded status,
and no host — the Wayback stand-in included — sees two requests closer than the crawl's configured interval.

Arrivals are timed at the server; a request the crawler sent late (its process descheduled on a busy machine)
arrives close to the next one although the two were released far enough apart: such isolated late sends are
told from breaches by ``bench.backfill.analyse.interval_breaches``."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bench.backfill import facts
from bench.backfill.analyse import interval_breaches, politeness
from bench.backfill.crawl import run_crawl
from bench.backfill.hosts import REALDATA_PORTAL, read_sample, scaled_hosts, synthetic_shares
from bench.backfill.server import ARCHIVE_HOST
from bench.backfill.world import build_world

pytestmark = pytest.mark.e2e

SCALE = 2.0
SOURCES = 200
HOSTS = 30


def _web(root: Path):
    """The real pages' host distribution and day shape when ../shared/realdata is there, else a Zipf stand-in
    (this test checks the crawl's politeness, which does not depend on whose hosts they are)."""
    if (REALDATA_PORTAL / "wikitext").is_dir():
        sample = read_sample()
        shares = scaled_hosts(sample.hosts, HOSTS)
        shape = (sample.events_per_day, dict(sample.citations_per_event), sample.wrapped_share,
                 sample.marked_dead_share)
    else:
        shares = synthetic_shares(HOSTS)
        shape = ([18, 20, 22], {1: 6, 2: 2, 3: 1}, 0.02, 0.01)
    # 2022 citations seen at the end of 2026: ~13% dead, so the archive gets a few dozen lookups
    return build_world(root, shares, SOURCES, date(2022, 1, 1), date(2026, 12, 1), *shape)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("backfill")
    world = _web(root / "web")
    run = run_crawl(world, root / "run", [], SCALE, facts.CDX_PER_MINUTE, progress=False, max_seconds=240)
    assert run.returncode == 0, run.output[-2000:]
    return world, run, root / "run" / "archive.db"


def _arrivals(entries: list[dict]) -> dict[str, list[tuple[float, str]]]:
    out: dict[str, list[tuple[float, str]]] = {}
    for e in entries:
        if e["k"] != "block":
            out.setdefault(e["h"], []).append((e["t"], e["k"]))
    return {h: sorted(v) for h, v in out.items()}


def _breaches(arrivals: list[tuple[float, str]], interval: float) -> list[str]:
    """Gaps below ``interval`` (measured seconds) that are not isolated late sends, as 'kind→kind gap'."""
    _, idx = interval_breaches([t for t, _ in arrivals], interval)
    return [f"{arrivals[i][1]}→{arrivals[i + 1][1]} {arrivals[i + 1][0] - arrivals[i][0]:.4f} s" for i in idx]


def test_every_source_ends_with_a_recorded_status(crawl):
    world, _, db = crawl
    conn = sqlite3.connect(db)
    statuses = dict(conn.execute("SELECT url, status FROM sources").fetchall())
    conn.close()
    missing = [s.url for s in world.sources if s.url not in statuses]
    pending = [s.url for s in world.sources if statuses.get(s.url) == "pending"]
    assert not missing and not pending, (f"{len(missing)} sources not in the database, {len(pending)} "
                                         f"pending, e.g. {(missing + pending)[:3]}")
    dead = [s for s in world.sources if s.fate != "live"]
    assert dead and any(statuses[s.url] == "ok" for s in dead)  # the archive was used and recovered some


def test_no_host_saw_two_requests_closer_than_the_configured_delay(crawl):
    world, run, _ = crawl
    pol = politeness({})
    arrivals = _arrivals(run.entries)
    promise = pol.host_promise / SCALE  # DOWNLOAD_DELAY × (1 - jitter), in measured seconds
    hosts = [h for h in arrivals if h != ARCHIVE_HOST]
    assert len(hosts) >= HOSTS // 2 and sum(len(arrivals[h]) for h in hosts) >= SOURCES
    close = {h: _breaches(arrivals[h], promise) for h in hosts}
    close = {h: v for h, v in close.items() if v}
    assert not close, f"closer than {promise:.4f} s (measured): {close}"


def test_the_archive_saw_no_two_requests_closer_than_its_configured_delay(crawl):
    _, run, _ = crawl
    pol = politeness({})
    arrivals = _arrivals(run.entries).get(ARCHIVE_HOST, [])
    promise = pol.archive_promise / SCALE  # NEWSARCHIVE_WAYBACK_DELAY × (1 - jitter), measured seconds
    assert len(arrivals) >= 10
    close = _breaches(arrivals, promise)
    assert not close, (f"{len(close)} of {len(arrivals) - 1} gaps between archive requests below the "
                       f"configured {promise:.3f} s (NEWSARCHIVE_WAYBACK_DELAY {pol.wayback_delay:g} s / "
                       f"{SCALE:g}, jitter ±{pol.jitter:.0%}): {close[:8]}")
