"""crawler.scrapy.slots against Scrapy's own downloader: a host's pause and its minimum delay."""

from __future__ import annotations

import types
from time import monotonic

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot

from crawler.scrapy.slots import keep_host_pace, pause_host, restart_host_delay
from tests.conftest import project_crawler


def crawler_with_downloader():
    crawler = project_crawler()
    crawler.engine = types.SimpleNamespace(downloader=Downloader(crawler))
    return crawler, crawler.engine.downloader


def test_a_paused_host_sends_nothing_until_the_pause_ends():
    crawler, downloader = crawler_with_downloader()
    req = Request("https://news.example.org/a")
    slot = downloader.slots[downloader.get_slot_key(req)] = Slot(4, 0.25, 0)
    pause_host(crawler, req, 30)
    # Scrapy's downloader sends a slot's next request when monotonic() - lastseen >= its delay
    assert slot.download_delay() - monotonic() + slot.lastseen > 29.9
    pause_host(crawler, req, 5)  # a shorter pause does not shorten the running one
    assert slot.lastseen > monotonic() + 29
    pause_host(crawler, Request("https://unknown.example.org/"), 30)  # no slot yet: nothing to pause


def test_a_host_pace_is_kept_now_or_when_its_slot_is_made():
    crawler, downloader = crawler_with_downloader()
    req = Request("https://slow.example.org/a")
    keep_host_pace(crawler, req, 5.0)  # no slot yet: the slot will be made with it
    assert downloader.per_slot_settings["slow.example.org"] == {"delay": 5.0, "jitter": 0, "concurrency": 1}
    slot = downloader.slots["other.example.org"] = Slot(4, 0.25, 0.5)
    keep_host_pace(crawler, Request("https://other.example.org/"), 2.0)
    # never closer than stated (no jitter below it), one request at a time
    assert (slot.delay, slot.jitter, slot.concurrency) == (2.0, 0, 1)
    keep_host_pace(crawler, Request("https://other.example.org/"), 1.0)  # never lowered
    assert slot.delay == 2.0


def test_a_restarted_delay_counts_from_now_and_never_shortens_a_pause():
    crawler, downloader = crawler_with_downloader()
    req = Request("https://news.example.org/a")
    slot = downloader.slots[downloader.get_slot_key(req)] = Slot(4, 2.0, 0)
    slot.lastseen = monotonic() - 10
    restart_host_delay(crawler, req)
    assert monotonic() - slot.lastseen < 0.5  # the next request waits the whole 2 s from now
    pause_host(crawler, req, 30)
    restart_host_delay(crawler, req)
    assert slot.lastseen > monotonic() + 29  # a running pause stays
    restart_host_delay(crawler, Request("https://unknown.example.org/"))  # no slot yet: nothing to do
