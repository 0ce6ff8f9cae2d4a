"""Reads behind the story pages: the stories of events (their parent bullets), by canonical title where the story
name was resolved to a page (``entities.canonical_title``), as written otherwise (pure: rows out)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import sqlite_utils

# each event's stories in chain order (``key`` orders them), canonical where resolved
_STORIES = ("SELECT ev.rowid, ev.id, ev.day, ev.position, j.key, COALESCE(en.canonical_title, j.value) AS story "
            "FROM events ev JOIN json_each(ev.stories) j LEFT JOIN entities en ON en.title = j.value "
            "WHERE j.value <> ''")


def all_story_titles(db: sqlite_utils.Database) -> list[str]:
    """Every story of the archive (canonical titles), sorted."""
    return [r[0] for r in db.execute(f"SELECT DISTINCT story FROM ({_STORIES}) ORDER BY story")]


def day_stories(db: sqlite_utils.Database, day: str) -> dict[str, list[str]]:
    """{event id: its stories, outermost first, each once} for the events of ``day``."""
    out: dict[str, list[str]] = {}
    for _, event_id, _, _, _, story in db.execute(f"{_STORIES} AND ev.day = ? ORDER BY ev.position, j.key", [day]):
        chain = out.setdefault(event_id, [])
        if story not in chain:
            chain.append(story)
    return out


def stories_of_days(db: sqlite_utils.Database, days: Iterable[str]) -> set[str]:
    """The stories of the events of ``days``."""
    chosen = json.dumps(sorted(set(days)))
    return {r[0] for r in db.execute(
        f"SELECT DISTINCT story FROM ({_STORIES} AND ev.day IN (SELECT value FROM json_each(?)))", [chosen])}


def story_events(db: sqlite_utils.Database, titles: Iterable[str]) -> Iterator[tuple[str, int, str, str]]:
    """(story, event rowid, event id, day) of every event of the stories ``titles``, by story, then day and page
    order (an event whose chain names a story twice comes once)."""
    chosen = json.dumps(sorted(set(titles)))
    yield from db.execute(
        f"SELECT story, rowid, id, day FROM ({_STORIES}) WHERE story IN (SELECT value FROM json_each(?)) "
        "GROUP BY story, rowid ORDER BY story, day, position", [chosen])


def event_citations(db: sqlite_utils.Database, event_ids: list[str]) -> dict[str, list[dict]]:
    """{event id: [{outlet, cited_url, site_name}]} in citation order."""
    out: dict[str, list[dict]] = {}
    for i in range(0, len(event_ids), 500):
        part = event_ids[i:i + 500]
        marks = ",".join("?" * len(part))
        for event_id, outlet, cited_url, site_name in db.execute(
                "SELECT es.event_id, es.outlet, es.cited_url, s.site_name FROM event_sources es "
                f"JOIN sources s ON s.id = es.source_id WHERE es.event_id IN ({marks}) "
                "ORDER BY es.event_id, es.position", part):
            out.setdefault(event_id, []).append({"outlet": outlet, "cited_url": cited_url, "site_name": site_name})
    return out
