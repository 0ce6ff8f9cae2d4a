"""Entity resolution and Wikidata requests of a crawl: glue over ``crawler.portal.entities`` and
``crawler.portal.wikidata`` that the portal spider drives.

The titles of each parsed day (link targets and story names) that the archive has not resolved within
NEWSARCHIVE_ENTITY_MAX_AGE_DAYS are batched 50 a request; a full batch goes out at once, the last partial one when
the crawl has no more days to read (``flush_titles``), so a crawl makes ceil(new titles / 50) requests (and the
continuations its answers ask for). The requests share the day pages' "wiki-api" slot (one at a time, maxlag, a
maxlag / ratelimited answer retried like a day page's). Each answer, continued parts merged, becomes one
``EntityBatch``; a failed request records ``api_error`` for its titles and the crawl goes on.

With NEWSARCHIVE_WIKIDATA the resolved items go to ``wbgetentities`` (50 a request, the "wikidata" slot), then the
labels of their types and countries; the partial batches of those stages go out when the crawl is otherwise idle
(``idle_requests``).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request

from crawler.items import DayPage, EntityBatch, WikidataBatch
from crawler.net.politeness import retry_after_seconds
from crawler.portal.api import ApiError
from crawler.portal.entities import (Batcher, answer_query, day_titles, failed_resolutions, merge_query,
                                     read_resolutions, resolve_url)
from crawler.portal.wikidata import (ITEM_PROPS, LABEL_PROPS, MAX_IDS, failed_items, read_items, read_labels,
                                     wbgetentities_url)
from crawler.storage.entities import titles_to_resolve
from crawler.storage.wikidata import labels_to_fetch, qids_to_describe

MAX_CONTINUATIONS = 20  # parts of one answer read at most (a server that keeps continuing is cut off)


def utcnow() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def api_meta(slot: str, **meta) -> dict:
    """An API request's meta: its download slot, not subject to robots.txt (an operator-configured endpoint used
    under Wikimedia's API etiquette) and a delay AutoThrottle leaves alone."""
    return {**meta, "download_slot": slot, "dont_obey_robotstxt": True, "autothrottle_dont_adjust_delay": True}


class EntityRequests:
    """Resolution (and Wikidata) requests for the titles of the days a spider parses."""

    def __init__(self, spider, settings):
        """``spider`` has read the wiki API's settings (``api``, ``maxlag``, ``api_retries``, ``max_wait``)."""
        self.spider = spider
        self.enabled = settings.getbool("NEWSARCHIVE_RESOLVE_ENTITIES")
        self.api, self.maxlag = spider.api, spider.maxlag
        self.retries, self.max_wait = spider.api_retries, spider.max_wait
        self.max_age = settings.getfloat("NEWSARCHIVE_ENTITY_MAX_AGE_DAYS")
        self.wikidata = self.enabled and settings.getbool("NEWSARCHIVE_WIKIDATA")
        self.wikidata_api = settings.get("NEWSARCHIVE_WIKIDATA_API")
        self.titles = Batcher(settings.getint("NEWSARCHIVE_TITLES_PER_REQUEST"))
        self.items = Batcher(MAX_IDS, max_chars=1 << 30)
        self.labels = Batcher(MAX_IDS, max_chars=1 << 30)

    # --- which titles and ids are new -------------------------------------------------------------------------
    def _new(self, batcher: Batcher, values: list[str], kind: str, archive_filter) -> list[str]:
        """``values`` not taken in this crawl and not answered recently: in a distributed worker, those the
        shared seen-set did not have; otherwise those the archive holds no fresh answer for."""
        values = batcher.new(values)
        redis = getattr(self.spider, "redis", None)
        if redis is not None:
            from crawler.distributed.keys import ENTITIES_SEEN, WIKIDATA_SEEN

            key = ENTITIES_SEEN if kind == "title" else WIKIDATA_SEEN
            return [v for v in values if redis.sadd(key, f"{kind}:{v}")]
        db = self.spider.source_db()
        return archive_filter(db, values, self.max_age) if db is not None and values else values

    def add_day(self, page: DayPage) -> list[scrapy.Request]:
        """Requests for the batches the day's new titles fill."""
        if not self.enabled or page.status != "ok" or not page.events:
            return []
        titles = self._new(self.titles, day_titles(page.events), "title", titles_to_resolve)
        return [self.resolve_request(batch) for batch in self.titles.add(titles)]

    def flush_titles(self) -> list[scrapy.Request]:
        """The last partial batch of titles (the crawl has no more days to read)."""
        return [self.resolve_request(batch) for batch in self.titles.drain()]

    def idle_requests(self) -> list[scrapy.Request]:
        """Nothing is in flight: the partial batch of the earliest stage that has one (titles, items, labels)."""
        requests = self.flush_titles()
        if not requests:
            requests = [self._wikidata_request(b, ITEM_PROPS) for b in self.items.drain()]
        if not requests:
            requests = [self._wikidata_request(b, LABEL_PROPS) for b in self.labels.drain()]
        return requests

    # --- resolution ---------------------------------------------------------------------------------------------
    def resolve_request(self, titles: list[str], query: dict | None = None, cont: dict | None = None,
                         parts: int = 0) -> scrapy.Request:
        self.spider.crawler.stats.inc_value(f"newsarchive/entities/{'continued' if cont else 'requests'}")
        return scrapy.Request(
            resolve_url(self.api, titles, self.maxlag, cont), callback=self.spider.parse_entities,
            errback=self.spider.entities_failed, priority=90, dont_filter=True,
            meta=api_meta("wiki-api", entity_titles=titles, entity_query=query, entity_parts=parts))

    async def on_resolution(self, response):
        """An answer (or a part of one): the next part, a retry, or the batch's ``EntityBatch``."""
        meta = response.meta
        titles = meta["entity_titles"]
        try:
            query, cont = answer_query(json.loads(response.text))
        except ApiError as err:
            retry = await self._retry(response, err)
            if retry is not None:
                yield retry
                return
            yield self._failed(titles, f"api_error: {err}")
            return
        except (ValueError, TypeError) as err:
            yield self._failed(titles, f"api_error: unreadable answer: {err}")
            return
        merged = merge_query(meta.get("entity_query"), query)
        parts = meta.get("entity_parts", 0) + 1
        if cont and parts < MAX_CONTINUATIONS:
            yield self.resolve_request(titles, merged, cont, parts)
            return
        resolutions = read_resolutions(titles, merged)
        yield EntityBatch(resolutions, utcnow())
        for request in self._describe([r.qid for r in resolutions if r.qid]):
            yield request

    def on_resolution_failure(self, failure) -> list:
        return [self._failed(failure.request.meta["entity_titles"], f"api_error: {_reason(failure)}")]

    def _failed(self, titles: list[str], reason: str) -> EntityBatch:
        self.spider.crawler.stats.inc_value("newsarchive/entities/failed_requests")
        self.spider.logger.warning("entity resolution of %d titles failed: %s", len(titles), reason)
        return EntityBatch(failed_resolutions(titles, reason), utcnow())

    async def _retry(self, response, err: ApiError):
        """maxlag, ratelimited, readonly: the same request again after Retry-After (or a growing pause)."""
        if not err.retryable:
            return None
        retry = get_retry_request(response.request, spider=self.spider, reason=f"API {err.code}",
                                  max_retry_times=self.retries, stats_base_key="newsarchive/api_retries")
        if retry is not None:
            wait = retry_after_seconds(response.headers.get(b"Retry-After"), default=None)
            await asyncio.sleep(min(wait if wait is not None else 5.0 * retry.meta["retry_times"], self.max_wait))
        return retry

    # --- Wikidata -----------------------------------------------------------------------------------------------
    def _describe(self, qids: list[str]) -> list[scrapy.Request]:
        if not self.wikidata:
            return []
        new = self._new(self.items, qids, "item", qids_to_describe)
        return [self._wikidata_request(batch, ITEM_PROPS) for batch in self.items.add(new)]

    def _label(self, qids: list[str]) -> list[scrapy.Request]:
        new = self._new(self.labels, qids, "label", labels_to_fetch)
        return [self._wikidata_request(batch, LABEL_PROPS) for batch in self.labels.add(new)]

    def _wikidata_request(self, ids: list[str], props: str) -> scrapy.Request:
        self.spider.crawler.stats.inc_value("newsarchive/wikidata/requests")
        return scrapy.Request(
            wbgetentities_url(self.wikidata_api, ids, props, self.maxlag), callback=self.spider.parse_wikidata,
            errback=self.spider.wikidata_failed, priority=80, dont_filter=True,
            meta=api_meta("wikidata", wikidata_ids=ids, wikidata_props=props))

    async def on_wikidata(self, response):
        ids, labels = response.meta["wikidata_ids"], response.meta["wikidata_props"] == LABEL_PROPS
        try:
            data = json.loads(response.text)
            answers = read_labels(ids, data) if labels else read_items(ids, data)
        except ApiError as err:
            retry = await self._retry(response, err)
            if retry is not None:
                yield retry
                return
            yield self._wikidata_failed(ids, labels, f"api_error: {err}")
            return
        except (ValueError, TypeError) as err:
            yield self._wikidata_failed(ids, labels, f"api_error: unreadable answer: {err}")
            return
        if labels:
            yield WikidataBatch(utcnow(), labels=answers)
            return
        yield WikidataBatch(utcnow(), items=answers)
        for request in self._label([q for item in answers for q in [*item.types, item.country] if q]):
            yield request

    def on_wikidata_failure(self, failure) -> list:
        meta = failure.request.meta
        return [self._wikidata_failed(meta["wikidata_ids"], meta["wikidata_props"] == LABEL_PROPS,
                                      f"api_error: {_reason(failure)}")]

    def _wikidata_failed(self, ids: list[str], labels: bool, reason: str) -> WikidataBatch:
        self.spider.crawler.stats.inc_value("newsarchive/wikidata/failed_requests")
        self.spider.logger.warning("Wikidata request for %d ids failed: %s", len(ids), reason)
        failed = failed_items(ids, reason, labels=labels)
        return WikidataBatch(utcnow(), labels=failed) if labels else WikidataBatch(utcnow(), items=failed)


def _reason(failure) -> str:
    response = getattr(failure.value, "response", None)
    return f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
