"""Events as WCEP records (crawler.archive.datasets.wcep): shape, collapsed near-duplicates, figures for the card."""

from datetime import date, timedelta

import pytest

from crawler.archive.datasets.wcep import CardFigures, collapse, wcep_records, wiki_path
from crawler.items import DayPage, Entity, Event, SourceFetch, SourceRef
from crawler.storage.days import save_day
from crawler.storage.schema import open_db
from crawler.storage.sources import RetryPolicy, save_source

POLICY = RetryPolicy(timedelta(hours=1), 4.0, 5)
WIRE = list(range(100, 228))  # hand-made signatures: WIRE and COPY agree in 120 of 128 positions
COPY = [7 if i < 8 else v for i, v in enumerate(WIRE)]
URLS = {"wire": "https://wire.example/2020/01/01/quake", "copy": "https://daily.example/world/quake-copy",
        "dead": "https://gone.example/quake", "local": "https://local.example/2020/council-vote"}


def event(day, pos, text, urls, entities=(), stories=("2020 earthquake",)):
    return Event(day=day, category="Disasters and accidents", stories=list(stories), text=text,
                 entities=[Entity(t, t) for t in entities], sources=[SourceRef(u, outlet="Outlet") for u in urls],
                 position=pos)


def build_archive(path=":memory:"):
    """Four days, ten events. 2020-01-01's first event cites the wire story, a copy of it and a dead page; the
    second cites only the copy. Every other event cites its own local story."""
    db = open_db(path)
    days = {date(2020, 1, 1): 2, date(2020, 1, 2): 1, date(2020, 1, 3): 3, date(2020, 1, 5): 4}
    for day, count in days.items():
        events = []
        for pos in range(1, count + 1):
            if day == date(2020, 1, 1):
                urls = [URLS["wire"], URLS["copy"], URLS["dead"]] if pos == 1 else [URLS["copy"]]
                text = "An earthquake of magnitude 6.1 strikes the coast. Dozens are injured." if pos == 1 else \
                    "Rescue teams reach the villages cut off by the earthquake."
                events.append(event(day, pos, text, urls, entities=["Richter scale", "São Paulo"]))
            else:
                events.append(event(day, pos, f"Council vote number {pos} on {day} passes.",
                                    [f"{URLS['local']}/{day}/{pos}"], stories=()))
        save_day(db, DayPage(day=day, title=f"Portal:Current events/{day}", status="ok", revision_id=900,
                             events=events))

    def store(url, status, sig=None, published=None, published_at=None, text="story text"):
        fetch = SourceFetch(url=url, final_url=url, http_status=200 if status == "ok" else 404, status="fetched",
                            fetched_at="2020-01-06T00:00:00+00:00")
        result = {"status": status, "error": None if status == "ok" else "gone", "title": f"title of {url}",
                  "text": text if status == "ok" else "", "published": published, "published_at": published_at,
                  "date_source": "jsonld" if published else None, "language": "en", "minhash": sig,
                  "extractor_version": "test-1"}
        save_source(db, fetch, result, POLICY)

    store(URLS["wire"], "ok", WIRE, "2020-01-01", "2020-01-01T06:00:00+00:00", text="the wire story")
    store(URLS["copy"], "ok", COPY, "2020-01-01", "2020-01-01T09:30:00+00:00", text="the copied story")
    store(URLS["dead"], "http_error")
    for day, count in days.items():
        if day != date(2020, 1, 1):
            for pos in range(1, count + 1):
                store(f"{URLS['local']}/{day}/{pos}", "ok", [day.toordinal() * 1000 + pos * 200 + i for i in range(128)],
                      day.isoformat(), text=f"local story {day} {pos}")
    return db


@pytest.fixture
def db():
    return build_archive()


def test_wiki_paths_as_mediawiki_links_them():
    assert wiki_path("São Paulo") == "/wiki/S%C3%A3o_Paulo"
    assert wiki_path("AC/DC (band)") == "/wiki/AC/DC_(band)"


def test_record_has_wceps_fields_and_ours(db):
    records = list(wcep_records(db))
    assert len(records) == 10
    first = records[0]
    assert list(first)[:8] == ["id", "date", "summary", "articles", "wiki_links", "reference_urls", "category",
                               "collection"]
    assert first["date"] == "2020-01-01"
    assert first["summary"] == "An earthquake of magnitude 6.1 strikes the coast. Dozens are injured."
    assert first["wiki_links"] == ["/wiki/Richter_scale", "/wiki/S%C3%A3o_Paulo"]
    assert first["reference_urls"] == [URLS["wire"], URLS["copy"], URLS["dead"]]
    assert first["stories"] == ["2020 earthquake"] and first["category"] == "Disasters and accidents"
    assert first["entities"][0] == {"title": "Richter scale", "label": "Richter scale", "qid": None}
    assert first["revision_id"] == 900 and first["collection"] is None


def test_copies_cited_by_one_event_collapse_into_the_representative(db):
    first, second = list(wcep_records(db))[:2]
    [article] = first["articles"]  # the wire story; its copy is folded in, the dead page has no article
    assert article["url"] == URLS["wire"] and article["text"] == "the wire story"
    assert article["duplicate_urls"] == [URLS["copy"]] and article["is_representative"] is True
    assert article["time"] == "2020-01-01T06:00:00+00:00" and article["origin"] == "WCEP"
    assert article["date_source"] == "jsonld" and article["duplicate_group"] is not None
    [only] = second["articles"]  # the event cites the copy alone: it stays
    assert only["url"] == URLS["copy"] and only["is_representative"] is False
    assert only["duplicate_group"] == article["duplicate_group"]


def test_keep_duplicates_lists_every_copy(db):
    first = next(wcep_records(db, keep_duplicates=True))
    assert [a["url"] for a in first["articles"]] == [URLS["wire"], URLS["copy"]]
    assert [a["is_representative"] for a in first["articles"]] == [True, False]


def test_without_text_and_range_and_collection(db):
    records = list(wcep_records(db, "2020-01-03", "2020-01-05", with_text=False,
                                split_of=lambda day: "test" if day >= "2020-01-05" else "validation"))
    assert [r["date"] for r in records] == ["2020-01-03"] * 3 + ["2020-01-05"] * 4
    assert {r["collection"] for r in records[:3]} == {"validation"} and records[-1]["collection"] == "test"
    assert all(a["text"] is None and a["title"] for r in records for a in r["articles"])


def test_figures_gathered_while_streaming(db):
    fig = CardFigures()
    list(wcep_records(db, figures=fig, split_of=lambda day: "all"))
    assert fig.events == 10 and fig.articles == [1, 1] + [1] * 8
    assert fig.citations == [3, 1] + [1] * 8 and fig.collapsed == 1 and fig.article_total == 10
    assert fig.summary_words[:2] == [11, 10] and fig.summary_sentences[:2] == [2, 1]
    assert CardFigures.spread([1, 2, 6]) == (1, 6, 3.0, 2)


def test_collapse_keeps_first_copy_when_the_representative_is_not_cited():
    arts = [{"duplicate_group": 5, "is_representative": False, "url": "a", "duplicate_urls": []},
            {"duplicate_group": None, "is_representative": True, "url": "b", "duplicate_urls": []},
            {"duplicate_group": 5, "is_representative": False, "url": "c", "duplicate_urls": []}]
    kept, dropped = collapse(arts)
    assert [a["url"] for a in kept] == ["a", "b"] and kept[0]["duplicate_urls"] == ["c"] and dropped == 1
