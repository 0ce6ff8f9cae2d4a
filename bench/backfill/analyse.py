"""What a crawl did to the simulated web: per-host intervals, provoked 429s, the politeness lower bound, the
figure.

All durations are in simulated seconds (measured seconds × the time-scale factor). The lower bound is the
largest of what the crawl's own politeness — and the web's stated limits — allow for the requests the crawl
made:

- per host: its requests × the host's minimum interval (the crawl's DOWNLOAD_DELAY; AutoThrottle's latency /
  target concurrency; latency / per-host concurrency; the host's stated interval), the busiest host counting;
- the archive: its requests × NEWSARCHIVE_WAYBACK_DELAY (or latency / its concurrency), and its own limits
  (CDX and playback requests × 60 s / per-minute limit);
- everything: the sum of all answer times / CONCURRENT_REQUESTS.
"""

from __future__ import annotations

import sqlite3
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from bench.backfill import facts
from bench.backfill.server import ARCHIVE_HOST

# Arrival times are taken at the server: two requests a crawler released ``d`` apart can arrive a little
# closer (one waited on a new connection, or on a busy reactor). Gaps within this much of the promise are not
# counted.
TOLERANCE = 0.005  # measured seconds
LATE_SENDS_PER_GAPS = 10  # late sends excused: at most one per this many gaps of a host


def interval_breaches(times: list[float], interval: float,
                      tolerance: float = TOLERANCE) -> tuple[int, list[int]]:
    """(gaps below ``interval``, indexes of the gaps that breach it) for sorted arrival times.

    A request sent late — its process descheduled or its reactor busy after the crawl released it — arrives
    closer to the next one than the two were released. Such a short gap is a late send, not a breach, when the
    gap before it makes up for it (the two together hold twice the interval: the releases were spaced), as
    long as late sends stay isolated (at most one per LATE_SENDS_PER_GAPS gaps of the host); past that, every
    short gap is a breach."""
    gaps = [b - a for a, b in zip(times, times[1:])]
    short = [i for i, g in enumerate(gaps) if g < interval - tolerance]
    late = [i for i in short if i > 0 and gaps[i - 1] + gaps[i] >= 2 * interval - tolerance]
    if len(late) <= max(1, len(gaps) // LATE_SENDS_PER_GAPS):
        return len(short), [i for i in short if i not in late]
    return len(short), short


@dataclass(frozen=True)
class Politeness:
    """The crawl's configured politeness, in simulated seconds (settings before time scaling)."""
    download_delay: float
    jitter: float
    autothrottle: bool
    at_target: float
    per_domain: int
    concurrency: int
    wayback_delay: float
    wayback_concurrency: int

    @property
    def host_promise(self) -> float:
        """The shortest gap the settings allow between two requests to one host: delay × (1 - jitter)."""
        return self.download_delay * (1 - self.jitter)

    @property
    def archive_promise(self) -> float:
        return self.wayback_delay * (1 - self.jitter)


def politeness(overrides: dict[str, str]) -> Politeness:
    """The crawler's defaults (crawler.settings) with ``-s`` overrides applied (unscaled values)."""
    from crawler import settings as d

    def get(name, default=None):
        return overrides.get(name, getattr(d, name, default))

    def flag(value) -> bool:
        return str(value).strip().lower() not in ("0", "false", "no", "off", "")

    if "DOWNLOAD_DELAY_JITTER" in overrides:
        jitter = float(overrides["DOWNLOAD_DELAY_JITTER"])
    else:
        randomize = flag(get("RANDOMIZE_DOWNLOAD_DELAY", True))
        jitter = 0.5 if randomize else float(get("DOWNLOAD_DELAY_JITTER", 0.0))
    return Politeness(float(get("DOWNLOAD_DELAY")), jitter, flag(get("AUTOTHROTTLE_ENABLED")),
                      float(get("AUTOTHROTTLE_TARGET_CONCURRENCY")),
                      int(get("CONCURRENT_REQUESTS_PER_DOMAIN")), int(get("CONCURRENT_REQUESTS")),
                      float(get("NEWSARCHIVE_WAYBACK_DELAY")), int(get("NEWSARCHIVE_WAYBACK_CONCURRENCY")))


@dataclass
class HostStat:
    host: str
    requests: int
    min_gap: float  # simulated s (inf with one request)
    too_close: int  # gaps below the configured promise
    breaches: int  # of them, not isolated late sends (interval_breaches)
    closest: str  # kinds of the closest pair, e.g. "robots→page"
    stated: float
    latency: float  # mean modelled answer time
    bound: float


@dataclass
class Analysis:
    hosts: list[HostStat]
    archive: HostStat
    archive_kinds: dict[str, int]
    archive_gap_median: float
    components: dict[str, tuple[float, str]]  # name -> (seconds, what)
    provoked_429: int
    provoked_429_archive: int
    other_429: int
    blocks: list[float]
    requests: int
    api_requests: int
    statuses: dict[str, int] = field(default_factory=dict)
    recovered: int = 0
    recoverable: int = 0
    dead: int = 0
    lost: int = 0
    missing: int = 0  # of the lost: not in the database at all (their day page not read)
    unsearched_dead: int = 0
    days: int = 0  # day pages stored

    @property
    def bound(self) -> float:
        return max(v for v, _ in self.components.values())

    @property
    def binding(self) -> str:
        return max(self.components, key=lambda k: self.components[k][0])

    @property
    def archive_per_recovered(self) -> float:
        return self.archive.requests / self.recovered if self.recovered else float("inf")


def _gaps(entries: list[dict], k: float, promise: float) -> tuple[float, int, int, str, float]:
    """(min gap, gaps below the promise, breaches, closest pair's kinds, median gap), simulated seconds."""
    entries = sorted(entries, key=lambda e: e["t"])
    gaps = [(b["t"] - a["t"], a, b) for a, b in zip(entries, entries[1:])]
    if not gaps:
        return float("inf"), 0, 0, "", float("nan")
    low = min(gaps, key=lambda g: g[0])
    short, breaches = interval_breaches([e["t"] for e in entries], promise / k)
    return (low[0] * k, short, len(breaches), f"{low[1]['k']}→{low[2]['k']}",
            statistics.median(g for g, _, _ in gaps) * k)


def analyse(entries: list[dict], pol: Politeness, k: float, world_hosts: dict[str, dict],
            cdx_per_minute: float, api_requests: int = 0) -> Analysis:
    by_host: dict[str, list[dict]] = defaultdict(list)
    for e in entries:
        if e["k"] != "block":
            by_host[e["h"]].append(e)
    hosts = []
    for host, es in by_host.items():
        if host == ARCHIVE_HOST or host not in world_hosts:
            continue
        lat = statistics.fmean(e["l"] for e in es)
        stated = world_hosts[host]["limit"]
        throttled = lat / pol.at_target if pol.autothrottle else 0.0
        interval = max(pol.download_delay, lat / pol.per_domain, throttled)
        served = sum(1 for e in es if not (e["s"] == 429 and e["w"] == "limit"))
        min_gap, close, breaches, pair, _ = _gaps(es, k, pol.host_promise)
        hosts.append(HostStat(host, len(es), min_gap, close, breaches, pair, stated, lat,
                              max(len(es) * interval, served * stated) + lat))
    hosts.sort(key=lambda h: h.bound, reverse=True)
    arch = by_host.get(ARCHIVE_HOST, [])
    kinds: dict[str, int] = defaultdict(int)
    for e in arch:
        kinds[e["k"] if e["s"] != 429 else "429"] += 1
    a_lat = statistics.fmean(e["l"] for e in arch) if arch else 0.0
    a_min, a_close, a_breaches, a_pair, a_median = _gaps(arch, k, pol.archive_promise)
    answered = [e for e in arch if e["s"] != 429]  # a polite crawl would not have sent the others
    cdx = sum(1 for e in answered if e["k"] == "cdx")
    playback = len(answered) - cdx
    archive_bound = max(len(arch) * pol.wayback_delay, len(arch) * a_lat / pol.wayback_concurrency)
    archive = HostStat(ARCHIVE_HOST, len(arch), a_min, a_close, a_breaches, a_pair, pol.wayback_delay, a_lat,
                       archive_bound)
    live = [e for e in entries if e["k"] != "block"]
    busiest = hosts[0] if hosts else HostStat("-", 0, 0, 0, 0, "", 0, 0, 0.0)
    busy_interval = (busiest.bound - busiest.latency) / max(1, busiest.requests)
    components = {
        "busiest host": (busiest.bound, f"{busiest.host}: {busiest.requests} requests, interval "
                                        f"{busy_interval:.3f} s"
                                        + (f" (states {busiest.stated:g} s)" if busiest.stated else "")),
        "archive (crawl's interval)": (archive_bound, f"{len(arch)} requests × {pol.wayback_delay:g} s"),
        "archive CDX limit": (cdx * 60 / cdx_per_minute,
                              f"{cdx} CDX queries answered × {60 / cdx_per_minute:g} s "
                              f"({cdx_per_minute:g}/min)"),
        "archive playback limit": (playback * 60 / facts.PLAYBACK_PER_MINUTE,
                                   f"{playback} playback requests answered × "
                                   f"{60 / facts.PLAYBACK_PER_MINUTE:g} s"),
        "global concurrency": (sum(e["l"] for e in live) / pol.concurrency,
                               f"{len(live)} requests, their answer times / {pol.concurrency}"),
    }
    provoked = [e for e in live if e["s"] == 429 and e["w"] == "limit"]
    other_429 = sum(1 for e in live if e["s"] == 429 and e["w"] != "limit")
    return Analysis(hosts, archive, dict(kinds), a_median, components, len(provoked),
                    sum(1 for e in provoked if e["a"]), other_429,
                    [e["d"] for e in entries if e["k"] == "block"], len(live), api_requests)


def add_database(result: Analysis, db_path, sources) -> None:
    """Statuses, recoveries and lost sources: the database against the simulated web's ground truth."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = {url: (status, rec, checked) for url, status, rec, checked in conn.execute(
            "SELECT url, status, recovered_from, archive_checked_at FROM sources")}
        result.days = conn.execute("SELECT count(*) FROM days").fetchone()[0]
    finally:
        conn.close()
    statuses: dict[str, int] = defaultdict(int)
    for status, _, _ in rows.values():
        statuses[status] += 1
    result.statuses = dict(sorted(statuses.items(), key=lambda kv: -kv[1]))
    result.recovered = sum(1 for _, rec, _ in rows.values() if rec == "wayback")
    result.lost = sum(1 for s in sources if rows.get(s.url, ("pending",))[0] in ("pending", None))
    result.missing = sum(1 for s in sources if s.url not in rows)
    result.dead = sum(1 for s in sources if s.fate != "live")
    result.recoverable = sum(1 for s in sources if s.recoverable)
    result.unsearched_dead = sum(1 for s in sources if s.fate != "live" and s.url in rows
                                 and rows[s.url][0] != "ok" and not rows[s.url][2])
