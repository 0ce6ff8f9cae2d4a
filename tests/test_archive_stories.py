"""Story pages (crawler.archive.markdown.stories, crawler.storage.stories): one page per story, its events in date order
with their sources, linked from each event page, canonical story names, written incrementally."""

from __future__ import annotations

from crawler.archive.markdown.render import render_archive
from crawler.archive.markdown.stories import story_slugs, wiki_url
from crawler.items import EntityBatch, EntityResolution
from crawler.storage.entities import save_resolutions
from crawler.storage.schema import open_db
from crawler.storage.stories import all_story_titles, day_stories, story_events
from tests.test_render import ev, save

ELECTION = "Egyptian presidential election, 2014"
CANONICAL = "2014 Egyptian presidential election"


def archive(tmp_path):
    db = open_db(tmp_path / "a.db")
    save(db, "2014-02-12", [ev("Talks open in Moscow.", stories=["Egypt–Russia relations"],
                              sources=[("http://a.example/1", "Al-Ahram")]),
                           ev("A bomb in Cairo.", stories=["Egyptian Crisis", "Cairo bombings"])])
    save(db, "2014-02-13", [ev("Ministers agree on arms.", stories=["Egypt–Russia relations"],
                              sources=[("http://a.example/2", "Al-Ahram"), ("http://h.example/3", "The Hindu")])])
    save(db, "2014-01-05", [ev("Sisi hints at a run.", stories=[ELECTION]),
                           ev("Russia and Egypt sign a deal.", stories=["Egypt–Russia relations"])])
    return db


def test_story_page_lists_its_events_in_date_order_with_their_sources(tmp_path):
    db = archive(tmp_path)
    stats = render_archive(db, tmp_path / "news")
    page = (tmp_path / "news/stories/egypt-russia-relations.md").read_text(encoding="utf-8")
    assert page.splitlines() == [
        "# Egypt–Russia relations",
        "",
        "3 events, 2014-01-05 … 2014-02-13. [The story on Wikipedia]"
        "(https://en.wikipedia.org/wiki/Egypt%E2%80%93Russia_relations)",
        "",
        "### [2014-01-05](/news/2014/01/5/index.md)",
        "",
        "1. [Egypt–Russia relations: Russia and Egypt sign a deal.]"
        "(/news/2014/01/5/egypt-russia-relations-russia-and-egypt-sign-a-deal.md)",
        "",
        "### [2014-02-12](/news/2014/02/12/index.md)",
        "",
        "1. [Egypt–Russia relations: Talks open in Moscow.]"
        "(/news/2014/02/12/egypt-russia-relations-talks-open-in-moscow.md)",
        "    - [Al-Ahram](http://a.example/1)",
        "",
        "### [2014-02-13](/news/2014/02/13/index.md)",
        "",
        "1. [Egypt–Russia relations: Ministers agree on arms.]"
        "(/news/2014/02/13/egypt-russia-relations-ministers-agree-on-arms.md)",
        "    - [Al-Ahram](http://a.example/2)",
        "    - [The Hindu](http://h.example/3)",
    ]
    assert stats.stories == 4  # Egypt–Russia relations, Egyptian Crisis, Cairo bombings, the election


def test_each_event_page_links_its_story_pages_outermost_first(tmp_path):
    db = archive(tmp_path)
    render_archive(db, tmp_path / "news")
    page = (tmp_path / "news/2014/02/12/egyptian-crisis-cairo-bombings-a-bomb-in-cairo.md").read_text()
    assert page.endswith("### Stories:\n\n1. [Egyptian Crisis](/news/stories/egyptian-crisis.md)\n"
                         "2. [Cairo bombings](/news/stories/cairo-bombings.md)\n")
    assert (tmp_path / "news/stories/cairo-bombings.md").exists()
    no_story = open_db(tmp_path / "b.db")
    save(no_story, "2014-02-12", [ev("Plain event.")])
    render_archive(no_story, tmp_path / "plain")
    assert "### Stories:" not in (tmp_path / "plain/2014/02/12/plain-event.md").read_text()
    assert not (tmp_path / "plain/stories").exists()


def test_a_resolved_story_name_joins_its_canonical_page(tmp_path):
    db = archive(tmp_path)
    save(db, "2014-05-26", [ev("Voting begins.", stories=[CANONICAL])])
    assert {ELECTION, CANONICAL} <= set(all_story_titles(db))
    save_resolutions(db, EntityBatch([EntityResolution(ELECTION, "ok", canonical_title=CANONICAL)],
                                     "2026-01-01T00:00:00+00:00"))
    assert ELECTION not in all_story_titles(db) and CANONICAL in all_story_titles(db)
    assert [day for _, _, _, day in story_events(db, [CANONICAL])] == ["2014-01-05", "2014-05-26"]
    assert list(day_stories(db, "2014-01-05").values()) == [[CANONICAL], ["Egypt–Russia relations"]]
    render_archive(db, tmp_path / "news")
    page = (tmp_path / "news/stories/2014-egyptian-presidential-election.md").read_text()
    assert page.count("\n1. [") == 2 and "Sisi hints at a run." in page and "Voting begins." in page
    assert not (tmp_path / "news/stories/egyptian-presidential-election-2014.md").exists()


def test_rendering_some_days_rewrites_only_their_stories_and_drops_emptied_ones(tmp_path):
    db = archive(tmp_path)
    out = tmp_path / "news"
    render_archive(db, out)
    crisis = (out / "stories/egyptian-crisis.md").read_text()
    save(db, "2014-02-14", [ev("Ties deepen.", stories=["Egypt–Russia relations"])])
    stats = render_archive(db, out, days=["2014-02-14"])
    assert stats.stories == 1 and "Ties deepen." in (out / "stories/egypt-russia-relations.md").read_text()
    assert (out / "stories/egyptian-crisis.md").read_text() == crisis
    save(db, "2014-02-12", [ev("Talks open in Moscow.", stories=["Egypt–Russia relations"])], rev=2)  # bomb gone
    stats = render_archive(db, out, days=["2014-02-12"])
    assert not (out / "stories/egyptian-crisis.md").exists() and not (out / "stories/cairo-bombings.md").exists()
    assert (out / "stories/egypt-russia-relations.md").exists()
    again = render_archive(db, out)
    assert again.written == 0 and again.removed == 0  # a full render finds nothing left to change


def test_slugs_unique_among_stories_and_wiki_links():
    assert story_slugs(["Brexit", "Brexit!", "Brexit?"]) == {"Brexit": "brexit", "Brexit!": "brexit-2",
                                                            "Brexit?": "brexit-3"}
    assert wiki_url("COVID-19 pandemic in Washington, D.C.") == (
        "https://en.wikipedia.org/wiki/COVID-19_pandemic_in_Washington,_D.C.")
