"""Distributed mode on a real redis-server: two workers + one ingest equal a single-process crawl, even when a
worker is killed mid-run; the ingest loses nothing across a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import types
from datetime import date

import pytest

from crawler.distributed import keys
from crawler.distributed.codec import decode_item, encode_item
from crawler.items import DayPage, Entity, Event, SourceFetch, SourceRef
from crawler.storage.schema import open_db
from tests.conftest import RETRY
from tests.mockserver import MockServer
from tests.redisserver import RedisServer
from tests.sitegen import build_site
from tests.test_crawl_portal import ROOT, run_cli
from tests.test_update_resume import content

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0",
        "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "NEWSARCHIVE_WAYBACK_URL="]
RANGE = ["--from", "2015-03-01", "--to", "2015-03-16"]


def spawn(*args):
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def site(tmp_path):
    return build_site(tmp_path / "site", date(2015, 3, 1), days=16, events_per_day=3, skip={date(2015, 3, 9)},
                      shared_every=4, delay=0.05)


def distributed_run(tmp_path, site, kill_one: bool):
    db_path = tmp_path / ("killed.db" if kill_one else "dist.db")
    with RedisServer(tmp_path) as redis, MockServer("--url-map", str(site["map"]), "--delay", "0.3",
                                                     wiki=[site["wiki"]]) as srv:
        common = ["--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST,
                  "-s", "NEWSARCHIVE_TITLES_PER_REQUEST=2"]
        proc = run_cli("crawl", *RANGE, "--redis", redis.url, "--db", str(db_path),
                       "-s", "NEWSARCHIVE_TITLES_PER_REQUEST=2")
        assert "seeded 8 API batches" in proc.stdout
        workers = [spawn("worker", "--redis", redis.url, "--idle-exit", "10", *common) for _ in range(2)]
        ingest = spawn("ingest", "--redis", redis.url, "--db", str(db_path), "--idle-exit", "4", "--batch", "10")
        victim = None
        if kill_one:
            import redis as redis_py
            r = redis_py.Redis.from_url(redis.url)
            held = {keys.lease_key(f"{socket.gethostname()}:{w.pid}"): w for w in workers}
            deadline = time.time() + 60
            while time.time() < deadline and victim is None:  # a worker holding leased source requests
                if r.scard(keys.SOURCES_SEEN) >= 6:
                    victim = next((w for key, w in held.items() if r.hlen(key)), None)
                time.sleep(0.02)
            assert victim is not None, "no worker ever held a leased source request"
            os.killpg(victim.pid, signal.SIGKILL)
        out, err = ingest.communicate(timeout=240)
        assert ingest.returncode == 0, err
        for w in workers:
            try:
                w.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
                w.communicate()
        for w in workers:
            assert w.returncode == (-9 if w is victim else 0), w.stderr
    return db_path, out


def single_run(tmp_path, site):
    db_path = tmp_path / "single.db"
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]]) as srv:
        run_cli("crawl", *RANGE, "--db", str(db_path), "--wiki-api", srv.api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST)
    return db_path


def test_two_workers_and_ingest_equal_a_single_process_crawl(tmp_path, site):
    single = content(single_run(tmp_path, site))
    dist_path, out = distributed_run(tmp_path, site, kill_one=False)
    dist = content(dist_path)
    for table in single:
        assert dist[table] == single[table], table
    assert len(single["sources"]) == 15 * 3 + 1 and "ingested" in out


def test_a_worker_killed_mid_run_still_gives_the_complete_result(tmp_path, site):
    single = content(single_run(tmp_path, site))
    dist_path, out = distributed_run(tmp_path, site, kill_one=True)
    put_back = int(out.split("put back ")[1].split()[0])
    assert put_back >= 1, out  # the killed worker's leased requests went back to the frontier
    dist = content(dist_path)
    for table in single:
        assert dist[table] == single[table], table


def test_ingest_restart_loses_no_item(tmp_path):
    """A batch left in the processing list (ingest killed before acknowledging) is written on restart."""
    import redis as redis_py

    from crawler.distributed.ingest import drain_once
    day = DayPage(day=date(2015, 3, 1), title="Portal:Current events/2015 March 1", status="ok", revision_id=3,
                  events=[Event(day=date(2015, 3, 1), category="Sports", stories=["S"], text="Oslo wins.",
                                entities=[Entity("Oslo", "Oslo")], sources=[SourceRef("http://e.org/1", "E")],
                                position=1)], wikitext="x")
    src = SourceFetch(url="http://e.org/1", final_url="http://e.org/1", http_status=200, status="fetched",
                      fetched_at="2015-03-02T00:00:00+00:00", body=b"<html>x</html>", event_day=date(2015, 3, 1),
                      article={"status": "ok", "title": "T", "text": "words " * 30, "word_count": 30})
    assert decode_item(encode_item(day)) == day and decode_item(encode_item(src)) == src
    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        r.rpush(keys.ITEMS, encode_item(day), encode_item(src))
        r.lmove(keys.ITEMS, keys.PROCESSING, "LEFT", "RIGHT")  # a batch was taken, then the ingest died
        r.lmove(keys.ITEMS, keys.PROCESSING, "LEFT", "RIGHT")
        db = open_db(tmp_path / "a.db")
        assert drain_once(r, db, batch=10, policy=RETRY) == 2
        assert r.llen(keys.PROCESSING) == 0 and r.llen(keys.ITEMS) == 0
        assert db["events"].count == 1 and next(db.query("SELECT status, attempts FROM sources")) == {
            "status": "ok", "attempts": 1}
        # replaying the same batch (crash after commit, before delete) changes nothing
        r.rpush(keys.PROCESSING, encode_item(day), encode_item(src))
        before = content(tmp_path / "a.db")
        drain_once(r, db, batch=10, policy=RETRY)
        assert content(tmp_path / "a.db") == before


def test_ingest_groups_copies_as_the_crawl_does(tmp_path):
    """Signatures and canonical URLs cross Redis in the article; the ingest's save_source groups the copies."""
    import redis as redis_py

    from crawler.distributed.ingest import drain_once

    sig = list(range(500, 628))
    items = [SourceFetch(url=url, final_url=url, http_status=200, status="fetched",
                         fetched_at=f"2015-03-0{i + 2}T00:00:00+00:00", event_day=date(2015, 3, 1),
                         article={"status": "ok", "title": "T", "text": "words " * 30, "word_count": 30,
                                  "published": "2015-03-01", "minhash": sig, "canonical_url": canonical})
             for i, (url, canonical) in enumerate([("http://wire.org/a", None), ("http://daily.org/b", None),
                                                    ("http://amp.org/c", "http://daily.org/b")])]
    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        r.rpush(keys.ITEMS, *[encode_item(item) for item in items])
        db = open_db(tmp_path / "a.db")
        assert drain_once(r, db, batch=10, policy=RETRY) == 3
        rows = db.execute("SELECT url, duplicate_group, duplicate_of IS NULL, canonical_url FROM sources "
                          "ORDER BY fetched_at").fetchall()
    assert len({g for _, g, _, _ in rows}) == 1 and rows[0][1] is not None
    assert [rep for _, _, rep, _ in rows] == [True, False, False]  # same day published: the first fetched
    assert rows[2][3] == "http://daily.org/b"


def test_host_gate_spaces_turns_per_host_on_the_redis_clock(tmp_path):
    import redis as redis_py

    from crawler.distributed.hostgate import HostGate

    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        gate, other_worker = HostGate(r, 0.5), HostGate(redis_py.Redis.from_url(server.url), 0.5)
        waits = [gate.turn("a.example"), other_worker.turn("a.example"), gate.turn("a.example")]
        assert waits[0] == 0 and 0.3 < waits[1] <= 0.5 and 0.8 < waits[2] <= 1.0  # one timeline, any worker
        assert gate.turn("b.example") == 0  # hosts are independent
        assert 0 < r.pttl(keys.host_gate_key("a.example")) <= 2500  # the gate expires once the host is quiet
        # a turn taken and then not used (the request was cancelled while waiting) is freed if it is the last
        wait_c, turn_c = gate.take("c.example")
        wait_d, turn_d = other_worker.take("c.example")
        assert wait_c == 0 and turn_d == turn_c + 500
        assert gate.give_back("c.example", turn_d)
        assert 0.3 < other_worker.turn("c.example") <= 0.5  # d's turn again, not one interval later
        wait_e, turn_e = gate.take("c.example")
        assert not gate.give_back("c.example", turn_c + 500)  # a later turn stands: nothing moves
        assert r.get(keys.host_gate_key("c.example")) == str(turn_e + 500).encode()
        # a host with a longer delay of its own (the archive's 1 s) is spaced by it, never by less than the gate's
        _, turn_f = gate.take("wayback", 1.0)
        wait_g, turn_g = other_worker.take("wayback", 0.1)
        assert turn_g == turn_f + 1000 and 0.8 < wait_g <= 1.0


def _requests_by_host(log_entries) -> dict[str, list[tuple[float, str]]]:
    """(time, path) of the requests the mock server got, per original host, in time order."""
    out: dict[str, list[tuple[float, str]]] = {}
    for e in log_entries:
        parts = e["path"].split("/")
        if len(parts) > 3 and parts[1] == "mirror":
            out.setdefault(parts[3], []).append((e["t"], e["path"]))
    return {host: sorted(reqs) for host, reqs in out.items()}


@pytest.mark.parametrize("shared_delay", [0.4, 0])
def test_workers_share_each_hosts_request_spacing(tmp_path, shared_delay):
    """Two workers, each allowed 4 parallel requests per host with no delay of its own: with the shared gate the
    hosts see one request per 0.4 s at most; without it (the control) requests arrive together."""
    site = build_site(tmp_path / "site", date(2015, 3, 1), days=4, events_per_day=3)
    with RedisServer(tmp_path) as redis, MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]],
                                                     log=tmp_path / "requests.jsonl") as srv:
        run_cli("crawl", "--from", "2015-03-01", "--to", "2015-03-04", "--redis", redis.url,
                "--db", str(tmp_path / "a.db"))
        common = ["--wiki-api", srv.api, "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST,
                  "-s", f"NEWSARCHIVE_SHARED_HOST_DELAY={shared_delay}", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]
        workers = [spawn("worker", "--redis", redis.url, "--idle-exit", "5", *common) for _ in range(2)]
        ingest = spawn("ingest", "--redis", redis.url, "--db", str(tmp_path / "a.db"), "--idle-exit", "3")
        _, err = ingest.communicate(timeout=180)
        assert ingest.returncode == 0, err
        for w in workers:
            _, werr = w.communicate(timeout=60)
            assert w.returncode == 0, werr
        by_host = _requests_by_host(srv.requests())
    assert set(by_host) == {"news0.example.com", "news1.example.com", "news2.example.com"}
    for reqs in by_host.values():  # each page once; robots.txt once per worker that met the host
        assert len([p for _, p in reqs if not p.endswith("/robots.txt")]) == 4
    gaps = {host: [b[0] - a[0] for a, b in zip(reqs, reqs[1:])] for host, reqs in by_host.items()}
    smallest = min(min(g) for g in gaps.values())
    if shared_delay:
        # turns are exactly 0.4 s apart; arrivals jitter by however late the worker's reactor sends (a loaded
        # machine: ~0.1 s), which shortens one gap and lengthens its neighbour, so the span is the robust measure
        for host, reqs in by_host.items():
            assert reqs[-1][0] - reqs[0][0] >= (len(reqs) - 1) * shared_delay - 0.3, (host, gaps[host])
        assert smallest >= 0.1, gaps  # never two at once
    else:
        assert smallest < 0.1, gaps
    statuses = {r["status"] for r in open_db(tmp_path / "a.db").query("SELECT status FROM sources")}
    assert statuses == {"ok"}


def test_ingest_waits_for_a_busy_worker_and_not_for_a_dead_one(tmp_path):
    """Empty queues are not the end while a live worker holds work in flight; a killed worker's flag lapses."""
    import redis as redis_py

    from crawler.distributed.ingest import queues_empty
    from crawler.distributed.seeding import queue_lengths

    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        assert queues_empty(r)
        r.set(keys.busy_key("host:1"), 1, px=300)  # as WorkerLoop.mark_busy renews it
        assert not queues_empty(r) and queue_lengths(r)["busy_workers"] == 1
        time.sleep(0.5)  # not renewed: the worker died
        assert queues_empty(r) and queue_lengths(r)["busy_workers"] == 0


def test_reseed_asks_once_per_missing_source_for_its_earliest_citing_day(tmp_path):
    """A source cited on several days and never fetched (its worker died) is seeded once, not once per day."""
    import json

    import redis as redis_py

    from crawler.distributed.ingest import drain_once, reseed_missing
    from crawler.distributed.seeding import seed_range

    def day_page(d: date, n_events: int) -> DayPage:
        events = [Event(day=d, category="Sports", stories=[], text=f"Event {i} on {d}.", entities=[],
                        sources=[SourceRef("http://e.org/shared", "E"), SourceRef(f"http://e.org/{d}/{i}", "E")],
                        position=i + 1) for i in range(n_events)]
        return DayPage(day=d, title=f"Portal:Current events/{d}", status="ok", revision_id=1, events=events,
                       wikitext="x")

    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        seed_range(r, date(2015, 3, 1), date(2015, 3, 3))
        r.delete(keys.SEEDS)  # the seeds were taken by workers
        db = open_db(tmp_path / "a.db")
        r.rpush(keys.ITEMS, encode_item(day_page(date(2015, 3, 3), 1)), encode_item(day_page(date(2015, 3, 1), 2)))
        drain_once(r, db, batch=10, policy=RETRY)
        assert reseed_missing(r, db) == 1 + 4  # the day never stored, the four sources never fetched
        seeds = [json.loads(x) for x in r.lrange(keys.SEEDS, 0, -1)]
    sources = [(s["url"], s["day"]) for s in seeds if s["kind"] == "source"]
    assert len(sources) == 4 and ("http://e.org/shared", "2015-03-01") in sources
    assert [s["titles"] for s in seeds if s["kind"] == "days"] == [["Portal:Current events/2015 March 2"]]


def test_gate_handler_gives_back_the_turn_of_a_request_cancelled_while_waiting(tmp_path):
    import asyncio
    from types import SimpleNamespace

    import redis as redis_py

    from crawler.distributed.hostgate import HostGate
    from crawler.scrapy.distributed import SharedHostGateHandler

    class Stats:
        def __init__(self):
            self.values = {}

        def inc_value(self, key, n=1):
            self.values[key] = self.values.get(key, 0) + n

    sent = []

    class Inner:
        async def download_request(self, request):
            sent.append(request)
            return "response"

    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        stats = Stats()
        crawler = SimpleNamespace(stats=stats, engine=SimpleNamespace(
            downloader=SimpleNamespace(slots={}, get_slot_key=lambda request: "slow.example")))
        handler = SharedHostGateHandler(crawler, Inner(), HostGate(r, 5.0))

        async def scenario():
            assert await handler.download_request("first") == "response"  # no wait: sent at once
            before = int(r.get(keys.host_gate_key("slow.example")))
            waiting = asyncio.ensure_future(handler.download_request("second"))  # must wait 5 s
            await asyncio.sleep(0.2)
            assert int(r.get(keys.host_gate_key("slow.example"))) == before + 5000
            waiting.cancel()
            try:
                await waiting
            except asyncio.CancelledError:
                pass
            return before

        before = asyncio.run(scenario())
        assert sent == ["first"]
        assert int(r.get(keys.host_gate_key("slow.example"))) == before  # the next request gets that turn
        assert stats.values.get("newsarchive/host_gate/turns_given_back") == 1


def test_leases_hold_source_requests_until_their_item_and_come_back_from_a_stopped_worker(tmp_path):
    import redis as redis_py

    from crawler.distributed.leases import Leases, leased, requeue_orphans
    from crawler.distributed.seeding import queue_lengths

    frontier = keys.frontier_key()
    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        r.zadd(frontier, {b"api-batch": -10, b"fetch-a": 0, b"fetch-b": 0, b"wayback-b": 1})
        w1, w2 = Leases(r, "host:1"), Leases(r, "host:2")
        w1.keep_alive()
        w2.keep_alive()
        member, field = w1.pop(frontier)
        assert member == b"api-batch"  # best score first, as scrapy-redis pops
        w1.hold(field, None)  # not a source request: not leased
        assert leased(r) == 0
        (a, fa), (b, fb) = w1.pop(frontier), w2.pop(frontier)
        w1.hold(fa, "https://a.example/1")
        w2.hold(fb, "https://b.example/2")
        assert {a, b} == {b"fetch-a", b"fetch-b"} and r.zcard(frontier) == 1 and leased(r) == 2
        w1.release("https://a.example/1")  # its item is in the item queue
        assert leased(r) == 1 and queue_lengths(r)["leased"] == 1
        chain, fc = w2.pop(frontier)  # the archive request that took over source b's fetch
        w2.hold(fc, "https://b.example/2")
        assert chain == b"wayback-b" and r.hkeys(keys.lease_key("host:2")) == [fc.encode()]
        assert requeue_orphans(r, frontier) == 0  # both workers alive
        r.delete(keys.alive_key("host:2"))  # host:2 was killed: its alive key lapsed
        assert requeue_orphans(r, frontier) == 1
        assert r.zrange(frontier, 0, -1, withscores=True) == [(b"wayback-b", 1.0)] and leased(r) == 0
        member, field = w1.pop(frontier)
        w1.hold(field, "https://b.example/2")
        assert w1.give_up(frontier) == 1 and r.zcard(frontier) == 1  # a closing worker puts back what it holds
        assert not r.exists(keys.alive_key("host:1"))


def test_a_leased_request_keeps_the_ingest_from_calling_the_work_done(tmp_path):
    import redis as redis_py

    from crawler.distributed.ingest import queues_empty
    from crawler.distributed.leases import Leases

    frontier = keys.frontier_key()
    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        r.zadd(frontier, {b"fetch-a": 0})
        w = Leases(r, "host:1")
        w.keep_alive()
        _, field = w.pop(frontier)
        w.hold(field, "https://a.example/1")
        assert r.zcard(frontier) == 0 and not queues_empty(r)  # in flight on a live worker: not done
        w.release("https://a.example/1")
        assert queues_empty(r)
        r.zadd(frontier, {b"fetch-b": 0})
        _, field = w.pop(frontier)
        w.hold(field, "https://b.example/1")
        w.forget_all()  # the worker went idle: what it still held has finished
        assert queues_empty(r) and r.zcard(frontier) == 0


def test_an_api_lease_ends_with_the_last_day_page_pushed_not_when_the_callback_ends(tmp_path):
    """The pipelines run several items at once, so an API callback can end with day pages still on their way:
    the API request's lease ends with the last of them pushed (in the same MULTI), so a worker dying before
    that leaves the batch leased, and the ingest puts it back."""
    import redis as redis_py

    from crawler.distributed.leases import Leases, leased
    from pipelines.redis import RedisItemPipeline
    from crawler.items import DayPage
    from crawler.distributed.leases import api_lease_key

    frontier = keys.frontier_key()
    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        r.zadd(frontier, {b"api-batch": -10})
        w = Leases(r, "host:1")
        w.keep_alive()
        _, field = w.pop(frontier)
        work = api_lease_key({"titles": ["Portal:Current events/2021 March 1", "Portal:Current events/2021 March 2"],
                              "cont": None})
        w.hold(field, work)
        pages = [DayPage(day=date(2021, 3, d), title=f"Portal:Current events/2021 March {d}", status="ok")
                 for d in (1, 2)]
        for page in pages:
            w.expect(work, ("day", page.title))
        w.close(work)  # the callback is done; both pages are still in the pipelines
        assert leased(r) == 1
        crawler = types.SimpleNamespace(spider=types.SimpleNamespace(leases=w))
        pipeline = RedisItemPipeline(r, crawler)
        pipeline.process_item(pages[1])
        assert leased(r) == 1 and r.llen(keys.ITEMS) == 1
        pipeline.process_item(pages[0])
        assert leased(r) == 0 and r.llen(keys.ITEMS) == 2
        # a callback whose pages were all pushed before it ended releases at once
        r.zadd(frontier, {b"api-batch-2": -10})
        _, field = w.pop(frontier)
        w.hold(field, "api:second")
        w.expect("api:second", ("day", "Portal:Current events/2021 March 3"))
        w.delivered(("day", "Portal:Current events/2021 March 3"))
        assert leased(r) == 1
        w.close("api:second")
        assert leased(r) == 0


def test_entity_items_go_through_the_ingest_and_unresolved_titles_are_seeded_again(tmp_path):
    """Resolution and Wikidata items cross Redis like day pages; titles a stopped worker never resolved (link
    targets and story names) are seeded again, the resolved ones are not."""
    import json

    import redis as redis_py

    from crawler.distributed.ingest import drain_once, reseed_missing
    from crawler.distributed.seeding import seed_range
    from crawler.items import EntityBatch, EntityResolution, WikidataBatch, WikidataItem, WikidataLabel

    d = date(2015, 3, 1)
    day = DayPage(day=d, title="Portal:Current events/2015 March 1", status="ok", revision_id=1, wikitext="x",
                  events=[Event(day=d, category=None, stories=["Oslo summit"], text="Leaders meet in Oslo.",
                                entities=[Entity("Oslo", "Oslo"), Entity("Norway", "Norway")], sources=[],
                                position=1)])
    batch = EntityBatch([EntityResolution("Oslo", "ok", canonical_title="Oslo", qid="Q585", lat=59.9, lon=10.7,
                                          coord_type="city", page_id=3, revision_id=4)], "2026-12-01T00:00:00+00:00")
    wd = WikidataBatch("2026-12-01T00:00:00+00:00", items=[WikidataItem("Q585", "ok", label="Oslo", types=["Q5119"],
                                                                        country="Q20")],
                       labels=[WikidataLabel("Q5119", "ok", label="capital city")])
    assert decode_item(encode_item(batch)) == batch and decode_item(encode_item(wd)) == wd
    with RedisServer(tmp_path) as server:
        r = redis_py.Redis.from_url(server.url)
        seed_range(r, d, d)
        r.delete(keys.SEEDS)
        db = open_db(tmp_path / "a.db")
        r.rpush(keys.ITEMS, encode_item(day), encode_item(batch), encode_item(wd))
        assert drain_once(r, db, batch=10, policy=RETRY) == 3
        assert db["entities"].get(db.execute("SELECT id FROM entities WHERE title = 'Oslo'").fetchone()[0])["qid"] \
            == "Q585"
        assert db["wikidata_items"].get("Q585")["country_qid"] == "Q20"
        assert reseed_missing(r, db) == 1
        seeds = [json.loads(x) for x in r.lrange(keys.SEEDS, 0, -1)]
    assert seeds == [{"kind": "entities", "titles": ["Norway", "Oslo summit"]}]
