"""Generated portal day pages citing bench pages, and the mirror's --url-map serving them.

Each day has ``events_per_day`` events (30); every fifth event cites two sources, the others one (1.2 on average,
36 sources a day). Pages are cited in order, one citation each, so N pages need ceil(N / 36) days.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bench.corpus import Page

CATEGORIES = ["Armed conflicts and attacks", "Arts and culture", "Business and economy", "Disasters and accidents",
              "International relations", "Law and crime", "Politics and elections", "Science and technology",
              "Sports"]
WORDS = ("government minister election parliament storm flood river city council court judge police report company "
         "market shares trade agreement talks summit president army rebels ceasefire aid hospital scientists study "
         "mission launch satellite museum festival team match final league record").split()
PLACES = ["Cairo", "Moscow", "Lagos", "Lima", "Oslo", "Hanoi", "Quito", "Accra", "Dhaka", "Riga", "Manila", "Tunis"]
CONTENT_TYPE = "text/html"  # no charset: the page's own declaration decides, as for most real servers


@dataclass(frozen=True)
class Site:
    wiki: Path  # directory of YYYY-MM-DD_revN.wiki
    url_map: Path  # JSON {url: spec} for crawler.devtools.devserver --url-map
    first: date
    last: date
    citations: list[tuple[Page, date]]  # every cited page with its event day, in citation order

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def sources_per_day(events_per_day: int = 30) -> int:
    return events_per_day + events_per_day // 5


def _outlet(url: str) -> str:
    host = (urlsplit(url).hostname or "example.org").removeprefix("www.")
    return host.split(".")[0].replace("-", " ").title() or "Example"


def build_site(root: Path, pages: list[Page], first: date, events_per_day: int = 30, seed: int = 1) -> Site:
    """Write day pages citing ``pages`` in order (the last day may be short) and the URL map."""
    rnd = random.Random(seed)
    wiki = root / "wiki"
    wiki.mkdir(parents=True, exist_ok=True)
    for old in wiki.glob("*.wiki"):
        old.unlink()
    citations: list[tuple[Page, date]] = []
    i, day_no = 0, 0
    while i < len(pages):
        day = first + timedelta(days=day_no)
        lines = [f"{{{{Current events|year={day.year}|month={day.month:02d}|day={day.day}|content=",
                 "<!-- All news items below this line -->"]
        for j in range(events_per_day):
            if i >= len(pages):
                break
            if j % 6 == 0:
                lines.append(f";{CATEGORIES[(day_no + j // 6) % len(CATEGORIES)]}")
            cites = []
            for _ in range(2 if j % 5 == 4 else 1):
                if i < len(pages):
                    cites.append(f"[{pages[i].url} ({_outlet(pages[i].url)})]")
                    citations.append((pages[i], day))
                    i += 1
            place, other = rnd.sample(PLACES, 2)
            words = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(12, 40)))
            lines.append(f"*In [[{place}]], the {words} after talks with [[{other}|officials of {other}]]. "
                         + " ".join(cites))
        lines.append("<!-- All news items above this line -->}}")
        (wiki / f"{day.isoformat()}_rev{100000 + day_no}.wiki").write_text("\n".join(lines) + "\n", encoding="utf-8")
        day_no += 1
    url_map = {p.url: {"file": p.path, "content_type": CONTENT_TYPE} for p in pages}
    map_path = root / "map.json"
    map_path.write_text(json.dumps(url_map), encoding="utf-8")
    return Site(wiki, map_path, first, first + timedelta(days=max(0, day_no - 1)), citations)


def check_site(site: Site, sample_days: int = 3) -> None:
    """The portal parser reads every generated citation back (a broken bench page would skew the figures)."""
    from crawler.portal.wikitext import parse_wikitext
    from crawler.net.urls import source_url

    by_day: dict[date, list[str]] = {}
    for page, day in site.citations:
        by_day.setdefault(day, []).append(page.url)
    for day in list(by_day)[:sample_days] + list(by_day)[-1:]:
        text = (site.wiki / f"{day.isoformat()}_rev{100000 + (day - site.first).days}.wiki").read_text()
        got = [source_url(s.url) for ev in parse_wikitext(text, day) for s in ev.sources]
        if got != by_day[day]:
            raise SystemExit(f"bench day {day}: the parser read {len(got)} citations, {len(by_day[day])} written")
