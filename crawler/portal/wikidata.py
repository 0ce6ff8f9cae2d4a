"""Wikidata items through ``wbgetentities`` (pure): the batched request, and each item's English label,
description, P31 ("instance of") types and P17 country read from the answer.

    action=wbgetentities&ids=Q1|…|Q50&props=labels|descriptions|claims&languages=en&format=json&maxlag=5

Types and countries are item ids; their labels come from a second request with ``props=labels``. Statements of
deprecated rank are left out; the country is the best-ranked P17 value of an item that has coordinates (P625),
that is, of a place.
"""

from __future__ import annotations

from urllib.parse import urlencode

from crawler.items import WikidataItem, WikidataLabel
from crawler.portal.api import ApiError
from crawler.portal.entities import QID_RE

MAX_IDS = 50  # wbgetentities' limit without apihighlimits
ITEM_PROPS = "labels|descriptions|claims"
LABEL_PROPS = "labels"


def wbgetentities_url(api: str, ids: list[str], props: str = ITEM_PROPS, maxlag: int | None = 5) -> str:
    """The request for up to 50 item ids (``props``: ``ITEM_PROPS`` or ``LABEL_PROPS``)."""
    params = {"action": "wbgetentities", "ids": "|".join(ids), "props": props, "languages": "en",
              "format": "json"}
    if maxlag is not None:
        params["maxlag"] = str(maxlag)
    return api + ("&" if "?" in api else "?") + urlencode(params)


def _entities(data) -> dict:
    if not isinstance(data, dict):
        raise ValueError("Wikidata answer is not a JSON object")
    if "error" in data:
        err = data["error"] if isinstance(data["error"], dict) else {}
        raise ApiError(str(err.get("code", "unknown")), str(err.get("info", "")), err.get("lag"))
    entities = data.get("entities")
    if not isinstance(entities, dict):
        raise ValueError("Wikidata answer has no 'entities' object")
    return entities


def _lookup(entities: dict, qid: str):
    """The answer's entity for a requested id: under its own key, or under the item it was merged into (the
    answer then notes ``redirects: {from, to}``)."""
    entity = entities.get(qid)
    if entity is None:
        entity = next((e for e in entities.values() if isinstance(e, dict)
                       and isinstance(e.get("redirects"), dict) and e["redirects"].get("from") == qid), None)
    return entity


def _english(entity: dict, key: str) -> str | None:
    value = (entity.get(key) or {}).get("en") if isinstance(entity.get(key), dict) else None
    text = value.get("value") if isinstance(value, dict) else None
    return " ".join(text.split()) if isinstance(text, str) and text.strip() else None


def claim_items(claims: dict, prop: str) -> list[str]:
    """The item ids a property's statements point to: preferred rank first, then normal; deprecated ones,
    "no value" / "unknown value" snaks and malformed ids left out."""
    statements = claims.get(prop) if isinstance(claims, dict) else None
    if not isinstance(statements, list):
        return []
    ranked = {"preferred": [], "normal": []}
    for st in statements:
        if not isinstance(st, dict) or st.get("rank", "normal") not in ranked:
            continue
        snak = st.get("mainsnak") or {}
        value = ((snak.get("datavalue") or {}).get("value") or {}) if snak.get("snaktype") == "value" else {}
        qid = value.get("id") if isinstance(value, dict) else None
        if isinstance(qid, str) and QID_RE.match(qid) and qid not in ranked[st.get("rank", "normal")]:
            ranked[st.get("rank", "normal")].append(qid)
    return ranked["preferred"] + [q for q in ranked["normal"] if q not in ranked["preferred"]]


def read_items(ids: list[str], data) -> list[WikidataItem]:
    """One ``WikidataItem`` per requested id, in request order (ApiError / ValueError as ``read_labels``)."""
    entities = _entities(data)
    out = []
    for qid in ids:
        entity = _lookup(entities, qid)
        if not isinstance(entity, dict):
            out.append(WikidataItem(qid, "api_error", error="id absent from the answer"))
            continue
        if "missing" in entity:
            out.append(WikidataItem(qid, "missing"))
            continue
        claims = entity.get("claims") if isinstance(entity.get("claims"), dict) else {}
        answered = entity.get("id")
        countries = claim_items(claims, "P17") if claims.get("P625") else []
        out.append(WikidataItem(
            qid, "ok", label=_english(entity, "labels"), description=_english(entity, "descriptions"),
            types=claim_items(claims, "P31"), country=countries[0] if countries else None,
            merged_into=answered if isinstance(answered, str) and answered != qid and QID_RE.match(answered) else None,
            revision_id=entity.get("lastrevid") if isinstance(entity.get("lastrevid"), int) else None,
            modified=entity.get("modified") if isinstance(entity.get("modified"), str) else None))
    return out


def read_labels(ids: list[str], data) -> list[WikidataLabel]:
    """One ``WikidataLabel`` per requested id; ApiError for an error JSON, ValueError when unreadable."""
    entities = _entities(data)
    out = []
    for qid in ids:
        entity = _lookup(entities, qid)
        if not isinstance(entity, dict):
            out.append(WikidataLabel(qid, "api_error", error="id absent from the answer"))
        elif "missing" in entity:
            out.append(WikidataLabel(qid, "missing"))
        else:
            out.append(WikidataLabel(qid, "ok", label=_english(entity, "labels")))
    return out


def failed_items(ids: list[str], reason: str, labels: bool = False) -> list:
    """Every id of a request that got no usable answer (``reason``: one line)."""
    cls = WikidataLabel if labels else WikidataItem
    return [cls(q, "api_error", error=" ".join(reason.split())[:300]) for q in ids]
