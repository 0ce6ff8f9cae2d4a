"""RedisItemPipeline: each item pushed, JSON-encoded, to the shared item queue; its lease ended in the same
MULTI."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler

from crawler.distributed import keys
from crawler.distributed.codec import decode_item
from crawler.distributed.leases import Leases, api_lease_key
from crawler.items import DayPage, Event, SourceFetch, SourceRef
from pipelines.redis import RedisItemPipeline
from tests.conftest import project_crawler

WORKER = "host:1"
LEASES = keys.lease_key(WORKER)
TITLES = ["Portal:Current events/2014 February 13", "Portal:Current events/2014 February 14"]


class FakePipe:
    """A redis-py pipeline: commands are queued, and run by execute()."""

    def __init__(self, server, transaction):
        self.server, self.transaction, self.commands = server, transaction, []

    def rpush(self, key, value):
        self.commands.append(("rpush", key, value))

    def hdel(self, key, field):
        self.commands.append(("hdel", key, field))

    def execute(self):
        self.server.executed.append((self.transaction, list(self.commands)))


class FakeRedis:
    """The few client methods the pipeline and ``Leases`` use; direct commands are logged apart."""

    def __init__(self):
        self.executed: list = []  # (transaction, [commands]) per pipeline executed
        self.direct: list = []

    def pipeline(self, transaction=True):
        return FakePipe(self, transaction)

    def register_script(self, script):
        return lambda keys=(), args=(): None

    def hdel(self, key, field):
        self.direct.append(("hdel", key, field))


@pytest.fixture
def server():
    return FakeRedis()


def make_pipeline(server, leases=None):
    crawler = project_crawler(NEWSARCHIVE_REDIS_URL="redis://127.0.0.1:9/0")
    p = build_from_crawler(RedisItemPipeline, crawler)  # the client connects on its first command: none here
    p.server = server
    crawler.spider = SimpleNamespace(leases=leases)
    return p


def source(url="https://news.example.org/budget", body=b"<html>budget</html>"):
    return SourceFetch(
        url=url,
        final_url=url,
        http_status=200,
        status="fetched",
        body=body,
        event_day=date(2014, 2, 13),
        article={"status": "ok", "title": "Budget passes"},
        fetched_at="2014-02-14T02:00:00+00:00",
        warc=("a.warc.gz", 512),
    )


def day_page(title=TITLES[0], day=date(2014, 2, 13)):
    return DayPage(
        day=day,
        title=title,
        status="ok",
        revision_id=7,
        events=[
            Event(
                day=day,
                category="Politics",
                stories=["Budget"],
                text="Budget passes.",
                sources=[SourceRef("https://news.example.org/budget", "Example News")],
            )
        ],
    )


def test_not_configured_without_a_redis_url():
    with pytest.raises(NotConfigured):
        build_from_crawler(RedisItemPipeline, project_crawler(NEWSARCHIVE_REDIS_URL=""))


def test_a_source_is_pushed_json_encoded_in_one_transaction(server):
    p = make_pipeline(server)
    item = source()
    assert p.process_item(item) is item
    assert len(server.executed) == 1
    transaction, commands = server.executed[0]
    assert transaction is True
    assert [c[:2] for c in commands] == [("rpush", keys.ITEMS)]
    back = decode_item(commands[0][2])
    assert isinstance(back, SourceFetch)
    assert (back.url, back.status, back.body, back.event_day) == (
        "https://news.example.org/budget",
        "fetched",
        b"<html>budget</html>",
        date(2014, 2, 13),
    )
    assert back.article == {"status": "ok", "title": "Budget passes"}
    assert back.warc == ("a.warc.gz", 512)


def test_the_body_is_freed_once_pushed(server):
    item = make_pipeline(server).process_item(source())
    assert item.body is None


def test_a_day_page_is_pushed_with_its_events(server):
    p = make_pipeline(server)
    p.process_item(day_page())
    back = decode_item(server.executed[0][1][0][2])
    assert isinstance(back, DayPage)
    assert back.title == TITLES[0] and back.day == date(2014, 2, 13)
    assert [(e.text, e.sources[0].url) for e in back.events] == [
        ("Budget passes.", "https://news.example.org/budget")
    ]


def test_a_sources_lease_is_released_in_the_same_transaction(server):
    leases = Leases(server, WORKER)
    leases.hold("field-1", "https://news.example.org/budget")
    p = make_pipeline(server, leases)
    p.process_item(source())
    transaction, commands = server.executed[0]
    assert transaction is True
    assert [c[0] for c in commands] == ["rpush", "hdel"]
    assert commands[1] == ("hdel", LEASES, "field-1")
    assert server.direct == []  # not outside the MULTI


def test_another_sources_lease_stays(server):
    leases = Leases(server, WORKER)
    leases.hold("field-2", "https://news.example.org/other")
    make_pipeline(server, leases).process_item(source())
    assert [c[0] for c in server.executed[0][1]] == ["rpush"]


def test_an_api_lease_ends_with_the_last_day_page_of_its_batch(server):
    leases = Leases(server, WORKER)
    work = api_lease_key({"titles": TITLES, "cont": None})
    leases.hold("api-field", work)
    leases.expect(work, ("day", TITLES[0]))
    leases.expect(work, ("day", TITLES[1]))
    leases.close(work)  # the API answer yields nothing more; its pages are still on their way
    p = make_pipeline(server, leases)
    p.process_item(day_page(TITLES[0], date(2014, 2, 13)))
    assert [c[0] for c in server.executed[0][1]] == ["rpush"]
    p.process_item(day_page(TITLES[1], date(2014, 2, 14)))
    assert server.executed[1][1][1] == ("hdel", LEASES, "api-field")
    assert server.direct == []


def test_without_leases_only_the_item_is_pushed(server):
    p = make_pipeline(server, leases=None)
    p.process_item(source())
    p.process_item(day_page())
    assert [[c[0] for c in cmds] for _, cmds in server.executed] == [["rpush"], ["rpush"]]
