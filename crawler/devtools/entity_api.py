"""The API stand-in's answers for entity resolution and Wikidata (``crawler.devtools.devserver``), in the wire
formats of MediaWiki (``action=query&formatversion=2&prop=pageprops|coordinates|info&redirects=1``) and Wikibase
(``action=wbgetentities``), from a JSON file such as ``sample_data/entities.json``::

    {"pages": {"Cairo": {"qid": "Q85", "coordinates": {"lat": 30.0444, "lon": 31.2357, "type": "city"}}},
     "redirects": {"Sergey Shoigu": "Sergei Shoigu", "Some title": "Target page#Section"},
     "missing": ["A red link"],
     "items": {"Q85": {"label": "Cairo", "description": "…", "P31": ["Q5119"], "P17": "Q79",
                       "P625": [30.0444, 31.2357]}}}

A title the file does not know is an existing page without a Wikidata id or coordinates; an item id it does not
know is missing. Values are passed on as written (a test can serve a malformed coordinate or QID). At most
``coordinates_limit`` pages get their coordinates in one answer: the rest follow after a ``continue`` (the real
API continues the same way when a module reaches its limit).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def load(path: str | None) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def _number(text: str, digits: int = 8) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:digits], 16)


def _wiki_title(title: str) -> str:
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]


def answer_resolution(q: dict, data: dict, coordinates_limit: int = 10) -> dict:
    """The answer to one resolution request (``q``: parsed query string)."""
    titles = q.get("titles", [""])[0].split("|") if q.get("titles") else []
    skip = int(q.get("cocontinue", ["0"])[0] or 0)
    known, redirect_map, missing = data.get("pages", {}), data.get("redirects", {}), set(data.get("missing", []))
    normalized, redirects, pages = [], [], {}
    for title in titles:
        current = _wiki_title(title)
        if current != title:
            normalized.append({"from": title, "to": current})
        if not current or any(c in current for c in "<>[]{}|"):
            pages[current] = {"title": title, "invalidreason": f"The requested page title contains invalid "
                              f"characters: \"{title}\".", "invalid": True}
            continue
        seen = set()
        while current in redirect_map and current not in seen:
            seen.add(current)
            target, _, fragment = redirect_map[current].partition("#")
            hop = {"from": current, "to": target, **({"tofragment": fragment} if fragment else {})}
            if hop not in redirects:
                redirects.append(hop)
            current = target
        if current in missing:
            pages[current] = {"ns": 0, "title": current, "missing": True}
        else:
            pages.setdefault(current, {"pageid": _number(current, 6), "ns": 0, "title": current})
    ordered = sorted(pages.values(), key=lambda p: p.get("pageid", 0))
    located = [p for p in ordered if "pageid" in p and "coordinates" in known.get(p["title"], {})]
    shown = located[skip:skip + coordinates_limit]
    out_pages = []
    for page in ordered:
        spec = known.get(page["title"], {})
        entry = dict(page)
        if skip == 0 and "pageid" in page:  # pageprops and info come complete in the first part
            entry.update(contentmodel="wikitext", pagelanguage="en", lastrevid=_number(page["title"] + "#rev", 9),
                         length=1000 + _number(page["title"], 4))
            if "qid" in spec:
                entry["pageprops"] = {"wikibase_item": spec["qid"]}
        if page in shown:
            entry["coordinates"] = [{"primary": True, "globe": "earth", **spec["coordinates"]}]
        out_pages.append(entry)
    answer = {"batchcomplete": True, "query": {"normalized": normalized, "redirects": redirects,
                                               "pages": out_pages}}
    if skip + coordinates_limit < len(located):
        answer = {"continue": {"cocontinue": str(skip + coordinates_limit), "continue": "||pageprops|info"},
                  "query": answer["query"]}
    return answer


def _statement(prop: str, value: dict, kind: str) -> dict:
    datatype = {"wikibase-entityid": "wikibase-item", "globecoordinate": "globe-coordinate"}[kind]
    return {"mainsnak": {"snaktype": "value", "property": prop, "datavalue": {"value": value, "type": kind},
                         "datatype": datatype}, "type": "statement", "rank": "normal"}


def _item_value(qid: str) -> dict:
    return {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}


def answer_wbgetentities(q: dict, data: dict) -> dict:
    """The answer to one ``wbgetentities`` request (labels, descriptions and claims as asked)."""
    ids = q.get("ids", [""])[0].split("|") if q.get("ids") else []
    props = set(q.get("props", ["labels|descriptions|claims"])[0].split("|"))
    entities = {}
    for qid in ids:
        item = data.get("items", {}).get(qid)
        if item is None:
            entities[qid] = {"id": qid, "missing": ""}
            continue
        entity = {"type": "item", "id": qid, "lastrevid": _number(qid + "#rev", 9),
                  "modified": "2026-11-01T00:00:00Z"}
        for prop, key in (("labels", "label"), ("descriptions", "description")):
            if prop in props and item.get(key):
                entity[prop] = {"en": {"language": "en", "value": item[key]}}
        if "claims" in props:
            claims = {}
            if item.get("P31"):
                claims["P31"] = [_statement("P31", _item_value(t), "wikibase-entityid") for t in item["P31"]]
            if item.get("P17"):
                claims["P17"] = [_statement("P17", _item_value(item["P17"]), "wikibase-entityid")]
            if item.get("P625"):
                lat, lon = item["P625"]
                claims["P625"] = [_statement("P625", {"latitude": lat, "longitude": lon, "altitude": None,
                                                      "precision": 0.0001,
                                                      "globe": "http://www.wikidata.org/entity/Q2"},
                                             "globecoordinate")]
            entity["claims"] = claims
        entities[qid] = entity
    return {"entities": entities, "success": 1}
