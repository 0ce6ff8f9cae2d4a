"""The dead-source recovery chain as an explicit state machine (pure: plain values in, plain values out).

A cited source goes through these stages until one of them yields a page or the chain gives up::

    LIVE ──fails, or fetched but empty / soft 404──▶ NEAREST ──a capture within the window──▶ stored
      │                                               │ the nearest capture is an error page, or the lookup failed
      │                                               ▼
      │                                              CDX ──200 captures──▶ CAPTURE ──fails──▶ next capture …
      │                                               │ none / fails              │ all fail
      │                                               ▼                           ▼
      │      (never archived, or nothing      CC_COLLINFO ─▶ CC_INDEX ─▶ CC_RECORD ──fails──▶ give up
      ▼       within the window: from NEAREST)
    stored                                     (a cited web.archive.org URL starts at CITED_CAPTURE;
                                                a {{Dead link}} starts at the archive and, with no capture,
                                                ends LIVE)

NEAREST asks the Wayback Machine for the capture nearest the event day in one request (``/web/<event day>id_/…``:
the Wayback answers with a redirect to the nearest capture; pywb by default answers with the capture itself and its
``Memento-Datetime``); the capture is taken when it lies within ``window_days`` of the event day. The CDX index (a query, then the capture) is the fallback
when that capture is an error page or the lookup failed, or the first step with ``nearest_first`` off.

The spider drives it: ``start`` gives the first step; ``on_response`` / ``on_failure`` take what a step's
request got back; ``after_extraction`` takes the stored page's extraction status. Each returns an ``Outcome``:
a ``Record`` to store (or none) and the next ``Step`` (or none). A ``Plan`` is the state, kept in the request's
meta as a plain dict (``Plan.to_meta`` / ``Plan.from_meta``), so it survives a distributed frontier.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from crawler.net.wayback import (capture_timestamp, capture_url, cc_index_query, cc_range, cdx_query_url,
                                 day_timestamp, is_recoverable, memento_timestamp, nearest_collection, rank_captures,
                                 read_cc_index, read_cdx, unwrap_archive_url, within_days)

LIVE, CITED_CAPTURE, NEAREST, CDX, CAPTURE = "live", "cited_capture", "nearest", "cdx", "capture"
CC_COLLINFO, CC_INDEX, CC_RECORD = "cc_collinfo", "cc_index", "cc_record"
ARCHIVE_STAGES = (CITED_CAPTURE, NEAREST, CDX, CAPTURE)
COMMONCRAWL_STAGES = (CC_COLLINFO, CC_INDEX, CC_RECORD)
RECOVER_AFTER_EXTRACTION = ("empty_extraction", "soft_404")


@dataclass(frozen=True)
class Archives:
    """Where dead sources are looked for ('' switches an archive off; Common Crawl is asked only after the
    Wayback Machine) and how many captures are tried."""

    wayback: str
    cc_index: str
    cc_data: str
    captures_to_try: int
    enabled: bool
    nearest_first: bool = True  # the timestamp lookup first, the CDX index as its fallback
    window_days: int = 365  # a capture counts when it lies this close to the event day
    @property
    def wayback_on(self) -> bool:
        return self.enabled and bool(self.wayback)

    @property
    def commoncrawl_on(self) -> bool:
        return self.wayback_on and bool(self.cc_index and self.cc_data)


@dataclass(frozen=True)
class Plan:
    """Where one source stands in the chain."""

    source_url: str  # the normalised URL the source is stored under
    cited_url: str
    event_day: str | None  # ISO day of the earliest citing event
    stage: str = LIVE
    failure_status: str | None = None  # the live failure a capture would stand in for
    failure_error: str | None = None
    live_url: str | None = None  # a {{Dead link}} with no capture is fetched live after all
    captures: tuple = ()  # ((timestamp, original URL), …) still to try, nearest the event day first
    cited_capture: bool = False
    tried_commoncrawl: bool = False
    archives_searched: bool = False  # the archives were searched in vain already (a {{Dead link}} fetched live)
    live_failed: bool = False  # a live fetch failed and was recorded before the archives were asked
    cc_record: dict = field(default_factory=dict)

    @property
    def day(self) -> date | None:
        return date.fromisoformat(self.event_day) if self.event_day else None

    @property
    def failure(self) -> dict:
        """The failure a capture stands in for, and whether a live fetch's failure was recorded for it."""
        return {"failure_status": self.failure_status, "failure_error": self.failure_error,
                "after_live_failure": self.live_failed}

    def to_meta(self) -> dict:
        d = asdict(self)
        d["captures"] = [list(c) for c in self.captures]
        return d

    @classmethod
    def from_meta(cls, d: dict) -> Plan:
        return cls(**{**d, "captures": tuple(tuple(c) for c in d.get("captures") or ())})


@dataclass(frozen=True)
class Step:
    """A request to make: GET ``url`` (with ``headers``) at ``stage``; ``slot`` names an archive's download slot
    (None: the source's own host)."""

    plan: Plan
    url: str
    headers: dict = field(default_factory=dict)
    slot: str | None = None

    @property
    def stage(self) -> str:
        return self.plan.stage


@dataclass(frozen=True)
class Record:
    """What to store for the source: ``kind`` is ``fetched`` (a body to extract), ``not_modified``, ``failed``
    (the live failure, kept while the archives are searched) or ``archive_miss`` (archives searched in vain)."""

    kind: str
    status: str | None = None
    error: str | None = None
    final_url: str | None = None
    archive_url: str | None = None
    archive_timestamp: str | None = None
    recovered_from: str | None = None  # wayback | commoncrawl
    http_status: int | None = None  # the archived page's status, when the answer was not the page itself
    body: bytes | None = None
    content_type: str | None = None
    failure: dict | None = None


@dataclass(frozen=True)
class Outcome:
    record: Record | None = None
    step: Step | None = None


def start(source_url: str, cited_url: str, event_day: str | None, archives: Archives, *,
          marked_dead: bool = False, validators: dict | None = None) -> Step:
    """The first step for a cited source: a cited capture raw; a ``{{Dead link}}`` through the archive first;
    otherwise the live page, conditional (If-None-Match / If-Modified-Since) when validators are known."""
    plan = Plan(source_url, cited_url, event_day)
    wrapped = unwrap_archive_url(cited_url)
    if wrapped and archives.wayback:  # a cited capture is fetched raw even with the fallback off
        original, ts = wrapped
        return _capture(replace(plan, stage=CITED_CAPTURE, captures=((ts, original),), cited_capture=True), archives)
    if marked_dead and archives.wayback_on and not validators:
        return _lookup(replace(plan, failure_status="reported_dead",
                               failure_error="marked {{Dead link}} on the portal", live_url=cited_url), archives)
    return _live(plan, cited_url, validators or {})


def on_response(plan: Plan, archives: Archives, *, url: str, status: int, body: bytes,
                content_type: str | None = None, memento: str | None = None) -> Outcome:
    """A step's request got an answer (a 2xx, or a 304 for a conditional live fetch); ``memento``: its
    ``Memento-Datetime`` header (when an archive served the capture without redirecting to its address)."""
    stage = plan.stage
    if stage == LIVE:
        if status == 304:
            return Outcome(Record("not_modified", final_url=url))
        return Outcome(Record("fetched", final_url=url, body=body, content_type=content_type))
    if stage in (CITED_CAPTURE, CAPTURE):
        ts, original = plan.captures[0]
        return Outcome(Record("fetched", final_url=original, archive_url=url, archive_timestamp=ts,
                              recovered_from="wayback", body=body, content_type=content_type,
                              failure=plan.failure))
    if stage == NEAREST:
        landed = capture_timestamp(url)
        if landed is None:  # not a capture's address: look the captures up
            return Outcome(step=_cdx(plan, archives))
        ts, original = landed
        ts = memento_timestamp(memento) or ts  # an archive that answers without a redirect says when it captured
        if not within_days(ts, plan.day, archives.window_days):  # the nearest capture is too far: none is near
            return _next_archive(plan, archives)
        return Outcome(Record("fetched", final_url=original, archive_url=url, archive_timestamp=ts,
                              recovered_from="wayback", body=body, content_type=content_type,
                              failure=plan.failure))
    if stage == CDX:
        try:
            ranked = rank_captures(read_cdx(body.decode("utf-8", "replace")), plan.day)
        except (ValueError, KeyError, TypeError):
            ranked = []
        if not ranked:
            return _next_archive(plan, archives)
        captures = tuple((c["timestamp"], c.get("original") or plan.source_url)
                         for c in ranked[: archives.captures_to_try])
        return Outcome(step=_capture(replace(plan, stage=CAPTURE, captures=captures), archives))
    if stage == CC_COLLINFO:
        try:
            collection = nearest_collection(json.loads(body), plan.day)
        except (ValueError, TypeError, AttributeError):
            collection = None
        if not collection or not collection.get("cdx-api"):
            return _give_up(plan, archives)
        return Outcome(step=Step(replace(plan, stage=CC_INDEX), cc_index_query(collection["cdx-api"], plan.source_url),
                                 slot="commoncrawl"))
    if stage == CC_INDEX:
        records = [r for r in read_cc_index(body.decode("utf-8", "replace")) if str(r.get("status", "200")) == "200"]
        if not records:
            return _give_up(plan, archives)
        path, byte_range = cc_range(records[0])
        return Outcome(step=Step(replace(plan, stage=CC_RECORD, cc_record=records[0]), f"{archives.cc_data}/{path}",
                                 headers={"Range": byte_range}, slot="commoncrawl"))
    if stage == CC_RECORD:
        page = _warc_response(body)
        if page is None:
            return _give_up(plan, archives)
        record = plan.cc_record
        return Outcome(Record("fetched", final_url=record.get("url"), archive_url=f"{url}#{record['offset']}",
                              archive_timestamp=record.get("timestamp"), recovered_from="commoncrawl",
                              http_status=int(record.get("status") or 200), body=page[0], content_type=page[1], failure=plan.failure))
    raise ValueError(f"unknown recovery stage {stage!r}")


def on_failure(plan: Plan, archives: Archives, *, status: str, error: str, http_status: int | None = None,
               archived: bool = False) -> Outcome:
    """A step's request failed (``status`` and ``error`` as ``crawler.net.failures.classify_failure`` gives;
    ``archived``: the answer was an archived one — a capture of an error page — not the archive's own)."""
    stage = plan.stage
    if stage == LIVE:
        failed = Record("failed", status=status, error=error)
        if archives.wayback_on and is_recoverable(status, http_status) and not plan.archives_searched:
            return Outcome(failed, _lookup(replace(plan, failure_status=status, failure_error=error, live_failed=True),
                                           archives))
        return Outcome(failed)
    if stage in (CITED_CAPTURE, CAPTURE):
        rest = plan.captures[1:]
        if rest:
            return Outcome(step=_capture(replace(plan, captures=rest), archives))
        if plan.cited_capture:  # a cited capture that fails: look for others
            return Outcome(step=_lookup(replace(plan, cited_capture=False, failure_status="archive_capture_failed",
                                                failure_error=error), archives))
        return _next_archive(plan, archives)
    if stage == NEAREST:
        if http_status in (404, 410) and not archived:  # never archived
            return _next_archive(plan, archives)
        return Outcome(step=_cdx(plan, archives))  # an archived error page, or the lookup failed: the index
    if stage == CDX:
        return _next_archive(plan, archives)
    if stage in COMMONCRAWL_STAGES:
        return _give_up(plan, archives)
    raise ValueError(f"unknown recovery stage {stage!r}")


def after_extraction(plan: Plan, archives: Archives, status: str, error: str | None) -> Step | None:
    """A live page that was fetched but held no article (empty, soft 404): look for an archived copy."""
    if plan.stage != LIVE or status not in RECOVER_AFTER_EXTRACTION or not archives.wayback_on \
            or plan.archives_searched:
        return None
    return _lookup(replace(plan, failure_status=status, failure_error=error, live_failed=True), archives)


# --- steps ---------------------------------------------------------------------------------------------------

def _live(plan: Plan, url: str, validators: dict) -> Step:
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    fetch = url if url.startswith(("http://", "https://")) else plan.source_url
    return Step(replace(plan, stage=LIVE), fetch, headers=headers)


def _lookup(plan: Plan, archives: Archives) -> Step:
    """The first archive step for a failed source: the nearest capture, or the CDX index."""
    if archives.nearest_first:
        return Step(replace(plan, stage=NEAREST),
                    capture_url(archives.wayback, day_timestamp(plan.day), plan.source_url), slot="wayback")
    return _cdx(plan, archives)


def _cdx(plan: Plan, archives: Archives) -> Step:
    return Step(replace(plan, stage=CDX),
                cdx_query_url(archives.wayback, plan.source_url, plan.day, window_days=archives.window_days),
                slot="wayback")


def _capture(plan: Plan, archives: Archives) -> Step:
    ts, original = plan.captures[0]
    return Step(plan, capture_url(archives.wayback, ts, original), slot="wayback")


def _next_archive(plan: Plan, archives: Archives) -> Outcome:
    """After the Wayback: Common Crawl when configured, else give up."""
    if archives.commoncrawl_on and not plan.tried_commoncrawl:
        return Outcome(step=Step(replace(plan, stage=CC_COLLINFO, tried_commoncrawl=True),
                                 f"{archives.cc_index}/collinfo.json", slot="commoncrawl"))
    return _give_up(plan, archives)


def _give_up(plan: Plan, archives: Archives) -> Outcome:
    """Archives searched in vain: the failure stays (a ``{{Dead link}}`` is fetched live after all)."""
    if plan.live_url:
        return Outcome(step=_live(replace(plan, live_url=None, failure_status=None, failure_error=None,
                                          archives_searched=True), plan.live_url, {}))
    return Outcome(Record("archive_miss", failure=plan.failure))


def _warc_response(data: bytes) -> tuple[bytes, str | None] | None:
    """(body, content type) of the first ``response`` record of a WARC byte range; None when there is none."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        for rec in ArchiveIterator(io.BytesIO(data)):
            if rec.rec_type == "response":
                ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else None
                return rec.content_stream().read(), ctype
    except Exception:  # noqa: BLE001 - a damaged record is a miss, not a crash
        return None
    return None
