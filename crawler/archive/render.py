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

An empty ``Source``/``Related`` section is left out; no line has trailing spaces; one newline ends the file.
Files are only written when their bytes change; ``.manifest.json`` in ``out_dir`` records the pages each day
owns, so pages of events that disappeared are removed (never files the manifest does not list).
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlite_utils

from crawler.archive.related import MAX_RELATED, _key_day, _Related, path_key  # noqa: F401 (path_key: tests)
from crawler.archive.slug import day_dir, day_index_path, display_text, event_path, unique_slugs

MANIFEST = ".manifest.json"
NO_CATEGORY = "Uncategorized"
DEFAULT_WIKI = "https://en.wikipedia.org/w/index.php"


@dataclass
class RenderStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    days: int = 0


# --- Markdown safety -------------------------------------------------------------------------------------

_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_INLINE_RE = re.compile(r"([\\`*_\[\]<>~])")
_AMP_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START_RE = re.compile(r"^(?:([#>+=|-])|(\d{1,9})([.)]))")
_URL_UNSAFE = re.compile(r"[\s()<>\\\"`\x00-\x1f\x7f]")


def fold(text: str | None) -> str:
    """All whitespace and control characters folded to single spaces (one line)."""
    return " ".join(_CONTROL_RE.sub(" ", text or "").split())


def clean(text: str | None) -> str:
    """Text as read from the database: HTML entities decoded (``&#039;`` → ``'``), then folded."""
    return fold(_ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text or ""))


def md_inline(text: str | None) -> str:
    """Text that stays literal inside a paragraph, heading or link text (no links, HTML, emphasis)."""
    text = _INLINE_RE.sub(r"\\\1", fold(text))
    return _AMP_RE.sub(r"\\&", text)


def md_paragraph(text: str | None) -> str:
    """Like md_inline, and a leading ``#``/``>``/``-``/``1.`` does not start a heading, quote or list."""
    text = md_inline(text)
    m = _BLOCK_START_RE.match(text)
    if m and m.group(1):
        return "\\" + text
    if m:
        return text[: m.end(2)] + "\\" + text[m.end(2):]
    return text


def md_heading(text: str | None) -> str:
    """Heading content: inline-escaped, and a trailing ``#`` is not eaten as a closing sequence."""
    return _unclosed(md_inline(text))


def _unclosed(md: str) -> str:
    return md[:-1] + "\\#" if md.endswith("#") else md


def safe_url(url: str | None) -> str | None:
    """An http(s) URL usable as a link target (spaces, parentheses, ``<>`` percent-encoded), else None."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), url)


def host_of(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def link(label: str, url: str | None) -> str:
    """``[label](url)`` for an http(s) URL; otherwise the label and the URL as plain, escaped text."""
    target = safe_url(url)
    if target:
        return f"[{md_inline(label)}]({target})"
    return f"{md_inline(label)} ({md_inline(url)})" if url else md_inline(label)


# --- reading the database --------------------------------------------------------------------------------

class _SlugCache:
    """Per-day ``{events.rowid: (event id, slug, Markdown of the display text)}``, LRU-bounded."""

    def __init__(self, db: sqlite_utils.Database, size: int = 8192):
        self.db, self.size, self.days = db, size, OrderedDict()

    def day(self, day: str) -> dict[int, tuple[str, str, str]]:
        if day in self.days:
            self.days.move_to_end(day)
            return self.days[day]
        rows = self.db.execute(
            "SELECT rowid, id, stories, text FROM events WHERE day = ? ORDER BY position", [day]).fetchall()
        texts = [clean(display_text(json.loads(stories or "[]"), text)) for _, _, stories, text in rows]
        out = {row[0]: (row[1], slug, md_inline(text))
               for row, slug, text in zip(rows, unique_slugs(texts), texts)}
        self.days[day] = out
        if len(self.days) > self.size:
            self.days.popitem(last=False)
        return out


def _day_rows(db: sqlite_utils.Database, day: str) -> tuple[list[dict], dict, dict]:
    events = [dict(zip(("rowid", "id", "category"), r)) for r in db.execute(
        "SELECT rowid, id, category FROM events WHERE day = ? ORDER BY position", [day])]
    entities: dict[str, list[tuple[int, str]]] = {}
    for event_id, entity_id, title in db.execute(
            "SELECT ee.event_id, ee.entity_id, en.title FROM event_entities ee "
            "JOIN events ev ON ev.id = ee.event_id JOIN entities en ON en.id = ee.entity_id "
            "WHERE ev.day = ? ORDER BY ee.event_id, ee.position", [day]):
        entities.setdefault(event_id, []).append((entity_id, clean(title)))
    sources: dict[str, list[dict]] = {}
    for row in db.execute(
            "SELECT es.event_id, es.outlet, es.cited_url, s.site_name, s.description FROM event_sources es "
            "JOIN events ev ON ev.id = es.event_id JOIN sources s ON s.id = es.source_id "
            "WHERE ev.day = ? ORDER BY es.event_id, es.position", [day]):
        sources.setdefault(row[0], []).append(
            dict(zip(("outlet", "cited_url", "site_name", "description"), row[1:])))
    return events, entities, sources


# --- pages -----------------------------------------------------------------------------------------------

def outlet_label(src: dict) -> str:
    """The outlet as cited; for a bare ``[URL]`` the page's declared site name, else the URL's host."""
    label = clean(src.get("outlet")) or clean(src.get("site_name")) or host_of(src.get("cited_url"))
    return label or "source"


def event_page(day: str, heading_md: str, sources: list[dict], related: list[tuple],
               titles: dict[int, str]) -> str:
    """The Markdown of one event page (see the module docstring for the layout)."""
    lines = [f"### [{day}]({day_index_path(day)})", "", f"# {_unclosed(heading_md)}", ""]
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


def render_day(db: sqlite_utils.Database, day: str, slugs: _SlugCache,
               related: _Related) -> tuple[dict[str, str], list[str]]:
    """``{file name: Markdown}`` of one day (empty when the day has no events), and the other days its Related
    lists link to."""
    events, entities, sources = _day_rows(db, day)
    if not events:
        return {}, []
    day_slugs = {event_id: (slug, md) for event_id, slug, md in slugs.day(day).values()}
    rel = related.for_day({ev["rowid"]: [e for e, _ in entities.get(ev["id"], [])] for ev in events})
    meta = next(db.query("SELECT title, revision_id, api_url FROM days WHERE day = ?", [day]), None)
    files = {"index.md": day_page(day, events, day_slugs, meta)}
    for ev in events:
        ents = entities.get(ev["id"], [])
        slug, heading = day_slugs[ev["id"]]
        files[f"{slug}.md"] = event_page(day, heading, sources.get(ev["id"], []), rel.get(ev["rowid"], []),
                                         dict(ents))
    targets = {_path_day(path) for items in rel.values() for _, path, _, _ in items} - {day}
    return files, sorted(targets)


def _path_day(path: str) -> str:
    """``/news/2017/01/7/<slug>.md`` → ``2017-01-07``."""
    year, month, day = path.split("/")[2:5]
    return f"{year}-{month}-{int(day):02d}"


# --- files -----------------------------------------------------------------------------------------------

def _load_manifest(out: Path) -> tuple[dict[str, list[str]], dict[str, list[str]] | None]:
    """(files written per day, other days each day's Related lists link to) from the last render; the links are
    None when that render did not record them (a manifest written before they were kept)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        links = data.get("links")
        return ({str(k): list(v) for k, v in data.get("days", {}).items()},
                {str(k): list(v) for k, v in links.items()} if isinstance(links, dict) else None)
    except (OSError, ValueError, AttributeError):
        return {}, {}


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


def _sync_day(out: Path, day: str, files: dict[str, str], owned: list[str], stats: RenderStats) -> None:
    folder = out / day_dir(day)
    for name, text in files.items():
        path, data = folder / name, text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                stats.unchanged += 1
                continue
        except OSError:
            folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, data)
        stats.written += 1
    for name in set(owned) - set(files):
        try:
            (folder / name).unlink()
            stats.removed += 1
        except FileNotFoundError:
            pass
    _prune_dirs(folder, out)


def _as_day(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)).isoformat()


def linked_days(db: sqlite_utils.Database, days: Iterable[str]) -> list[str]:
    """Days outside ``days`` with an event sharing an entity with an event of ``days`` now: days whose Related
    lists can gain a link into ``days`` (the lists that held a link to a since removed event are found through
    the render manifest)."""
    chosen = json.dumps(sorted(set(days)))
    rows = db.execute(
        "SELECT DISTINCT e2.day FROM events e1 JOIN event_entities a ON a.event_id = e1.id "
        "JOIN event_entities b ON b.entity_id = a.entity_id JOIN events e2 ON e2.id = b.event_id "
        "WHERE e1.day IN (SELECT value FROM json_each(?)) AND e2.day NOT IN (SELECT value FROM json_each(?)) "
        "ORDER BY e2.day", [chosen, chosen])
    return [r[0] for r in rows]


def render_archive(db: sqlite_utils.Database, out_dir: str | Path, *,
                   days: Iterable[str | date] | None = None, refresh_related: bool = False) -> RenderStats:
    """Write the event and day index pages of ``days`` (default: every day) under ``out_dir`` (``/news``).

    Only changed files are written; pages this renderer wrote earlier for those days and no longer produces
    are removed, with emptied directories. Related lists link into other days: after rendering a part of the
    archive, other days' pages lag until they are rendered again, unless ``refresh_related`` also renders the
    days that share an entity with it (``linked_days``; with very common entities, most of the archive) and the
    days whose pages, as last rendered, link into it (so a link to a removed event goes too; an output directory
    whose manifest predates the recorded links has all its days rendered again, once).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest, links = _load_manifest(out)
    if days is None:
        wanted = sorted({r[0] for r in db.execute("SELECT DISTINCT day FROM events")} | set(manifest))
    else:
        wanted = sorted({_as_day(d) for d in days})
        if refresh_related:
            chosen = set(wanted)
            # without recorded links, any rendered day may link into the range: all of them are rendered again
            linking = set(manifest) if links is None else {d for d, t in links.items() if chosen.intersection(t)}
            wanted = sorted(chosen | set(linked_days(db, wanted)) | linking)
    links = {} if links is None else links
    stats, slugs = RenderStats(), _SlugCache(db)
    related = _Related(db, slugs)
    snapshot = not db.conn.in_transaction
    if snapshot:
        db.conn.execute("BEGIN")  # one consistent view while a crawl may write
    try:
        for day in wanted:
            files, targets = render_day(db, day, slugs, related)
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
    finally:
        if snapshot:
            db.conn.execute("ROLLBACK")
        body = json.dumps({"version": 1, "days": dict(sorted(manifest.items())), "links": dict(sorted(links.items()))},
                          separators=(",", ":"))
        _write_atomic(out / MANIFEST, body.encode("utf-8"))
    return stats
