"""Per-host politeness applied to Scrapy's download slots: a pause for the whole host (after a 429/503 with
Retry-After), a host's pace (a robots.txt Crawl-delay: one request at a time, that delay apart) and that delay
counted again from an answer.

Scrapy keeps one ``Slot`` per host (its ``download_slot`` key); a request goes out when ``Slot.lastseen`` (the last
send, ``time.monotonic``) is ``Slot.delay`` behind and fewer than ``Slot.concurrency`` of the host's requests are
out. These helpers set those attributes; tests/test_slots.py checks them against Scrapy's downloader, so a change
in Scrapy shows there.
"""

from __future__ import annotations

from time import monotonic


def pause_host(crawler, request, seconds: float) -> None:
    """No request to ``request``'s host goes out for ``seconds`` (its slot must have a delay, as by default)."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is not None and seconds > 0:
        slot.lastseen = max(slot.lastseen, monotonic() + seconds)


def keep_host_pace(crawler, request, delay: float) -> None:
    """``request``'s host gets one request at a time, at least ``delay`` seconds apart, exactly (no random jitter,
    which would bring every other gap under it), now or when its slot is made. With ``restart_host_delay`` on
    each answer, the next request leaves ``delay`` after the previous one was answered."""
    downloader = crawler.engine.downloader
    key = downloader.get_slot_key(request)
    slot = downloader.slots.get(key)
    if slot is not None:
        slot.delay, slot.jitter, slot.concurrency = max(slot.delay, delay), 0, 1
    else:
        settings = downloader.per_slot_settings.setdefault(key, {})
        settings.update(delay=max(settings.get("delay", 0), delay), jitter=0, concurrency=1)


def restart_host_delay(crawler, request) -> None:
    """``request``'s host gets its next request no sooner than its delay from now (its answer just came back), as
    if the last request had left now."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is not None:
        slot.lastseen = max(slot.lastseen, monotonic())
