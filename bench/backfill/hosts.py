"""What the real portal day pages say about citations: the host distribution and the shape of a day.

The day pages of ../shared/realdata/portal (wikitext and rendered HTML) are parsed with the project's own
parser (``crawler.portal``); web.archive.org citations count for the host they archive. ``scaled_hosts`` keeps
the hosts cited at least twice with their measured shares (the top ones about a tenth each) and spreads the
rest of the mass — what the sample's once-cited hosts stand for — as a Zipf tail over as many hosts as asked,
with the exponent fitted on the measured head.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REALDATA_PORTAL = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "portal"


@dataclass(frozen=True)
class PortalSample:
    hosts: Counter  # hostname (as cited, lower-case) -> citations
    citations: int
    events_per_day: list[int]  # full day pages only (abridged fixtures and excerpts left out)
    citations_per_day: list[int]
    citations_per_event: Counter  # n citations -> events
    wrapped: int  # citations that are web.archive.org URLs
    marked_dead: int  # citations marked {{Dead link}}
    pages: int

    @property
    def wrapped_share(self) -> float:
        return self.wrapped / self.citations

    @property
    def marked_dead_share(self) -> float:
        return self.marked_dead / self.citations


def read_sample(portal: Path = REALDATA_PORTAL) -> PortalSample:
    """Parse every real day page under ``portal``; SystemExit with a clear message when it is absent."""
    from crawler.portal import parse_day_file
    from crawler.net.wayback import unwrap_archive_url

    files = sorted((portal / "wikitext").glob("*.wiki")) + sorted((portal / "rendered_html").glob("*.html"))
    if not files:
        raise SystemExit(f"{portal} has no day pages: the backfill bench takes its host distribution from "
                         "../shared/realdata/portal")
    hosts: Counter = Counter()
    per_event: Counter = Counter()
    events_per_day, citations_per_day = [], []
    wrapped = marked = 0
    for path in files:
        events = parse_day_file(path)
        n = 0
        for ev in events:
            per_event[len(ev.sources)] += 1
            for src in ev.sources:
                inner = unwrap_archive_url(src.url)
                wrapped += inner is not None
                marked += bool(src.reported_dead)
                hosts[(urlsplit(inner[0] if inner else src.url).hostname or "").lower()] += 1
                n += 1
        if "ABRIDGED" not in path.name and "excerpt" not in path.name:
            events_per_day.append(len(events))
            citations_per_day.append(n)
    return PortalSample(hosts, sum(hosts.values()), events_per_day, citations_per_day, per_event, wrapped,
                        marked, len(files))


def zipf_exponent(counts: list[int]) -> float:
    """Least-squares slope of log(count) against log(rank) (counts in decreasing order)."""
    xs = [math.log(r) for r in range(1, len(counts) + 1)]
    ys = [math.log(c) for c in counts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return -sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 1.0


@dataclass(frozen=True)
class HostShares:
    hosts: list[tuple[str, float]]  # (hostname, share of citations), largest first; shares sum to 1
    head: int  # how many come from the sample with their measured share
    exponent: float  # Zipf exponent of the tail


def scaled_hosts(sample_hosts: Counter, n_hosts: int, min_head_count: int = 2) -> HostShares:
    """``n_hosts`` hosts: the sample's hosts cited ``min_head_count``+ times keep their share; the remaining
    mass follows rank^-s over the other ranks (s fitted on the head). Tail hosts are named after the sample's
    other hosts first, then ``www.outlet-NNNN.example``."""
    total = sum(sample_hosts.values())
    ranked = sample_hosts.most_common()
    head = [(h, c) for h, c in ranked if c >= min_head_count]
    rest = [h for h, c in ranked if c < min_head_count]
    if len(head) < 3:
        head, rest = ranked[:3], [h for h, _ in ranked[3:]]
    s = zipf_exponent([c for _, c in head])
    tail_mass = 1.0 - sum(c for _, c in head) / total
    n_tail = max(0, n_hosts - len(head))
    ranks = range(len(head) + 1, len(head) + n_tail + 1)
    weights = [r ** -s for r in ranks]
    norm = sum(weights) or 1.0
    names = rest + [f"www.outlet-{i:04d}.example" for i in range(max(0, n_tail - len(rest)))]
    shares = [(h, c / total) for h, c in head]
    shares += [(names[i], tail_mass * w / norm) for i, w in enumerate(weights)]
    return HostShares(shares, len(head), s)


def synthetic_shares(n_hosts: int, exponent: float = 1.1) -> HostShares:
    """A Zipf host distribution without the real pages (the small test's fallback without ../shared)."""
    weights = [r ** -exponent for r in range(1, n_hosts + 1)]
    norm = sum(weights)
    return HostShares([(f"www.site-{i:03d}.example", w / norm) for i, w in enumerate(weights)], 0, exponent)


def allocate(shares: list[tuple[str, float]], n: int) -> dict[str, int]:
    """Whole citation counts per host summing to ``n``: every host at least one, the rest by largest
    remainder."""
    hosts = [h for h, _ in shares]
    if n < len(hosts):
        hosts = hosts[:n]
        shares = shares[:n]
    base = {h: 1 for h in hosts}
    left = n - len(hosts)
    norm = sum(w for _, w in shares)
    exact = {h: left * w / norm for h, w in shares}
    for h in hosts:
        base[h] += int(exact[h])
    remainder = n - sum(base.values())
    for h in sorted(hosts, key=lambda h: exact[h] - int(exact[h]), reverse=True)[:remainder]:
        base[h] += 1
    return base
