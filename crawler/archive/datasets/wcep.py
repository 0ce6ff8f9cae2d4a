"""Events as WCEP records (complementizer/wcep-mds-dataset's shape), streamed, with the figures a data card needs.

A record: ``id, date, summary, articles[{title, text, time, url, origin, …}], wiki_links, reference_urls,
category, collection`` as in WCEP, plus ``stories``, ``entities`` (with Wikidata ids where resolved) and
``revision_id``. ``articles`` are the cited sources whose article was extracted (status ``ok``), in citation order;
near-duplicates cited by one event are collapsed to one article — the group's representative when the event cites
it, else the first cited copy — unless duplicates are kept. ``origin`` is ``WCEP`` (cited on the portal): WCEP's
other value, ``CommonCrawl``, marks articles it added by similarity, which this archive does not add.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import sqlite_utils

from crawler.storage.exports import entity_qids, event_batches

SOURCE_COLUMNS = ["id", "url", "status", "title", "text", "published", "published_at", "date_source",
                  "date_confidence", "language", "duplicate_group", "duplicate_of", "recovered_from",
                  "archive_url", "extractor_version"]
ARTICLE_FIELDS = [  # (name, type, meaning) of an article record
    ("title", "string", "headline"),
    ("text", "string", "article body text (null with --no-text)"),
    ("time", "string", "publication time: ISO-8601 with offset when the page gives one, else the day `YYYY-MM-DD`; "
                       "null when unknown (WCEP: newspaper3k's publish_date.isoformat())"),
    ("url", "string", "the source's URL (normal form)"),
    ("origin", "string", "`WCEP`: cited on the portal (WCEP's `CommonCrawl` articles have no counterpart here)"),
    ("outlet", "string", "outlet label as cited"),
    ("date_source", "string", "where `time` came from (jsonld, meta:…, url, htmldate…)"),
    ("date_confidence", "float", "0…1"),
    ("language", "string", "ISO 639-1 code"),
    ("source_id", "int", "`sources.id` in the archive"),
    ("duplicate_group", "int", "near-duplicate group (`sources.duplicate_group`); null when the text has no copy"),
    ("is_representative", "bool", "the group's representative (true too for an article in no group)"),
    ("duplicate_urls", "list<string>", "URLs of the copies this event also cites, collapsed into this article"),
    ("archive", "string", "`wayback` / `commoncrawl` when the text comes from a web-archive capture"),
    ("archive_url", "string", "that capture"),
    ("extractor_version", "string", "what extracted the text"),
]
RECORD_FIELDS = [  # (name, type, meaning) of an event record
    ("id", "string", "stable event id (`events.id`)"),
    ("date", "string", "day of the portal page, `YYYY-MM-DD`"),
    ("summary", "string", "the event text as written on the portal (the summary to generate)"),
    ("articles", "list<article>", "the cited sources' articles (below)"),
    ("wiki_links", "list<string>", "the event text's wikilinks as `/wiki/Title` paths, in order (as WCEP)"),
    ("reference_urls", "list<string>", "every cited URL as cited, in order (also those whose fetch failed)"),
    ("category", "string", "the heading the event sits under; null on pages without headings"),
    ("collection", "string", "the split the record belongs to (WCEP: train/val/test)"),
    ("stories", "list<string>", "the story chain: parent bullets, outermost first"),
    ("entities", "list<entity>", "wikilinks as `{title, label, qid}`; `qid` is the Wikidata id when resolved"),
    ("revision_id", "int", "portal revision the event was parsed from"),
]
_SENTENCE = re.compile(r"[.!?](?:\s|$)")


def wiki_path(title: str) -> str:
    """``Barack Obama`` → ``/wiki/Barack_Obama`` (percent-encoded as MediaWiki links it)."""
    return "/wiki/" + quote(title.replace(" ", "_"), safe="/:()!,'*;@$-._~")


def _article(src: dict, with_text: bool) -> dict:
    return {"title": src["title"], "text": src["text"] if with_text else None,
            "time": src["published_at"] or src["published"], "url": src["url"], "origin": "WCEP",
            "outlet": src["outlet"], "date_source": src["date_source"], "date_confidence": src["date_confidence"],
            "language": src["language"], "source_id": src["id"], "duplicate_group": src["duplicate_group"],
            "is_representative": src["duplicate_of"] is None, "duplicate_urls": [],
            "archive": src["recovered_from"], "archive_url": src["archive_url"],
            "extractor_version": src["extractor_version"]}


def collapse(articles: list[dict]) -> tuple[list[dict], int]:
    """One article per duplicate group (the representative if present, else the first); returns (kept, dropped)."""
    keep: dict = {}
    order = []
    for art in articles:
        group = art["duplicate_group"]
        if group is None:
            order.append(art)
            continue
        held = keep.get(group)
        if held is None:
            keep[group] = art
            order.append(art)
        elif art["is_representative"] and not held["is_representative"]:
            art["duplicate_urls"] = held["duplicate_urls"] + [held["url"]]
            order[order.index(held)] = keep[group] = art
        else:
            held["duplicate_urls"].append(art["url"])
    return order, len(articles) - len(order)


@dataclass
class CardFigures:
    """What the data card reports, gathered while the records stream by."""

    events: int = 0
    articles: list[int] = field(default_factory=list)  # articles an event
    citations: list[int] = field(default_factory=list)  # cited sources an event
    summary_words: list[int] = field(default_factory=list)
    summary_sentences: list[int] = field(default_factory=list)
    collapsed: int = 0
    article_total: int = 0
    with_time: int = 0
    per_split: Counter = field(default_factory=Counter)  # events
    articles_per_split: Counter = field(default_factory=Counter)

    def add(self, record: dict, cited: int, collapsed: int) -> None:
        self.events += 1
        self.articles.append(len(record["articles"]))
        self.citations.append(cited)
        self.summary_words.append(len(record["summary"].split()))
        self.summary_sentences.append(max(1, len(_SENTENCE.findall(record["summary"].strip()))))
        self.collapsed += collapsed
        self.article_total += len(record["articles"])
        self.with_time += sum(1 for a in record["articles"] if a["time"])
        self.per_split[record["collection"]] += 1
        self.articles_per_split[record["collection"]] += len(record["articles"])

    @staticmethod
    def spread(values: list[int]) -> tuple:
        """(min, max, mean, median) or Nones for no values."""
        if not values:
            return (None, None, None, None)
        return (min(values), max(values), statistics.fmean(values), statistics.median(values))


def wcep_records(db: sqlite_utils.Database, start=None, end=None, *, split_of=lambda day: None,
                 keep_duplicates: bool = False, with_text: bool = True,
                 figures: CardFigures | None = None, batch: int = 500) -> Iterator[dict]:
    """Event records in WCEP's shape, in day and page order (``split_of(day)`` names each one's collection)."""
    for events in event_batches(db, start, end, SOURCE_COLUMNS, batch):
        qids = entity_qids(db, sorted({e["title"] for ev in events for e in ev["entities"]}))
        for ev in events:
            cited = ev["sources"]
            articles = [_article(s, with_text) for s in cited if s["status"] == "ok"]
            dropped = 0
            if not keep_duplicates:
                articles, dropped = collapse(articles)
            record = {
                "id": ev["id"], "date": ev["day"], "summary": ev["text"], "articles": articles,
                "wiki_links": [wiki_path(e["title"]) for e in ev["entities"]],
                "reference_urls": [s["cited_url"] for s in cited], "category": ev["category"],
                "collection": split_of(ev["day"]), "stories": ev["stories"],
                "entities": [{"title": e["title"], "label": e["label"], "qid": qids.get(e["title"])}
                             for e in ev["entities"]],
                "revision_id": ev["revision_id"],
            }
            if figures is not None:
                figures.add(record, len(cited), dropped)
            yield record
