"""Plain dataclasses passed between parsers, spiders, pipelines and storage.

Data only: no Scrapy import (Scrapy accepts dataclass instances as items).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass(frozen=True)
class Entity:
    """A wikilink of an event text: normalised page title and the label shown."""

    title: str
    label: str


@dataclass(frozen=True)
class SourceRef:
    """A citation of an event: URL as cited, outlet label (None for a bare [URL])."""

    url: str
    outlet: str | None = None
    reported_dead: bool = False


@dataclass
class Event:
    """One bullet of a day page that carries its own text."""

    day: date
    category: str | None
    stories: list[str]
    text: str
    entities: list[Entity] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)
    position: int = 0

    def to_dict(self) -> dict:
        """JSON-ready dict with the public field names."""
        d = asdict(self)
        d["day"] = self.day.isoformat()
        return d

    def key(self) -> str:
        """Content key used for stable event ids (day + stories + text)."""
        raw = "\x1f".join([self.day.isoformat(), *self.stories, self.text])
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


@dataclass
class DayPage:
    """A fetched day page and the events parsed from it."""

    day: date
    title: str
    status: str  # ok | missing | parse_error | api_error
    revision_id: int | None = None
    revision_timestamp: str | None = None
    fetched_at: str | None = None
    api_url: str | None = None
    error: str | None = None
    events: list[Event] = field(default_factory=list)
    wikitext: str | None = field(default=None, repr=False)
    warc: tuple | None = None  # (warc_file, warc_offset) of the API answer, when capturing


@dataclass
class SourceFetch:
    """The outcome of fetching one cited source (filled by the source pipeline)."""

    url: str
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    status: str = "pending"
    error: str | None = None
    body: bytes | None = field(default=None, repr=False)
    compressed_body: bytes | None = field(default=None, repr=False)  # the body as storage keeps it (blobs.pack)
    event_day: date | None = None
    headers: dict = field(default_factory=dict)
    article: dict | None = None
    archive_url: str | None = None  # a web-archive capture the body came from
    archive_timestamp: str | None = None
    recovered_from: str | None = None  # wayback | commoncrawl
    failure: dict | None = None  # the live fetch's failure a capture stands in for
    warc: tuple | None = None  # (warc_file, warc_offset) of the response record, when capturing
    recovery: dict | None = None  # the recovery plan of a live fetch (``crawler.net.recovery.Plan.to_meta``)
    stored_status: str | None = None  # the status the archive holds after this fetch was stored


@dataclass
class EntityResolution:
    """What the wiki API says about one entity or story title (``crawler.portal.entities``).

    ``status``: ok | missing (a red link) | invalid (no valid page title) | bad_qid | bad_coordinates (the page
    was read, the faulty value left out) | api_error (no usable answer: the stored resolution is kept).
    """

    title: str
    status: str
    canonical_title: str | None = None  # after normalisation and redirects
    fragment: str | None = None  # the section a redirect points to
    qid: str | None = None
    lat: float | None = None
    lon: float | None = None
    coord_type: str | None = None  # the primary coordinates' GeoHack type (city, country, landmark…)
    coord_dim: int | None = None  # their approximate size in metres
    page_id: int | None = None
    revision_id: int | None = None  # the page's last revision when asked
    error: str | None = None


@dataclass
class EntityBatch:
    """The resolutions of one API request (up to 50 titles, continued answers merged)."""

    resolutions: list[EntityResolution]
    resolved_at: str


@dataclass
class WikidataItem:
    """An item as ``wbgetentities`` gives it: English label and description, P31 types, P17 country (places).

    ``status``: ok | missing | api_error (nothing usable: the stored item is kept)."""

    qid: str
    status: str
    label: str | None = None
    description: str | None = None
    types: list[str] = field(default_factory=list)
    country: str | None = None
    merged_into: str | None = None  # the item a merged (redirected) id now stands for
    revision_id: int | None = None
    modified: str | None = None
    error: str | None = None


@dataclass
class WikidataLabel:
    """The English label of a type or country item (``status`` as ``WikidataItem``)."""

    qid: str
    status: str
    label: str | None = None
    error: str | None = None


@dataclass
class WikidataBatch:
    """The items or labels of one ``wbgetentities`` request."""

    fetched_at: str
    items: list[WikidataItem] = field(default_factory=list)
    labels: list[WikidataLabel] = field(default_factory=list)
