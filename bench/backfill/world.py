"""The simulated web: day pages citing N sources over H hosts, each source's fate, the archive's captures.

``build_world`` writes ``wiki/YYYY-MM-DD_revN.wiki`` (served by ``crawler.devtools.devserver``'s API stand-in) and
``world.json`` (served by ``bench.backfill.server``), and returns the ground truth the analysis compares the
crawl's database with. Everything is drawn from one seeded generator, so a seed gives the same web.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.backfill import facts
from bench.backfill.hosts import HostShares, allocate
from bench.backfill.pages import outlet_name
from bench.site import CATEGORIES, PLACES, WORDS

SECTIONS = ("world", "news", "politics", "business", "article", "story", "international")
DEAD = ("http_404", "host_gone", "soft_404_page", "soft_404_home")


@dataclass
class Source:
    url: str  # normal form (what the crawl stores)
    host: str
    target: str  # path?query on the host
    day: date
    title: str
    fate: str = "live"  # or one of DEAD
    captures: list[tuple[str, int]] = field(default_factory=list)  # (14-digit timestamp, status)
    cited: str = ""  # the URL as cited (a web.archive.org URL for a wrapped citation)
    marked_dead: bool = False

    @property
    def recoverable(self) -> bool:
        """Dead, with a 200 capture within a year of the citing day (what the crawl's CDX window asks for)."""
        if self.fate == "live":
            return False
        lo, hi = self.day - timedelta(days=365), self.day + timedelta(days=365)
        return any(s == 200 and lo <= datetime.strptime(ts[:8], "%Y%m%d").date() <= hi
                   for ts, s in self.captures)


@dataclass
class World:
    root: Path
    wiki: Path
    spec: Path  # world.json
    first: date
    last: date
    as_of: date
    sources: list[Source]
    hosts: dict[str, dict]
    shares: HostShares

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def canon(url: str) -> str:
    """The archive's key for a URL (scheme, ``www.`` and host case do not matter — as SURT keys)."""
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    return host.lower().removeprefix("www.") + "/" + path


def _timestamp(rnd: random.Random, day: date, lo_days: float, hi_days: float) -> str:
    when = datetime(day.year, day.month, day.day) + timedelta(days=rnd.uniform(lo_days, hi_days))
    return when.strftime("%Y%m%d%H%M%S")


def _captures(rnd: random.Random, day: date) -> list[tuple[str, int]]:
    """Captures of a dead link: mostly one within days of the citation and some later; else none usable."""
    if rnd.random() < facts.ARCHIVED_SHARE:
        caps = [(_timestamp(rnd, day, 0, 2), 200)]
        caps += [(_timestamp(rnd, day, 3, 700), 200) for _ in range(rnd.randint(0, 3))]
        return sorted(caps)
    kind = rnd.random()
    if kind < 0.5:
        return []
    if kind < 0.75:  # first captured after it died
        return [(_timestamp(rnd, day, 3 * 365, 6 * 365), 404)]
    return [(_timestamp(rnd, day, 400, 900), 200)]  # only long after the citation (outside a ±1 year window)


def _day_counts(rnd: random.Random, n: int, events_per_day: list[int],
                per_event: dict[int, int]) -> list[list[int]]:
    """Citations of each event of each day, days until ``n`` citations (the last day cut short)."""
    sizes, weights = list(per_event), list(per_event.values())
    days, total = [], 0
    while total < n:
        day = []
        for _ in range(rnd.choice(events_per_day)):
            k = min(rnd.choices(sizes, weights)[0], n - total)
            if k <= 0:
                break
            day.append(k)
            total += k
        days.append(day)
    return days


def _title(rnd: random.Random) -> str:
    words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 8)))
    return f"{rnd.choice(PLACES)}: {words}".capitalize()


def _host_behaviour(rnd: random.Random, counts: dict[str, int], gone: set[str]) -> dict[str, dict]:
    out = {}
    for host, n in counts.items():
        lat = min(facts.LATENCY_CAP, math.exp(rnd.gauss(math.log(facts.LATENCY_MEDIAN), facts.LATENCY_SIGMA)))
        spec = {"lat": round(lat, 4), "limit": 0.0, "gone": host in gone, "bursts": []}
        if rnd.random() < facts.RATE_LIMITED_SHARE:
            spec["limit"] = rnd.choice(facts.RATE_LIMIT_INTERVALS)
        for share, statuses in ((facts.BURST_5XX_SHARE, (500, 502, 503)), (facts.BURST_429_SHARE, (429,))):
            if rnd.random() < share:
                spec["bursts"].append([rnd.randint(1, max(1, n)), rnd.randint(*facts.BURST_LENGTH),
                                       rnd.choice(statuses)])
        out[host] = spec
    return out


def build_world(root: Path, shares: HostShares, n_sources: int, first: date, as_of: date,
                events_per_day: list[int], per_event: dict[int, int], wrapped_share: float,
                marked_share: float, seed: int = 1) -> World:
    """The simulated web of ``n_sources`` cited sources from ``first`` on, as seen on ``as_of``."""
    rnd = random.Random(seed)
    layout = _day_counts(rnd, n_sources, events_per_day, per_event)
    counts = allocate(shares.hosts, n_sources)
    order = [h for h, c in counts.items() for _ in range(c)]
    rnd.shuffle(order)
    sources: list[Source] = []
    for d, events in enumerate(layout):
        day = first + timedelta(days=d)
        for _ in range(sum(events)):
            host = order[len(sources)]
            scheme = "https" if rnd.random() < 0.3 else "http"
            if rnd.random() < 0.1:
                target = f"/{rnd.choice(SECTIONS)}.aspx?id={rnd.randint(10000, 999999)}"
            else:
                slug = "-".join(rnd.choice(WORDS) for _ in range(rnd.randint(3, 6)))
                target = f"/{rnd.choice(SECTIONS)}/{day:%Y/%m/%d}/{slug}-{len(sources)}.html"
            url = f"{scheme}://{host}{target}"
            sources.append(Source(url, host, target, day, _title(rnd), cited=url))
    _assign_fates(rnd, sources, shares, as_of)
    _mark_citations(rnd, sources, wrapped_share, marked_share)
    hosts = _host_behaviour(rnd, counts, {s.host for s in sources if s.fate == "host_gone"})
    root.mkdir(parents=True, exist_ok=True)
    wiki = _write_days(rnd, root / "wiki", sources, layout, first)
    spec = root / "world.json"
    spec.write_text(json.dumps(_spec(sources, hosts, as_of)), encoding="utf-8")
    last = first + timedelta(days=len(layout) - 1)
    return World(root, wiki, spec, first, last, as_of, sources, hosts, shares)


def _assign_fates(rnd: random.Random, sources: list[Source], shares: HostShares, as_of: date) -> None:
    """Dead by age (facts.dead_share); a share of the dead is whole tail hosts gone, the rest per link."""
    age = lambda s: (as_of - s.day).days / 365.25  # noqa: E731
    expected_dead = sum(facts.dead_share(age(s)) for s in sources)
    by_host: dict[str, list[Source]] = {}
    for s in sources:
        by_host.setdefault(s.host, []).append(s)
    tail = [h for h, _ in shares.hosts[shares.head:] if h in by_host]
    rnd.shuffle(tail)
    gone, gone_n = set(), 0
    for h in tail:
        if gone_n >= expected_dead * facts.DEAD_KINDS["host_gone"]:
            break
        gone.add(h)
        gone_n += len(by_host[h])
    g = gone_n / len(sources)
    kinds = [k for k in DEAD if k != "host_gone"]
    weights = [facts.DEAD_KINDS[k] for k in kinds]
    for s in sources:
        if s.host in gone:
            s.fate = "host_gone"
        elif rnd.random() < max(0.0, (facts.dead_share(age(s)) - g) / (1 - g)):
            s.fate = rnd.choices(kinds, weights)[0]
        if s.fate != "live":
            s.captures = _captures(rnd, s.day)


def _mark_citations(rnd: random.Random, sources: list[Source], wrapped_share: float,
                    marked_share: float) -> None:
    """Some citations are web.archive.org URLs, some carry {{Dead link}} (shares from the real pages)."""
    archived = [s for s in sources if s.fate != "live" and any(st == 200 for _, st in s.captures)]
    for s in rnd.sample(archived, min(len(archived), round(wrapped_share * len(sources)))):
        s.cited = f"https://web.archive.org/web/{s.captures[0][0]}/{s.url}"
    dead = [s for s in sources if s.fate != "live" and s.cited == s.url]
    for s in rnd.sample(dead, min(len(dead), round(marked_share * len(sources)))):
        s.marked_dead = True


def _write_days(rnd: random.Random, wiki: Path, sources: list[Source], layout: list[list[int]],
                first: date) -> Path:
    wiki.mkdir(parents=True, exist_ok=True)
    for old in wiki.glob("*.wiki"):
        old.unlink()
    i = 0
    for d, events in enumerate(layout):
        day = first + timedelta(days=d)
        lines = [f"{{{{Current events|year={day.year}|month={day.month:02d}|day={day.day}|content=",
                 "<!-- All news items below this line -->"]
        for j, k in enumerate(events):
            if j % 6 == 0:
                lines.append(f";{CATEGORIES[(d + j // 6) % len(CATEGORIES)]}")
            cites = []
            for s in sources[i:i + k]:
                cite = f"[{s.cited} ({outlet_name(s.host)})]"
                if s.marked_dead:
                    cite += f"{{{{Dead link|date={(s.day + timedelta(days=2000)):%B %Y}}}}}"
                cites.append(cite)
            i += k
            place, other = rnd.sample(PLACES, 2)
            words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(12, 30)))
            lines.append(f"*In [[{place}]], the {words} after talks with [[{other}|officials of {other}]]. "
                         + " ".join(cites))
        lines.append("<!-- All news items above this line -->}}")
        path = wiki / f"{day.isoformat()}_rev{200000 + d}.wiki"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return wiki


def _spec(sources: list[Source], hosts: dict[str, dict], as_of: date) -> dict:
    """What the server needs: per host its behaviour and pages (fate, day, title), per URL its captures."""
    pages: dict[str, dict[str, list]] = {}
    captures: dict[str, list] = {}
    for s in sources:
        pages.setdefault(s.host, {})[s.target] = [s.fate, s.day.isoformat(), s.title]
        if s.captures:
            captures[canon(s.url)] = [[ts, st, s.host, s.target] for ts, st in s.captures]
    return {"as_of": as_of.isoformat(), "hosts": hosts, "pages": pages, "captures": captures}


def check_world(world: World) -> None:
    """Every URL is in the crawl's normal form and the portal parser reads each day's citations back."""
    from crawler.portal.wikitext import parse_wikitext
    from crawler.net.urls import source_url

    bad = [s.url for s in world.sources if source_url(s.url) != s.url or source_url(s.cited) != s.url]
    if bad:
        raise SystemExit(f"simulated web: {len(bad)} URLs not in normal form, e.g. {bad[0]}")
    by_day: dict[date, list[str]] = {}
    for s in world.sources:
        by_day.setdefault(s.day, []).append(s.url)
    for day in sorted(by_day)[:3] + sorted(by_day)[-1:]:
        path = next(world.wiki.glob(f"{day.isoformat()}_rev*.wiki"))
        got = [source_url(src.url) for ev in parse_wikitext(path.read_text(encoding="utf-8"), day)
               for src in ev.sources]
        if got != by_day[day]:
            raise SystemExit(f"simulated day {day}: the parser read {len(got)} citations, "
                             f"{len(by_day[day])} written")
