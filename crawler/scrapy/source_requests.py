"""Requests for cited sources and the items their answers make: Scrapy glue for ``crawler.net.recovery``.

The portal spider owns one ``SourceRequests``. It decides which cited sources to fetch (not fetched in this run,
nor successfully before), turns each recovery ``Step`` into a request whose callbacks are the spider's
``parse_source`` / ``source_failed``, and each answer into ``SourceFetch`` items and the chain's next request.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import scrapy

from crawler.items import DayPage, SourceFetch
from crawler.net import recovery
from crawler.net.failures import classify_failure
from crawler.net.urls import source_url


def citations(page: DayPage) -> list[tuple[str, str, str, bool]]:
    """(source URL, cited URL, day ISO, marked dead) for every citation of a day page, in page order."""
    day = page.day.isoformat()
    return [(source_url(src.url), src.url, day, bool(src.reported_dead)) for ev in page.events for src in ev.sources]


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _ctype(response) -> str | None:
    value = response.headers.get(b"Content-Type") if response is not None else None
    return value.decode("latin-1") if value else None


def archives_from_settings(s) -> recovery.Archives:
    return recovery.Archives(wayback=(s.get("NEWSARCHIVE_WAYBACK_URL") or "").rstrip("/"),
                             cc_index=(s.get("NEWSARCHIVE_COMMONCRAWL_URL") or "").rstrip("/"),
                             cc_data=(s.get("NEWSARCHIVE_COMMONCRAWL_DATA_URL") or "").rstrip("/"),
                             captures_to_try=max(1, s.getint("NEWSARCHIVE_CAPTURES_TO_TRY")),
                             enabled=s.getbool("NEWSARCHIVE_ARCHIVE_FALLBACK"),
                             nearest_first=s.getbool("NEWSARCHIVE_WAYBACK_NEAREST"),
                             window_days=s.getint("NEWSARCHIVE_ARCHIVE_WINDOW_DAYS"))


class SourceRequests:
    """The source side of the portal spider (one per crawl).

    ``known`` tells which of a batch of URLs need a fetch (the archive's ``sources_to_fetch``, or, in a
    distributed worker, the shared seen-set); ``spider`` supplies the callbacks and its crawler's stats.
    """

    def __init__(self, spider, archives: recovery.Archives, known):
        self.spider = spider
        self.archives = archives
        self.known = known
        self.requested: set[str] = set()  # source URLs requested in this run
        self.dead_marked: set[str] = set()  # source URLs some citation marks {{Dead link}}
        self.archive_waiting = 0  # requests to the web archives made and not answered yet

    # --- which sources -------------------------------------------------------------------------------------
    def for_citations(self, cited: list[tuple[str, str, str, bool]]) -> list[scrapy.Request]:
        """One request per cited source not requested in this run and due for a fetch, for its earliest
        citing day; ``cited`` holds (source URL, cited URL, day ISO, marked dead) as ``citations`` gives."""
        first: dict[str, tuple[str, str]] = {}
        for url, cited_url, day, dead in sorted(cited, key=lambda c: c[2]):
            if dead:
                self.dead_marked.add(url)
            if url not in self.requested and url not in first:
                first[url] = (cited_url, day)
        if not first:
            return []
        due = self.known(list(first))
        requests = []
        for url, (cited_url, day) in first.items():
            self.requested.add(url)
            if url not in due:
                self.spider.crawler.stats.inc_value("newsarchive/sources/skipped_known")
                continue
            requests.append(self.first_request(url, cited_url, day, due[url]))
        return requests

    def first_request(self, url: str, cited_url: str, day: str | None, validators: dict) -> scrapy.Request:
        """The request that starts a source's chain (a seed of the distributed mode enters here too)."""
        self.requested.add(url)
        return self.request(recovery.start(url, cited_url, day, self.archives,
                                           marked_dead=url in self.dead_marked, validators=validators))

    # --- steps ↔ requests ----------------------------------------------------------------------------------
    def request(self, step: recovery.Step) -> scrapy.Request:
        meta = {"recovery": step.plan.to_meta(), "source_url": step.plan.source_url}
        if step.slot:  # an archive: its own slot and delay, not robots.txt-bound, after the live fetches
            meta.update(download_slot=step.slot, dont_obey_robotstxt=True, autothrottle_dont_adjust_delay=True)
            self.archive_waiting += 1
            self.spider.crawler.stats.inc_value(f"newsarchive/archive/requests/{step.stage}")
        else:
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(step.url, headers=step.headers, callback=self.spider.parse_source,
                              errback=self.spider.source_failed, meta=meta, dont_filter=True,
                              priority=-5 if step.slot else 0)

    def on_response(self, response) -> list:
        plan = self._answered(response.meta["recovery"])
        memento = response.headers.get(b"Memento-Datetime")
        outcome = recovery.on_response(plan, self.archives, url=response.url, status=response.status,
                                       body=response.body, content_type=_ctype(response),
                                       memento=memento.decode("latin-1") if memento else None)
        return self._follow(plan, outcome, response=response)

    def on_failure(self, failure) -> list:
        request = failure.request
        plan = self._answered(request.meta["recovery"])
        response = getattr(failure.value, "response", None)
        http_status = response.status if response is not None else None
        status, message = classify_failure(failure.value, http_status)
        archived = response is not None and bool(response.headers.get(b"Memento-Datetime"))
        outcome = recovery.on_failure(plan, self.archives, status=status, error=message, http_status=http_status,
                                      archived=archived)
        return self._follow(plan, outcome, response=response, request=request)

    def _answered(self, meta: dict) -> recovery.Plan:
        plan = recovery.Plan.from_meta(meta)
        if plan.stage != recovery.LIVE:
            self.archive_waiting = max(0, self.archive_waiting - 1)
        return plan

    def after_stored(self, item: SourceFetch) -> scrapy.Request | None:
        """The next request for a live page that was stored without an article (empty, soft 404)."""
        if not item.recovery or item.status != "fetched" or not item.article:
            return None
        status = item.stored_status or item.article.get("status")  # a refetch that failed keeps an ok source
        step = recovery.after_extraction(recovery.Plan.from_meta(item.recovery), self.archives, status,
                                         item.article.get("error"))
        return self.request(step) if step is not None else None

    def _follow(self, plan: recovery.Plan, outcome: recovery.Outcome, response=None, request=None) -> list:
        out = []
        if outcome.record is not None:
            out.append(self._item(plan, outcome.record, response, request))
        if outcome.step is not None:
            out.append(self.request(outcome.step))
        elif outcome.record is not None and outcome.record.kind == "archive_miss":
            self.spider.crawler.stats.inc_value("newsarchive/archive/misses")
        return out

    def _item(self, plan: recovery.Plan, rec: recovery.Record, response, request) -> SourceFetch:
        meta = (response.meta if response is not None else request.meta)
        status = {"fetched": "fetched", "not_modified": "not_modified"}.get(rec.kind, rec.status or rec.kind)
        headers = {}
        if response is not None and rec.kind in ("fetched", "not_modified") and not rec.recovered_from:
            headers = {k: response.headers.get(k.encode()).decode("latin-1")
                       for k in ("etag", "last-modified") if response.headers.get(k.encode())}
        return SourceFetch(
            url=plan.source_url, final_url=rec.final_url if rec.kind != "failed" else (
                response.url if response is not None else None),
            http_status=rec.http_status or (response.status if response is not None and rec.kind != "archive_miss"
                                            else None),
            content_type=rec.content_type or (_ctype(response) if rec.kind == "failed" else None),
            fetched_at=now_iso(), status=status, error=rec.error, body=rec.body,
            event_day=date.fromisoformat(plan.event_day) if plan.event_day else None, headers=headers,
            archive_url=rec.archive_url, archive_timestamp=rec.archive_timestamp,
            recovered_from=rec.recovered_from, failure=rec.failure,
            warc=meta.get("warc_record") if rec.kind != "archive_miss" and rec.recovered_from != "commoncrawl" else None,
            recovery=plan.to_meta() if plan.stage == recovery.LIVE and rec.kind == "fetched" else None)
