"""Per-host politeness applied to Scrapy's download slots: a pause for the whole host (after a 429/503 with
Retry-After), a minimum delay (a robots.txt Crawl-delay) and that delay counted again from an answer.

Scrapy keeps one ``Slot`` per host (its ``download_slot`` key); a request goes out when ``Slot.lastseen`` (the last
send, ``time.monotonic``) is ``Slot.delay`` behind. These helpers set those two attributes; tests/test_slots.py
checks them against Scrapy's downloader, so a change in Scrapy shows there.
"""

from __future__ import annotations

from time import monotonic


def pause_host(crawler, request, seconds: float) -> None:
    """No request to ``request``'s host goes out for ``seconds`` (its slot must have a delay, as by default)."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is not None and seconds > 0:
        slot.lastseen = max(slot.lastseen, monotonic() + seconds)


def raise_host_delay(crawler, request, delay: float) -> None:
    """``request``'s host gets at least ``delay`` seconds between requests, exactly (no random jitter, which would
    bring every other gap under it), now or when its slot is made."""
    downloader = crawler.engine.downloader
    key = downloader.get_slot_key(request)
    slot = downloader.slots.get(key)
    if slot is not None:
        slot.delay, slot.jitter = max(slot.delay, delay), 0
    else:
        settings = downloader.per_slot_settings.setdefault(key, {})
        settings.update(delay=max(settings.get("delay", 0), delay), jitter=0)


def restart_host_delay(crawler, request) -> None:
    """``request``'s host gets its next request no sooner than its delay from now (its answer just came back), as
    if the last request had left now."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is not None:
        slot.lastseen = max(slot.lastseen, monotonic())
