"""Pure JSON codec for items crossing Redis (DayPage with its events, SourceFetch with its article, EntityBatch,
WikidataBatch)."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import date

from crawler.storage.blobs import pack, unpack
from crawler.items import (DayPage, Entity, EntityBatch, EntityResolution, Event, SourceFetch, SourceRef,
                           WikidataBatch, WikidataItem, WikidataLabel)


def _day(value):
    return date.fromisoformat(value) if value else None


def encode_item(item) -> str:
    """One JSON line: {"type": "day"|"source"|"entities"|"wikidata", ...}; bodies zstd-compressed and
    base64-encoded."""
    if isinstance(item, DayPage):
        d = asdict(item)
        d["day"] = item.day.isoformat()
        d["events"] = [ev.to_dict() for ev in item.events]
        return json.dumps({"type": "day", **d}, ensure_ascii=False)
    if isinstance(item, SourceFetch):
        d = asdict(item)
        d["event_day"] = item.event_day.isoformat() if item.event_day else None
        d["body"] = base64.b64encode(pack(item.body)).decode() if item.body is not None else None
        d.pop("compressed_body")  # the ingest compresses the body itself
        d["warc"] = list(item.warc) if item.warc else None
        return json.dumps({"type": "source", **d}, ensure_ascii=False, default=str)
    if isinstance(item, EntityBatch):
        return json.dumps({"type": "entities", **asdict(item)}, ensure_ascii=False)
    if isinstance(item, WikidataBatch):
        return json.dumps({"type": "wikidata", **asdict(item)}, ensure_ascii=False)
    raise TypeError(f"cannot encode {type(item).__name__}")


def decode_item(line: str | bytes):
    """Inverse of encode_item."""
    d = json.loads(line)
    kind = d.pop("type")
    if kind == "day":
        d["day"] = _day(d["day"])
        d["events"] = [Event(day=_day(e["day"]), category=e["category"], stories=e["stories"], text=e["text"],
                             entities=[Entity(**x) for x in e["entities"]],
                             sources=[SourceRef(**x) for x in e["sources"]], position=e["position"])
                       for e in d["events"]]
        return DayPage(**d)
    if kind == "source":
        d["event_day"] = _day(d["event_day"])
        d["body"] = unpack(base64.b64decode(d["body"])) if d["body"] is not None else None
        d["warc"] = tuple(d["warc"]) if d.get("warc") else None
        return SourceFetch(**d)
    if kind == "entities":
        d["resolutions"] = [EntityResolution(**r) for r in d["resolutions"]]
        return EntityBatch(**d)
    if kind == "wikidata":
        d["items"] = [WikidataItem(**x) for x in d["items"]]
        d["labels"] = [WikidataLabel(**x) for x in d["labels"]]
        return WikidataBatch(**d)
    raise ValueError(f"unknown item type {kind!r}")
