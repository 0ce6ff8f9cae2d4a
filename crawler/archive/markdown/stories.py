"""Story pages: one page per story (a parent bullet of the portal, e.g. "Egypt–Russia relations") under
``/news/stories/<slug>.md``, listing the story's events across all days in date order with their sources.

Layout::

    # <story>
    <blank>
    <n> events, <first day> … <last day>. [The story on Wikipedia](https://en.wikipedia.org/wiki/<story>)
    <blank>
    ### [YYYY-MM-DD](/news/YYYY/MM/D/index.md)
    <blank>
    1. [<stories>: <text>](/news/YYYY/MM/D/<slug>.md)
        - [Outlet](http://…)

Slugs as for events (``slug.slugify``), unique among all stories: of the titles that share a slug, the first in
sorted order keeps it and the others get ``-2``, ``-3``…
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from crawler.archive.markdown.escape import clean, link, md_heading, md_inline
from crawler.archive.markdown.slug import SlugCache, day_index_path, event_path, slugify

STORIES_DIR = "stories"
WIKI_PAGE = "https://en.wikipedia.org/wiki/"


def story_slugs(titles: Iterable[str]) -> dict[str, str]:
    """{story: slug} for every story of the archive."""
    used: set[str] = set()
    out = {}
    for title in sorted(set(titles)):
        base = slugify(clean(title))
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        out[title] = slug
    return out


def story_path(slug: str) -> str:
    return f"/news/{STORIES_DIR}/{slug}.md"


def wiki_url(title: str) -> str:
    """The story's page on English Wikipedia (a story name is the title of the page its bullet links to)."""
    return WIKI_PAGE + quote(clean(title).replace(" ", "_"), safe="()_,:'-.!")


def story_page(title: str, entries: list[tuple[str, str, str, list[dict]]], outlet_label) -> str:
    """The Markdown of one story page; ``entries`` are (day, event path, Markdown of its text, its sources) in
    date and page order."""
    days = [day for day, _, _, _ in entries]
    lines = [f"# {md_heading(clean(title))}", "",
             f"{len(entries)} event{'' if len(entries) == 1 else 's'}, {days[0]} … {days[-1]}. "
             f"{link('The story on Wikipedia', wiki_url(title))}", ""]
    n = 0
    for i, (day, path, md, sources) in enumerate(entries):
        if i == 0 or day != entries[i - 1][0]:
            if i:
                lines.append("")
            lines += [f"### [{day}]({day_index_path(day)})", ""]
            n = 0
        n += 1
        lines.append(f"{n}. [{md}]({path})")
        lines += [f"    - {link(outlet_label(s), s.get('cited_url'))}" for s in sources]
    return "\n".join(lines).rstrip("\n") + "\n"


def story_links(chain: list[str], slugs: dict[str, str]) -> list[tuple[str, str]]:
    """(Markdown title, path) of an event's story pages, outermost first."""
    return [(md_inline(clean(t)), story_path(slugs[t])) for t in chain if t in slugs]


def render_stories(rows, slugs: dict[str, str], day_slugs: SlugCache, citations, outlet_label) -> Iterable[
        tuple[str, str, list[str]]]:
    """(slug, Markdown, days) of each story in ``rows`` ((story, event rowid, event id, day) by story, day and
    page order, as ``crawler.storage.stories.story_events`` gives them); ``citations(event ids)`` reads their
    sources."""
    def page(title, events):
        cites = citations([event_id for _, event_id, _ in events])
        entries = []
        for rowid, event_id, day in events:
            _, slug, md = day_slugs.day(day)[rowid]
            entries.append((day, event_path(day, slug), md, cites.get(event_id, [])))
        return slugs[title], story_page(title, entries, outlet_label), sorted({d for _, _, d in events})

    current, events = None, []
    for title, rowid, event_id, day in rows:
        if title != current and events:
            yield page(current, events)
            events = []
        current = title
        events.append((rowid, event_id, day))
    if events:
        yield page(current, events)
