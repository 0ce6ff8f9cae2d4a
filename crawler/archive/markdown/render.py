"""Render the archive's Markdown pages from the database (pure: a sqlite-utils Database and a directory).

Event page layout (as the sample ``seed/000_7a574500c5386c58.txt``)::

    ### [2014-02-13](/news/2014/02/13/index.md)
    <blank>
    # <stories>: <text>
    <blank>
    <description>            } only when a cited source has a description: the paragraph and the
    <blank>                  } two blank lines after it (as in the sample); otherwise the heading is
    <blank>                  } followed by one blank line
    ### Source:
    <blank>
    1. [Outlet](http://…)
    <blank>
    ### Related:
    <blank>
    1. [<stories>: <text>](/news/…/<slug>.md) _Context: A, B_   (shared entities, alphabetical as in the sample)
    <blank>
    ### Stories:                                                  } only for an event under stories (parent
    <blank>                                                       } bullets): links to their pages, outermost
    1. [<story>](/news/stories/<slug>.md)                         } first (``crawler.archive.markdown.stories``)

An empty ``Source``/``Related``/``Stories`` section is left out; no line has trailing spaces; one newline ends the file.
Files are only written when their bytes change; ``.manifest.json`` in ``out_dir`` records the pages each day
owns, so pages of events that disappeared are removed (never files the manifest does not list).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlite_utils

from crawler.archive.markdown.escape import clean, host_of, link, md_heading, md_inline, md_paragraph, safe_url, unclosed
from crawler.archive.markdown.related import Related
from crawler.archive.markdown.slug import SlugCache, day_dir, day_index_path, event_path
from crawler.archive.markdown.stories import STORIES_DIR, render_stories, story_links, story_slugs
from crawler.storage.events import (day_page_meta, day_rows, days_sharing_entities, days_with_events,
                                    read_snapshot)
from crawler.storage.stories import all_story_titles, day_stories, event_citations, stories_of_days, story_events

MANIFEST = ".manifest.json"
NO_CATEGORY = "Uncategorized"
DEFAULT_WIKI = "https://en.wikipedia.org/w/index.php"


@dataclass
class RenderStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    days: int = 0
    stories: int = 0


# --- pages -----------------------------------------------------------------------------------------------

def outlet_label(src: dict) -> str:
    """The outlet as cited; for a bare ``[URL]`` the page's declared site name, else the URL's host."""
    label = clean(src.get("outlet")) or clean(src.get("site_name")) or host_of(src.get("cited_url"))
    return label or "source"


def event_page(day: str, heading_md: str, sources: list[dict], related: list[tuple],
               titles: dict[int, str], stories: list[tuple[str, str]] = ()) -> str:
    """The Markdown of one event page (see the module docstring for the layout)."""
    lines = [f"### [{day}]({day_index_path(day)})", "", f"# {unclosed(heading_md)}", ""]
    description = next((d for d in (clean(s.get("description")) for s in sources) if d), "")
    if description:
        lines += [md_paragraph(description), "", ""]
    if sources:
        lines += ["### Source:", ""]
        lines += [f"{i}. {link(outlet_label(s), s.get('cited_url'))}" for i, s in enumerate(sources, 1)]
        lines.append("")
    if related:
        lines += ["### Related:", ""]
        for i, (_, path, md, shared) in enumerate(related, 1):
            names = ", ".join(md_inline(t) for t in sorted((titles[e] for e in shared), key=str.casefold))  # as the sample
            lines.append(f"{i}. [{md}]({path}) _Context: {names}_")
        lines.append("")
    if stories:
        lines += ["### Stories:", ""]
        lines += [f"{i}. [{title}]({path})" for i, (title, path) in enumerate(stories, 1)]
    return "\n".join(lines).rstrip("\n") + "\n"


def revision_url(api_url: str | None, revision_id: int) -> str:
    """``…/w/index.php?oldid=<rev>`` on the wiki the day page came from (English Wikipedia by default)."""
    base = DEFAULT_WIKI
    if api_url and safe_url(api_url):
        p = urlsplit(api_url)
        if p.path.endswith("api.php"):
            base = urlunsplit((p.scheme, p.netloc, p.path[:-len("api.php")] + "index.php", "", ""))
    return f"{base}?oldid={int(revision_id)}"


def day_page(day: str, events: list[dict], slugs: dict[str, tuple[str, str]], meta: dict | None) -> str:
    """The day index: the day's events grouped by category in page order, each linking to its page."""
    lines = [f"# {day}", ""]
    groups: dict[str | None, list[dict]] = {}
    for ev in events:
        groups.setdefault(clean(ev["category"]) or None, []).append(ev)
    for category, evs in groups.items():
        if category or len(groups) > 1:
            lines += [f"## {md_heading(category or NO_CATEGORY)}", ""]
        for i, ev in enumerate(evs, 1):
            slug, md = slugs[ev["id"]]
            lines.append(f"{i}. [{md}]({event_path(day, slug)})")
        lines.append("")
    if meta and meta.get("revision_id"):
        title = clean(meta.get("title")) or f"Portal:Current events ({day})"
        lines += ["---", "", (f"From {link(title, revision_url(meta.get('api_url'), meta['revision_id']))} "
                  f"(revision {int(meta['revision_id'])}), Wikipedia, CC BY-SA 4.0.")]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_day(db: sqlite_utils.Database, day: str, slugs: SlugCache, related: Related,
               stories: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """``{file name: Markdown}`` of one day (empty when the day has no events), and the other days its Related
    lists link to; ``stories`` maps each story to its page's slug."""
    events, entities, sources = day_rows(db, day)
    # one entry per canonical entity (two spellings of one page linked in one event count once)
    entities = {event_id: list({e: (e, clean(title)) for e, title in ents}.values())
                for event_id, ents in entities.items()}
    if not events:
        return {}, []
    day_slugs = {event_id: (slug, md) for event_id, slug, md in slugs.day(day).values()}
    rel = related.for_day({ev["rowid"]: [e for e, _ in entities.get(ev["id"], [])] for ev in events})
    meta = day_page_meta(db, day)
    chains = day_stories(db, day) if stories else {}
    files = {"index.md": day_page(day, events, day_slugs, meta)}
    for ev in events:
        ents = entities.get(ev["id"], [])
        slug, heading = day_slugs[ev["id"]]
        files[f"{slug}.md"] = event_page(day, heading, sources.get(ev["id"], []), rel.get(ev["rowid"], []),
                                         dict(ents), story_links(chains.get(ev["id"], []), stories or {}))
    targets = {_path_day(path) for items in rel.values() for _, path, _, _ in items} - {day}
    return files, sorted(targets)


def _path_day(path: str) -> str:
    """``/news/2017/01/7/<slug>.md`` → ``2017-01-07``."""
    year, month, day = path.split("/")[2:5]
    return f"{year}-{month}-{int(day):02d}"


# --- files -----------------------------------------------------------------------------------------------

def _load_manifest(out: Path) -> tuple[dict[str, list[str]], dict[str, list[str]] | None, dict[str, dict]]:
    """(files written per day, other days each day's Related lists link to, {story slug: {title, days}}) from the
    last render; the links are None when that render did not record them (a manifest written before they were
    kept)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        links = data.get("links")
        return ({str(k): list(v) for k, v in data.get("days", {}).items()},
                {str(k): list(v) for k, v in links.items()} if isinstance(links, dict) else None,
                {str(k): dict(v) for k, v in data.get("stories", {}).items()})
    except (OSError, ValueError, AttributeError):
        return {}, {}, {}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _prune_dirs(path: Path, root: Path) -> None:
    while path != root and root in path.parents:
        try:
            path.rmdir()
        except OSError:
            return
        path = path.parent


def _sync_file(path: Path, text: str, stats: RenderStats) -> None:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            stats.unchanged += 1
            return
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, data)
    stats.written += 1


def _remove(path: Path, out: Path, stats: RenderStats) -> None:
    try:
        path.unlink()
        stats.removed += 1
    except FileNotFoundError:
        return
    _prune_dirs(path.parent, out)


def _sync_day(out: Path, day: str, files: dict[str, str], owned: list[str], stats: RenderStats) -> None:
    folder = out / day_dir(day)
    for name, text in files.items():
        _sync_file(folder / name, text, stats)
    for name in set(owned) - set(files):
        _remove(folder / name, out, stats)
    _prune_dirs(folder, out)


def _sync_stories(db: sqlite_utils.Database, out: Path, titles: set[str], slugs: dict[str, str],
                  day_slugs: SlugCache, manifest: dict[str, dict], stats: RenderStats) -> None:
    """Write the pages of the stories ``titles``; remove the pages the manifest lists that no story has now (a
    story without events, or one whose slug moved)."""
    titled = {slug: title for title, slug in slugs.items()}
    for slug, text, days in render_stories(story_events(db, titles), slugs, day_slugs,
                                           lambda ids: event_citations(db, ids), outlet_label):
        _sync_file(out / STORIES_DIR / f"{slug}.md", text, stats)
        manifest[slug] = {"title": titled[slug], "days": days}
        stats.stories += 1
    for slug, entry in list(manifest.items()):
        if titled.get(slug) != entry.get("title"):
            _remove(out / STORIES_DIR / f"{slug}.md", out, stats)
            manifest.pop(slug)


def _as_day(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)).isoformat()


def render_archive(db: sqlite_utils.Database, out_dir: str | Path, *,
                   days: Iterable[str | date] | None = None, refresh_related: bool = False) -> RenderStats:
    """Write the event and day index pages of ``days`` (default: every day) under ``out_dir`` (``/news``).

    Only changed files are written; pages this renderer wrote earlier for those days and no longer produces
    are removed, with emptied directories. Related lists link into other days: after rendering a part of the
    archive, other days' pages lag until they are rendered again, unless ``refresh_related`` also renders the
    days that share an entity with it (with very common entities, most of the archive) and the days whose
    pages, as last rendered, link into it (so a link to a removed event goes too; an output directory
    whose manifest predates the recorded links has all its days rendered again, once).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest, links, story_manifest = _load_manifest(out)
    if days is None:
        wanted = sorted(set(days_with_events(db)) | set(manifest))
    else:
        wanted = sorted({_as_day(d) for d in days})
        if refresh_related:
            chosen = set(wanted)
            # without recorded links, any rendered day may link into the range: all of them are rendered again
            linking = set(manifest) if links is None else {d for d, t in links.items() if chosen.intersection(t)}
            wanted = sorted(chosen | set(days_sharing_entities(db, wanted)) | linking)
    links = {} if links is None else links
    stats, slugs = RenderStats(), SlugCache(db)
    related = Related(db, slugs)
    try:
        with read_snapshot(db):  # one consistent view while a crawl may write
            stories = story_slugs(all_story_titles(db))
            for day in wanted:
                files, targets = render_day(db, day, slugs, related, stories)
                _sync_day(out, day, files, manifest.get(day, []), stats)
                if files:
                    manifest[day] = sorted(files)
                    stats.days += 1
                else:
                    manifest.pop(day, None)
                if targets:
                    links[day] = targets
                else:
                    links.pop(day, None)
            if days is None:
                touched = set(stories)
            else:  # the stories of the days rendered, and those whose events on them are gone
                chosen = set(wanted)
                touched = stories_of_days(db, wanted) | {
                    v["title"] for v in story_manifest.values() if chosen.intersection(v.get("days", ()))}
            _sync_stories(db, out, touched & set(stories), stories, slugs, story_manifest, stats)
    finally:
        body = json.dumps({"version": 1, "days": dict(sorted(manifest.items())), "links": dict(sorted(links.items())),
                           "stories": dict(sorted(story_manifest.items()))}, separators=(",", ":"))
        _write_atomic(out / MANIFEST, body.encode("utf-8"))
    return stats
