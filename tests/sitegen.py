"""Generate a small synthetic portal + article site (day pages, article HTML, a --url-map) for crawl tests."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

WORDS = ("government minister election parliament storm flood river city council court judge police report "
         "company market shares trade agreement talks summit president army rebels ceasefire aid hospital "
         "scientists study mission launch satellite museum festival team match final league record").split()
PLACES = ["Cairo", "Moscow", "Lagos", "Lima", "Oslo", "Hanoi", "Quito", "Accra", "Dhaka", "Riga"]


def article_html(title: str, day: date, seed: int) -> str:
    rnd = random.Random(seed)
    paras = "\n".join(
        "<p>" + " ".join(rnd.choice(WORDS) for _ in range(45)).capitalize() + ".</p>" for _ in range(6))
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Example Wire</title>
<meta property="og:title" content="{title}"><meta name="description" content="Summary of {title.lower()}.">
<meta property="article:published_time" content="{day.isoformat()}T09:30:00+00:00"></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<article><h1>{title}</h1><p class="byline">By Ada Writer</p>{paras}</article>
<footer>© Example Wire. All rights reserved.</footer></body></html>"""


def build_site(root: Path, first: date, days: int, events_per_day: int = 3, skip=(), shared_every: int = 0,
               delay: float = 0.0) -> dict:
    """Write ``root/wiki/*.wiki``, ``root/articles/*.html`` and ``root/map.json``; returns paths and URL list."""
    wiki, arts = root / "wiki", root / "articles"
    wiki.mkdir(parents=True, exist_ok=True)
    arts.mkdir(parents=True, exist_ok=True)
    url_map, urls = {}, []
    for i in range(days):
        day = first + timedelta(days=i)
        if day in skip:
            continue
        lines = [f"{{{{Current events|year={day.year}|month={day.month:02d}|day={day.day}|content=",
                 "<!-- All news items below this line -->", ";Armed conflicts and attacks"]
        for j in range(events_per_day):
            place = PLACES[(i + j) % len(PLACES)]
            url = f"http://news{j % 3}.example.com/{day.isoformat()}/story-{j}.html"
            title = f"Story {j} from {place} on {day.isoformat()}"
            path = arts / f"{day.isoformat()}-{j}.html"
            path.write_text(article_html(title, day, hash((i, j)) & 0xFFFF), encoding="utf-8")
            url_map[url] = {"file": str(path), "delay": delay}
            urls.append(url)
            cite = f"[{url} (Example Wire)]"
            if shared_every and i % shared_every == 0 and j == 0:
                cite += " [http://news0.example.com/shared/explainer.html (''Example Wire'')]"
                shared = arts / "shared.html"
                shared.write_text(article_html("The explainer", first, 7), encoding="utf-8")
                url_map["http://news0.example.com/shared/explainer.html"] = {"file": str(shared)}
            lines.append(f"*An event number {j} happens in [[{place}]] today. {cite}")
        lines.append("<!-- All news items above this line -->}}")
        (wiki / f"{day.isoformat()}_rev{1000 + i}.wiki").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "map.json").write_text(json.dumps(url_map), encoding="utf-8")
    return {"wiki": wiki, "map": root / "map.json", "urls": urls}
