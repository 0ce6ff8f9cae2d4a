"""Entity resolution through the MediaWiki query API (pure): which titles of a day to resolve, the batched
request, continued answers merged, and each requested title's canonical page, Wikidata id, primary coordinates
and revision context read from the ``formatversion=2`` answer.

One request asks for up to 50 titles::

    action=query&format=json&formatversion=2&titles=T1|…|T50&redirects=1&prop=pageprops|coordinates|info
    &ppprop=wikibase_item&colimit=max&coprop=type|dim|globe&maxlag=5

``normalized`` maps a requested title to the wiki's spelling, ``redirects`` (possibly a chain, possibly with a
``tofragment``) to the page it stands for, and ``pages`` holds that page (``missing``, ``invalid``, or its
``pageid``, ``lastrevid``, ``pageprops.wikibase_item`` and ``coordinates``).
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote, urlencode

from crawler.items import EntityResolution, Event
from crawler.portal.api import ApiError
from crawler.portal.bullets import normalize_title

MAX_TITLES = 50  # MediaWiki's limit for titles= without apihighlimits
MAX_TITLES_CHARS = 6000  # the URL-encoded titles of one request stay under this (URLLENGTH_LIMIT is 8000)
QID_RE = re.compile(r"^Q\d+$")
MAX_STORY_TITLE = 150  # a longer story name is a sentence, not an article title
_SENTENCE_END_RE = re.compile(r"[.!?]$")
_NOT_IN_TITLES_RE = re.compile(r"[\[\]{}|<>#]")  # characters MediaWiki titles cannot hold

# Approximate extent (metres) of a place by its coordinates' GeoHack type, when the page gives no ``dim``:
# the scales GeoHack maps each type to, as sizes. A place of unknown type counts as a town.
TYPE_EXTENT_M = {
    "country": 1_000_000, "state": 300_000, "adm1st": 100_000, "adm2nd": 30_000, "adm3rd": 10_000,
    "city": 10_000, "isle": 10_000, "waterbody": 10_000, "mountain": 10_000, "river": 10_000,
    "forest": 5_000, "glacier": 5_000, "event": 5_000, "airport": 3_000, "edu": 1_000, "pass": 1_000,
    "railwaystation": 1_000, "landmark": 1_000,
}
DEFAULT_EXTENT_M = 10_000


def day_titles(events: list[Event]) -> list[str]:
    """The titles a day asks to resolve, in page order, once each: its events' link targets and their story
    names (a story is usually named after its article; a story name that is no page title ends as a red link;
    a parent bullet that is a sentence names no story page)."""
    out: dict[str, None] = {}
    for ev in events:
        for story in ev.stories:
            title = story_title(story)
            if title:
                out.setdefault(title, None)
        for ent in ev.entities:
            out.setdefault(ent.title, None)
    return list(out)


def story_title(story: str) -> str | None:
    """The page title a story name stands for; None for a sentence or text no title can hold."""
    if len(story) > MAX_STORY_TITLE or _SENTENCE_END_RE.search(story) or _NOT_IN_TITLES_RE.search(story):
        return None
    return normalize_title(story)


class Batcher:
    """Titles (or ids) waiting for a request: each full batch (``size`` titles, or as many as fit in
    ``max_chars`` URL-encoded characters) is handed out as soon as it fills; ``drain`` hands out the rest.
    A title is taken once per crawl."""

    def __init__(self, size: int = MAX_TITLES, max_chars: int = MAX_TITLES_CHARS):
        self.size, self.max_chars = max(1, min(MAX_TITLES, size)), max_chars
        self.pending: list[str] = []
        self.chars = 0
        self.taken: set[str] = set()

    def new(self, titles) -> list[str]:
        """The titles not taken yet in this crawl (in order, once each)."""
        return [t for t in dict.fromkeys(titles) if t not in self.taken]

    def add(self, titles) -> list[list[str]]:
        """Take ``titles`` (already filtered by the caller); returns the batches that filled."""
        full = []
        for title in titles:
            if title in self.taken:
                continue
            self.taken.add(title)
            cost = len(quote(title, safe="")) + 3  # the title and its "|" separator, URL-encoded
            if self.pending and (len(self.pending) >= self.size or self.chars + cost > self.max_chars):
                full.append(self.pending)
                self.pending, self.chars = [], 0
            self.pending.append(title)
            self.chars += cost
        if len(self.pending) >= self.size:
            full.append(self.pending)
            self.pending, self.chars = [], 0
        return full

    def drain(self) -> list[list[str]]:
        """The last, partly filled batch (if any)."""
        out, self.pending, self.chars = ([self.pending] if self.pending else []), [], 0
        return out


def resolve_url(api: str, titles: list[str], maxlag: int | None = 5, extra: dict | None = None) -> str:
    """The batched resolution request for ``titles`` (``extra``: an answer's ``continue`` parameters)."""
    params = {
        "action": "query",
        "format": "json",
        "formatversion": "2",
        "titles": "|".join(titles),
        "redirects": "1",
        "prop": "pageprops|coordinates|info",
        "ppprop": "wikibase_item",
        "colimit": "max",
        "coprop": "type|dim|globe",
    }
    if maxlag is not None:
        params["maxlag"] = str(maxlag)
    if extra:
        params.update(extra)
    return api + ("&" if "?" in api else "?") + urlencode(params)


def answer_query(data) -> tuple[dict, dict | None]:
    """(the ``query`` object, the ``continue`` parameters or None) of one answer; ApiError for an error JSON,
    ValueError for anything unreadable."""
    if not isinstance(data, dict):
        raise ValueError("API answer is not a JSON object")
    if "error" in data:
        err = data["error"] if isinstance(data["error"], dict) else {}
        raise ApiError(str(err.get("code", "unknown")), str(err.get("info", "")), err.get("lag"))
    query = data.get("query", {})
    if not isinstance(query, dict):
        raise ValueError("API answer has no 'query' object")
    for key in ("normalized", "converted", "redirects", "pages", "interwiki"):
        if not isinstance(query.get(key, []), list):
            raise ValueError(f"API answer's query.{key} is not a list")
    cont = data.get("continue")
    return query, ({str(k): str(v) for k, v in cont.items()} if isinstance(cont, dict) and cont else None)


def merge_query(into: dict | None, part: dict) -> dict:
    """One ``query`` object from the parts of a continued answer: title maps joined, each page's properties
    (``pageprops``, ``coordinates``, scalars) gathered from every part it appears in."""
    merged = {"normalized": [], "converted": [], "redirects": [], "interwiki": [], "pages": []}
    for source in (into or {}, part):
        for key in ("normalized", "converted", "redirects", "interwiki"):
            for entry in source.get(key, []) or []:
                if entry not in merged[key]:
                    merged[key].append(entry)
    pages: dict = {}
    for source in (into or {}, part):
        for page in source.get("pages", []) or []:
            if not isinstance(page, dict):
                continue
            key = page.get("title", page.get("pageid"))
            have = pages.setdefault(key, {})
            for name, value in page.items():
                if name == "pageprops" and isinstance(value, dict):
                    have.setdefault("pageprops", {}).update(value)
                elif name == "coordinates" and isinstance(value, list):
                    coords = have.setdefault("coordinates", [])
                    coords.extend(c for c in value if c not in coords)
                else:
                    have.setdefault(name, value)
    merged["pages"] = list(pages.values())
    return merged


def _title_map(entries) -> dict[str, dict]:
    return {e["from"]: e for e in entries if isinstance(e, dict) and "from" in e and "to" in e}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def primary_coordinates(page: dict) -> tuple[dict | None, str | None]:
    """(the page's primary Earth coordinates {lat, lon, type, dim} or None, a one-line problem or None)."""
    coords = page.get("coordinates")
    if coords is None:
        return None, None
    if not isinstance(coords, list):
        return None, f"malformed coordinates {coords!r:.60}"
    for c in coords:
        if not isinstance(c, dict) or not c.get("primary"):
            continue
        if str(c.get("globe") or "earth").lower() != "earth":
            return None, None  # a place on another body: not on the map
        lat, lon = c.get("lat"), c.get("lon")
        if not (_is_number(lat) and _is_number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return None, f"malformed coordinates lat={lat!r:.30} lon={lon!r:.30}"
        kind = c.get("type") if isinstance(c.get("type"), str) and len(c["type"]) <= 40 else None
        dim = c.get("dim")
        try:
            dim = int(dim) if dim is not None and not isinstance(dim, bool) and int(dim) > 0 else None
        except (TypeError, ValueError):
            dim = None
        return {"lat": float(lat), "lon": float(lon), "type": kind, "dim": dim}, None
    return None, None


def extent_m(coord_type: str | None, coord_dim: int | None) -> int:
    """A located entity's approximate extent in metres: its ``dim``, else its type's (``TYPE_EXTENT_M``)."""
    if coord_dim:
        return int(coord_dim)
    return TYPE_EXTENT_M.get((coord_type or "").lower(), DEFAULT_EXTENT_M)


def _follow(title: str, normalized: dict, redirects: dict) -> tuple[str, str | None, str | None]:
    """(page title, the last redirect's fragment, a problem) for a requested title."""
    current = normalized[title]["to"] if title in normalized else title
    fragment, seen = None, {current}
    while current in redirects:
        hop = redirects[current]
        current, fragment = hop["to"], hop.get("tofragment") or None
        if current in seen:
            return current, None, "redirect loop"
        seen.add(current)
    return current, fragment, None


def read_resolutions(titles: list[str], query: dict) -> list[EntityResolution]:
    """The resolution of each requested title, in request order, from a (merged) ``query`` object."""
    normalized = {**_title_map(query.get("normalized", [])), **_title_map(query.get("converted", []))}
    redirects = _title_map(query.get("redirects", []))
    interwiki = {e.get("title") for e in query.get("interwiki", []) if isinstance(e, dict)}
    pages = {p.get("title"): p for p in query.get("pages", []) if isinstance(p, dict)}
    out = []
    for title in titles:
        target, fragment, problem = _follow(title, normalized, redirects)
        page = pages.get(target)
        if problem:
            out.append(EntityResolution(title, "invalid", error=problem))
        elif target in interwiki:
            out.append(EntityResolution(title, "invalid", error=f"interwiki title {target!r}"))
        elif page is None:
            out.append(EntityResolution(title, "api_error", error="title absent from the API answer"))
        elif page.get("invalid"):
            reason = " ".join(str(page.get("invalidreason") or "invalid title").split())
            out.append(EntityResolution(title, "invalid", error=reason[:200]))
        elif page.get("special"):
            out.append(EntityResolution(title, "invalid", canonical_title=target, error="special page"))
        elif page.get("missing"):
            out.append(EntityResolution(title, "missing", canonical_title=target))
        else:
            out.append(_page_resolution(title, target, fragment, page))
    return out


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _page_resolution(title: str, target: str, fragment: str | None, page: dict) -> EntityResolution:
    res = EntityResolution(title, "ok", canonical_title=target, fragment=fragment,
                           page_id=_int_or_none(page.get("pageid")), revision_id=_int_or_none(page.get("lastrevid")))
    problems = []
    props = page.get("pageprops") if isinstance(page.get("pageprops"), dict) else {}
    qid = props.get("wikibase_item")
    if qid is not None:
        if isinstance(qid, str) and QID_RE.match(qid):
            res.qid = qid
        else:
            res.status = "bad_qid"
            problems.append(f"bad wikibase_item {qid!r:.40}")
    coords, problem = primary_coordinates(page)
    if problem:
        res.status = res.status if res.status != "ok" else "bad_coordinates"
        problems.append(problem)
    elif coords:
        res.lat, res.lon, res.coord_type, res.coord_dim = coords["lat"], coords["lon"], coords["type"], coords["dim"]
    res.error = "; ".join(problems) or None
    return res


def failed_resolutions(titles: list[str], reason: str) -> list[EntityResolution]:
    """Every title of a request that got no usable answer (``reason``: one line)."""
    return [EntityResolution(t, "api_error", error=" ".join(reason.split())[:300]) for t in titles]
