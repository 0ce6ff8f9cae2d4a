"""HTML of the simulated web: news articles, "not found" pages, home pages, robots.txt.

An article has what a news page carries around its text — a navigation bar of section links, JSON-LD and Open
Graph metadata, a byline, related links, a footer — with 6–9 paragraphs (~400 words) drawn from a fixed pool
by the URL's hash, so the same URL always gets the same page. Pages are ~6 KB: a page to the extractor, small
enough that extraction CPU does not drown the politeness this bench is about.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date
from html import escape

SUBJECTS = ("The government", "The city council", "Officials", "The ministry", "Rescue teams",
            "The central bank", "Investigators", "The opposition", "Local residents", "Scientists",
            "The company", "Negotiators", "The court", "Aid agencies", "The army", "Election monitors",
            "The prime minister", "Police")
VERBS = ("said on Tuesday that", "announced that", "warned that", "confirmed that", "denied reports that",
         "told reporters that", "said in a statement that", "acknowledged that", "insisted that",
         "estimated that")
CLAUSES = ("the talks would resume next week after a pause of several months",
           "more than two hundred people had been moved from the flooded districts near the river",
           "the new budget would cut spending on roads while raising money for hospitals and schools",
           "the ceasefire had largely held overnight despite sporadic shelling near the border",
           "the vote count would be completed by the end of the week in every province",
           "the investigation into the collapse of the bridge was still at an early stage",
           "exports had fallen for a third consecutive quarter as demand weakened abroad",
           "the agreement still needed the approval of parliament before it could take effect",
           "the satellite had reached its planned orbit and was sending data back to the ground station",
           "the museum would reopen in the spring once repairs to the roof were finished",
           "prices for fuel and bread had risen sharply since the start of the year",
           "the rebels had withdrawn from two towns they had held since the summer",
           "the storm was expected to weaken as it moved inland over the mountains",
           "the team had been fined for fielding an ineligible player in the final",
           "the embassy would remain closed until the security situation improved")
SECTIONS = ("World", "Politics", "Business", "Markets", "Technology", "Science", "Health", "Sport", "Culture",
            "Opinion", "Weather", "Video", "Africa", "Americas", "Asia", "Europe", "Middle East")


def _rnd(key: str) -> random.Random:
    return random.Random(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))


def _paragraph(rnd: random.Random) -> str:
    sentences = [f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(CLAUSES)}."
                 for _ in range(rnd.randint(3, 5))]
    return " ".join(sentences)


def outlet_name(host: str) -> str:
    core = host.removeprefix("www.").split(".")[0]
    return core.replace("-", " ").title() or "News"


def _nav(host: str) -> str:
    links = "".join(f'<li><a href="http://{host}/{s.lower().replace(" ", "-")}/">{s}</a></li>'
                    for s in SECTIONS)
    return (f'<header class="site-header"><a class="logo" href="http://{host}/">'
            f'{escape(outlet_name(host))}</a><nav class="main-nav"><ul>{links}</ul></nav>'
            '<form action="/search"><input name="q"></form></header>')


def _footer(host: str) -> str:
    links = " | ".join(f'<a href="http://{host}/{p}">{p.title()}</a>'
                       for p in ("about", "contact", "privacy", "terms", "advertise", "careers"))
    return f'<footer class="site-footer"><p>{links}</p><p>&copy; {escape(outlet_name(host))}. All rights ' \
           'reserved.</p></footer><script>window.dataLayer=window.dataLayer||[];</script>'


def article(host: str, url: str, title: str, day: date) -> bytes:
    """A news article published on ``day``."""
    rnd = _rnd(url)
    outlet = escape(outlet_name(host))
    paras = "".join(f"<p>{_paragraph(rnd)}</p>" for _ in range(rnd.randint(6, 9)))
    related = "".join(f'<li><a href="http://{host}/news/{day.year}/related-{rnd.randint(1000, 9999)}.html">'
                      f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS).split(' ')[0]} "
                      f"{rnd.choice(CLAUSES)[:48]}</a></li>" for _ in range(6))
    author = rnd.choice(("Ada Writer", "Sam Reporter", "Lena Correspondent", "Omar Editor", "Kim Staff"))
    t = escape(title)
    iso = day.isoformat()
    ld = ('{"@context":"https://schema.org","@type":"NewsArticle","headline":"%s","datePublished":"%sT09:30:00Z",'
          '"author":{"@type":"Person","name":"%s"},"publisher":{"@type":"Organization","name":"%s"}}'
          % (t.replace('"', "'"), iso, author, outlet))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{t} | {outlet}</title>'
            f'<meta name="description" content="{t}."><meta property="og:title" content="{t}">'
            f'<meta property="og:site_name" content="{outlet}">'
            f'<meta property="article:published_time" content="{iso}T09:30:00+00:00">'
            f'<link rel="canonical" href="{escape(url)}">'
            f'<script type="application/ld+json">{ld}</script></head>'
            f'<body>{_nav(host)}<main><article><h1>{t}</h1><p class="byline">By <a rel="author" '
            f'href="http://{host}/authors/{author.lower().replace(" ", "-")}">{author}</a>, {iso}</p>'
            f'<div class="article-body">{paras}</div></article><aside class="related"><h2>More news</h2>'
            f'<ul>{related}</ul></aside></main>{_footer(host)}</body></html>').encode()


def not_found(host: str) -> bytes:
    """The page a site shows for a URL it no longer has (with status 404, or 200 for a soft 404)."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Page not found | '
            f'{escape(outlet_name(host))}</title></head><body>{_nav(host)}<main><h1>Page not found</h1>'
            "<p>Sorry, the page you requested cannot be found. It may have been moved or removed.</p>"
            f'<p><a href="http://{host}/">Go to the home page</a></p></main>{_footer(host)}'
            "</body></html>").encode()


def home(host: str) -> bytes:
    """A home page: headlines, no article."""
    rnd = _rnd(host)
    items = "".join(f'<li><a href="http://{host}/news/latest-{i}.html">{rnd.choice(SUBJECTS)} '
                    f"{rnd.choice(CLAUSES)[:50]}</a></li>" for i in range(20))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f'{escape(outlet_name(host))} - Latest news</title></head><body>{_nav(host)}<main>'
            f'<ul class="headlines">{items}</ul></main>{_footer(host)}</body></html>').encode()


def robots(crawl_delay: float = 0.0) -> bytes:
    """robots.txt: everything allowed but /private/; a host with a stated limit says it as Crawl-delay."""
    text = "User-agent: *\nDisallow: /private/\n"
    if crawl_delay:
        text += f"Crawl-delay: {crawl_delay:g}\n"
    return text.encode()


def error_page(status: int) -> bytes:
    return f"<html><body><h1>{status}</h1><p>Please try again later.</p></body></html>".encode()
