"""``datasette-metadata.json`` for browsing the archive with Datasette (pure: writes one JSON file).

    datasette output/archive.db -m output/datasette-metadata.json
"""

from __future__ import annotations

import json
from pathlib import Path

WIKI_LICENSE = "CC BY-SA 4.0"
WIKI_LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"

TABLES = {
    "days": (("One row per day page of Portal:Current events asked for: status, the parsed revision "
             "(provenance) and its compressed wikitext."), {"sort_desc": "day"}),
    "events": (("Bullets of the day pages that carry their own text, in page order. Text from Wikipedia, "
               f"{WIKI_LICENSE}. Full-text search on text."), {"sort_desc": "day"}),
    "entities": (("Wikilink targets and story names of event texts, resolved through the wiki API: the page they "
                  "stand for after redirects (canonical_id), Wikidata id (qid), primary coordinates, red links."),
                 {}),
    "event_entities": (("Which event links which entity (as linked, and its canonical entity), with the link "
                        "text shown and its order."), {}),
    "wikidata_items": ("Wikidata items of resolved entities (--wikidata): English label, description, country.",
                       {}),
    "wikidata_types": ("P31 (instance of) types of the Wikidata items, in order.", {}),
    "wikidata_labels": ("English labels of the type and country items.", {}),
    "sources": (("One row per cited URL: fetch status and the extracted article fields. Article text "
                "belongs to its publishers. Full-text search on title and text."), {}),
    "event_sources": ("Citations: which event cites which source, with the outlet label as cited.", {}),
    "runs": ("One row per crawl run with its counters and software version.", {"sort_desc": "id"}),
}

QUERIES = {
    "events_by_entity": {
        "title": "Events linking an entity",
        "description": ("Events whose text links the given page title, or another title of the same page "
                        "(a redirect), newest first."),
        "sql": ("SELECT e.day, e.category, e.stories, e.text, ee.label, e.id FROM events e "
                "JOIN event_entities ee ON ee.event_id = e.id WHERE ee.canonical_id = "
                "(SELECT coalesce(canonical_id, id) FROM entities WHERE title = :title) "
                "ORDER BY e.day DESC, e.position"),
    },
    "events_by_qid": {
        "title": "Events linking a Wikidata item",
        "description": "Events whose text links the page of the given Wikidata id (e.g. Q85), newest first.",
        "sql": ("SELECT e.day, e.category, e.stories, e.text, ee.label, c.title, e.id FROM events e "
                "JOIN event_entities ee ON ee.event_id = e.id JOIN entities c ON c.id = ee.canonical_id "
                "WHERE c.qid = :qid ORDER BY e.day DESC, e.position"),
    },
    "related_events": {
        "title": "Events related to an event",
        "description": ("Other events sharing (canonical) entities with the given event id, most shared "
                        "first."),
        "sql": ("SELECT o.day, o.text, COUNT(DISTINCT me.canonical_id) AS shared, "
                "group_concat(DISTINCT en.title) AS context, o.id "
                "FROM event_entities me JOIN event_entities oe ON oe.canonical_id = me.canonical_id "
                "AND oe.event_id != me.event_id JOIN events o ON o.id = oe.event_id "
                "JOIN entities en ON en.id = me.canonical_id WHERE me.event_id = :event_id "
                "GROUP BY o.id ORDER BY shared DESC, o.day DESC LIMIT 50"),
    },
    "sources_by_status": {
        "title": "Sources by status",
        "description": "Cited sources with the given status (ok, pending, http_error, timeout…).",
        "sql": ("SELECT id, url, http_status, error, attempts, fetched_at, title, published FROM sources "
                "WHERE status = :status ORDER BY fetched_at DESC"),
    },
    "status_counts": {
        "title": "Sources per status",
        "sql": "SELECT status, COUNT(*) AS sources FROM sources GROUP BY status ORDER BY sources DESC",
    },
    "event_citations": {
        "title": "Citations of an event",
        "description": "The sources an event cites, in order, with their extracted fields.",
        "sql": ("SELECT es.position, es.outlet, es.cited_url, s.status, s.title, s.published, s.description "
                "FROM event_sources es JOIN sources s ON s.id = es.source_id WHERE es.event_id = :event_id "
                "ORDER BY es.position"),
    },
    "search_events": {
        "title": "Search event texts",
        "description": "FTS5 query over event texts (e.g. Lavrov AND Cairo).",
        "sql": ("SELECT e.day, e.category, e.text, e.id FROM events_fts JOIN events e "
                "ON e.rowid = events_fts.rowid WHERE events_fts MATCH :q ORDER BY events_fts.rank LIMIT 100"),
    },
}


def metadata(database: str = "archive") -> dict:
    """The metadata dict: licences, source, per-table descriptions and canned queries for ``database``."""
    tables = {}
    for name, (description, extra) in TABLES.items():
        table = {"description": description, **extra}
        if name in ("events", "sources"):
            table["fts_table"], table["fts_pk"] = f"{name}_fts", "rowid"
        tables[name] = table
    return {
        "title": "newsarchive: Wikipedia Current Events and their cited sources",
        "description": ("Events of Wikipedia's Portal:Current events day pages with their wikilinked "
                        "entities and cited news sources (fetch status and extracted article fields)."),
        "license": f"Wikipedia text {WIKI_LICENSE}; article text © its publishers",
        "license_url": WIKI_LICENSE_URL,
        "source": "Wikipedia, Portal:Current events",
        "source_url": "https://en.wikipedia.org/wiki/Portal:Current_events",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }


def write_metadata(path: str | Path, database: str = "archive") -> Path:
    """Write ``metadata(database)`` as JSON to ``path`` (``database``: the .db file's stem)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metadata(database), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
