"""Spider glue for cited sources: live fetches, conditional refetches, and recovery from web archives.

A failed source (404/410, 5xx, dead host, timeout, empty or soft-404 page, ``{{Dead link}}``) is looked up in the
Wayback CDX index; the capture nearest the event day is fetched raw (``id_``). Common Crawl's index is the second
fallback. Decisions live in ``crawler.wayback`` and ``crawler.sources``; this module only builds requests/items.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import scrapy

from crawler.items import DayPage, SourceFetch
from crawler.sources import classify_failure
from crawler.storage.sources import sources_to_fetch
from crawler.urls import source_url
from crawler.wayback import (capture_url, cc_index_query, cc_range, is_recoverable, nearest_collection,
                             rank_captures, read_cc_index, read_cdx, unwrap_archive_url, cdx_query_url)


def citations(page: DayPage) -> list[tuple[str, str, str, bool]]:
    """(source URL, cited URL, day ISO, marked dead) for every citation of a day page, in page order."""
    day = page.day.isoformat()
    return [(source_url(src.url), src.url, day, bool(src.reported_dead)) for ev in page.events for src in ev.sources]


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _ctype(response) -> str | None:
    value = response.headers.get(b"Content-Type") if response is not None else None
    return value.decode("latin-1") if value else None


class SourceFollowing:
    """Mixin for the portal spider: requests and callbacks for cited sources."""

    def configure_sources(self, s) -> None:
        self.wayback = (s.get("NEWSARCHIVE_WAYBACK_URL") or "").rstrip("/")
        self.archive_fallback = s.getbool("NEWSARCHIVE_ARCHIVE_FALLBACK", True) and bool(self.wayback)
        self.cc_index = (s.get("NEWSARCHIVE_COMMONCRAWL_URL") or "").rstrip("/")
        self.cc_data = (s.get("NEWSARCHIVE_COMMONCRAWL_DATA_URL") or "").rstrip("/")
        self.captures_to_try = max(1, s.getint("NEWSARCHIVE_CAPTURES_TO_TRY", 3))
        self.dead_marked: set[str] = set()
        self._cc_collections = None

    # --- live fetches ---------------------------------------------------------------------------------
    def source_requests(self, citations: list[tuple[str, str, str, bool]]) -> list[scrapy.Request]:
        """One request per cited source not fetched yet (in this run or, successfully, before), for its
        earliest citing day; ``citations`` are (source URL, cited URL, day ISO, marked dead) from ``citations``."""
        cited: dict[str, str] = {}
        days: dict[str, date] = {}
        for url, cited_url, day, dead in sorted(citations, key=lambda c: c[2]):
            if dead:
                self.dead_marked.add(url)
            if url not in self.requested_sources and url not in cited:
                cited[url], days[url] = cited_url, date.fromisoformat(day)
        if not cited:
            return []
        if getattr(self, "redis", None) is not None:  # distributed: the shared seen-set decides, once
            from crawler.distributed.keys import SOURCES_SEEN

            requests = []
            for url, cited_url in cited.items():
                self.requested_sources.add(url)
                if self.redis.sadd(SOURCES_SEEN, url):
                    requests.append(self.source_request(url, cited_url, days[url], {}))
            return requests
        db = self.source_db()
        due = (sources_to_fetch(db, list(cited), refetch_ok=self.refetch_ok) if db is not None
               else {u: {} for u in cited})
        requests = []
        for url, cited_url in cited.items():
            self.requested_sources.add(url)
            if url not in due:
                self.crawler.stats.inc_value("newsarchive/sources/skipped_known")
                continue
            requests.append(self.source_request(url, cited_url, days[url], due[url]))
        return requests

    def source_request(self, url: str, cited_url: str, day, validators: dict) -> scrapy.Request:
        """GET a cited source: a web.archive.org citation as its raw capture; a ``{{Dead link}}`` through the
        archive first; otherwise live, conditional (If-None-Match / If-Modified-Since) when validators are known."""
        meta = {"source_url": url, "event_day": day}
        wrapped = unwrap_archive_url(cited_url)
        if wrapped and self.wayback:
            original, ts = wrapped
            return self._capture_request(url, original, day, [{"timestamp": ts, "original": original}],
                                         {"failure_status": None, "failure_error": None, "cited_capture": True})
        if url in self.dead_marked and self.archive_fallback and not validators:
            return self._cdx_request(url, day, {"failure_status": "reported_dead",
                                                "failure_error": "marked {{Dead link}} on the portal",
                                                "live_url": cited_url})
        headers = {}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        fetch_url = cited_url if cited_url.startswith(("http://", "https://")) else url
        return scrapy.Request(fetch_url, callback=self.parse_source, errback=self.source_failed, headers=headers,
                              meta={**meta, "handle_httpstatus_list": [304]}, dont_filter=True)

    def parse_source(self, response):
        headers = {k: response.headers.get(k.encode()).decode("latin-1")
                   for k in ("etag", "last-modified") if response.headers.get(k.encode())}
        meta = response.meta
        if response.status == 304:
            yield SourceFetch(url=meta["source_url"], final_url=response.url, http_status=304, fetched_at=now_iso(),
                              status="not_modified", event_day=meta["event_day"], headers=headers,
                              warc=meta.get("warc_record"))
            return
        yield SourceFetch(url=meta["source_url"], final_url=response.url, http_status=response.status,
                          content_type=_ctype(response), fetched_at=now_iso(), status="fetched", body=response.body,
                          event_day=meta["event_day"], headers=headers, warc=meta.get("warc_record"))

    def source_failed(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        status, message = classify_failure(failure.value, response.status if response is not None else None)
        out = [SourceFetch(
            url=request.meta["source_url"], final_url=response.url if response is not None else None,
            http_status=response.status if response is not None else None, content_type=_ctype(response),
            fetched_at=now_iso(), status=status, error=message, event_day=request.meta["event_day"],
            warc=request.meta.get("warc_record"))]
        if self.archive_fallback and is_recoverable(status, response.status if response is not None else None):
            out.append(self.archive_request(request.meta["source_url"], request.meta["event_day"], status, message))
        return out

    # --- archive recovery -----------------------------------------------------------------------------
    def archive_request(self, url: str, day, status: str, error: str | None) -> scrapy.Request:
        """Start the archive lookup for a failed source (also called by the storage pipeline)."""
        self.crawler.stats.inc_value("newsarchive/archive/lookups")
        return self._cdx_request(url, day, {"failure_status": status, "failure_error": error})

    def _cdx_request(self, url, day, failure: dict) -> scrapy.Request:
        return scrapy.Request(cdx_query_url(self.wayback, url, day), callback=self.parse_cdx,
                              errback=self.cdx_failed, dont_filter=True, priority=-5,
                              meta={"source_url": url, "event_day": day, "failure": failure,
                                    "download_slot": "wayback", "dont_obey_robotstxt": True})

    def parse_cdx(self, response):
        meta = response.meta
        try:
            captures = rank_captures(read_cdx(response.text), meta["event_day"])
        except (ValueError, KeyError, TypeError):
            captures = []
        if not captures:
            yield self._next_archive(meta["source_url"], meta["event_day"], meta["failure"])
            return
        best = captures[: self.captures_to_try]
        yield self._capture_request(meta["source_url"], best[0].get("original") or meta["source_url"],
                                    meta["event_day"], best, meta["failure"])

    def cdx_failed(self, failure):
        meta = failure.request.meta
        return [self._next_archive(meta["source_url"], meta["event_day"], meta["failure"])]

    def _capture_request(self, url, original, day, captures, failure) -> scrapy.Request:
        ts = captures[0]["timestamp"]
        return scrapy.Request(capture_url(self.wayback, ts, original), callback=self.parse_capture,
                              errback=self.capture_failed, dont_filter=True, priority=-5,
                              meta={"source_url": url, "event_day": day, "captures": captures, "failure": failure,
                                    "download_slot": "wayback", "dont_obey_robotstxt": True})

    def parse_capture(self, response):
        meta = response.meta
        ts = meta["captures"][0]["timestamp"]
        yield SourceFetch(url=meta["source_url"], final_url=meta["captures"][0].get("original"),
                          http_status=response.status, content_type=_ctype(response), fetched_at=now_iso(),
                          status="fetched", body=response.body, event_day=meta["event_day"],
                          archive_url=response.url, archive_timestamp=ts, recovered_from="wayback",
                          failure=meta["failure"], warc=meta.get("warc_record"))

    def capture_failed(self, failure):
        meta = failure.request.meta
        rest = meta["captures"][1:]
        if rest:
            return [self._capture_request(meta["source_url"], rest[0].get("original") or meta["source_url"],
                                          meta["event_day"], rest, meta["failure"])]
        if meta["failure"].get("cited_capture"):  # a cited capture that fails: look for others
            return [self._cdx_request(meta["source_url"], meta["event_day"],
                                      {"failure_status": "archive_capture_failed",
                                       "failure_error": classify_failure(failure.value)[1]})]
        return [self._next_archive(meta["source_url"], meta["event_day"], meta["failure"])]

    def _next_archive(self, url, day, failure):
        """After the Wayback: Common Crawl when configured, else record that the archives were searched."""
        if self.cc_index and self.cc_data and not failure.get("tried_cc"):
            return scrapy.Request(f"{self.cc_index}/collinfo.json", callback=self.parse_cc_collections,
                                  errback=self.archive_miss, dont_filter=True, priority=-5,
                                  meta={"source_url": url, "event_day": day, "failure": {**failure, "tried_cc": True},
                                        "download_slot": "commoncrawl", "dont_obey_robotstxt": True})
        return self._miss_item(url, day, failure)

    def _miss_item(self, url, day, failure):
        self.crawler.stats.inc_value("newsarchive/archive/misses")
        if failure.get("live_url"):  # a {{Dead link}} with no capture: try the live page after all
            self.dead_marked.discard(url)
            return self.source_request(url, failure["live_url"], day, {})
        return SourceFetch(url=url, status="archive_miss", fetched_at=now_iso(), event_day=day, failure=failure)

    def archive_miss(self, failure):
        meta = failure.request.meta
        return [self._miss_item(meta["source_url"], meta["event_day"], meta["failure"])]

    def parse_cc_collections(self, response):
        meta = response.meta
        try:
            collection = nearest_collection(response.json(), meta["event_day"])
        except ValueError:
            collection = None
        if not collection or not collection.get("cdx-api"):
            yield self._miss_item(meta["source_url"], meta["event_day"], meta["failure"])
            return
        yield response.follow(cc_index_query(collection["cdx-api"], meta["source_url"]), callback=self.parse_cc_index,
                              errback=self.archive_miss, dont_filter=True, priority=-5, meta=dict(meta))

    def parse_cc_index(self, response):
        meta = response.meta
        records = [r for r in read_cc_index(response.text) if str(r.get("status", "200")) == "200"]
        if not records:
            yield self._miss_item(meta["source_url"], meta["event_day"], meta["failure"])
            return
        record = records[0]
        path, byte_range = cc_range(record)
        yield scrapy.Request(f"{self.cc_data}/{path}", headers={"Range": byte_range}, callback=self.parse_cc_record,
                             errback=self.archive_miss, dont_filter=True, priority=-5,
                             meta={**meta, "cc_record": record})

    def parse_cc_record(self, response):
        from warcio.archiveiterator import ArchiveIterator

        meta = response.meta
        body, ctype = None, None
        for rec in ArchiveIterator(io.BytesIO(response.body)):
            if rec.rec_type == "response":
                ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else None
                body = rec.content_stream().read()
                break
        if body is None:
            yield self._miss_item(meta["source_url"], meta["event_day"], meta["failure"])
            return
        record = meta["cc_record"]
        yield SourceFetch(url=meta["source_url"], final_url=record.get("url"), http_status=200, content_type=ctype,
                          fetched_at=now_iso(), status="fetched", body=body, event_day=meta["event_day"],
                          archive_url=f"{response.url}#{record['offset']}", archive_timestamp=record.get("timestamp"),
                          recovered_from="commoncrawl", failure=meta["failure"])
