"""The "Egypt–Russia relations" page rendered from the real 2014-02-13 day page, against the sample's structure.

The sample (../shared/seed/000_7a574500c5386c58.txt) comes from an archive with more days; the fixture days in
tests/data/archive/ recreate its Related neighbours. Every expected line below is written by hand from the
fixtures: ranking (shared entities, then path descending), Context (shared titles in alphabetical order, as in the sample's
"Cairo, Sergey Lavrov") and slugs (ASCII, ≤ 140, cut at a word boundary).
"""

import re
from datetime import date
from pathlib import Path

import pytest

from crawler.archive.markdown import related as related_mod
from crawler.archive.markdown.render import render_archive
from crawler.items import DayPage, SourceFetch
from crawler.portal.wikitext import parse_wikitext
from crawler.storage.days import save_day
from crawler.storage.schema import open_db
from crawler.storage.sources import save_source
from tests.conftest import RETRY

FIXTURES = Path(__file__).parent / "data" / "archive"
REAL_DAY = "portal/wikitext/2014-02-13_rev1102326775.wiki"
AHRAM = ("http://english.ahram.org.eg/NewsContent/1/64/94184/Egypt/Politics-/"
         "Russia-trip-new-start-to-military-cooperation-Egyp.aspx")
HINDU = "http://www.thehindu.com/news/international/world/russia-egypt-to-boost-defence-ties/article5684901.ece"

EXPECTED = [
    "### [2014-02-13](/news/2014/02/13/index.md)",
    "",
    ("# Egypt–Russia relations: During a two-day visit by an Egyptian delegation in Moscow, Russian Foreign "
    "Minister Sergey Lavrov said that Moscow and Cairo have agreed to speed up work on drafting agreements on "
    "military-technological cooperation. Russian Defense Minister Sergey Shoigu added that this could include "
    "joint military exercises and training of Egyptian officers in Russian military academies."),
    "",
    "Egypt's foreign and defence ministers discuss arms deals in Moscow – a new start to military cooperation",
    "",
    "",
    "### Source:",
    "",
    f"1. [Al-Ahram]({AHRAM})",
    f"2. [The Hindu]({HINDU})",
    "",
    "### Related:",
    "",
    # two shared entities, newer path first
    ("1. [Russia–United States relations: U.S. Secretary of State John Kerry leaves for Moscow for talks on Syria "
    "and Ukraine with Russian President Vladimir Putin and Foreign Minister Sergey Lavrov.](/news/2016/03/22/"
    "russia-united-states-relations-u-s-secretary-of-state-john-kerry-leaves-for-moscow-for-talks-on-syria-and-"
    "ukraine-with-russian-president.md) _Context: Moscow, Sergey Lavrov_"),
    ("2. [Russian ministers led by Foreign Affairs Minister Sergey Lavrov including Defense Minister Sergey Shoygu "
    "arrive in Cairo and meet with their Egyptian counterparts in talks over a new era of military co-operation.]"
    "(/news/2013/11/14/russian-ministers-led-by-foreign-affairs-minister-sergey-lavrov-including-defense-"
    "minister-sergey-shoygu-arrive-in-cairo-and-meet-with-their.md) _Context: Cairo, Sergey Lavrov_"),
    # one shared entity, path descending: 2017/04/3 > 2017/03/9 > 2017/03/24 > 2017/02/26 > 2017/01/7 >
    # 2016/12/9/six… > 2016/12/9/russia… > 2016/12/30 (> 2015/06/1, the 11th, left out)
    ("3. [An Egyptian excavation team discovers the remains of a pyramid dating back 3,700 years at the Dahshur "
    "necropolis south of Cairo.](/news/2017/04/3/an-egyptian-excavation-team-discovers-the-remains-of-a-pyramid-"
    "dating-back-3-700-years-at-the-dahshur-necropolis-south-of-cairo.md) _Context: Cairo_"),
    ("4. [German and Egyptian archaeologists uncover a statue of Ramesses II in northeast Cairo.](/news/2017/03/9/"
    "german-and-egyptian-archaeologists-uncover-a-statue-of-ramesses-ii-in-northeast-cairo.md) _Context: Cairo_"),
    ("5. [Former Egyptian President Hosni Mubarak is released from detention in Cairo.](/news/2017/03/24/former-"
    "egyptian-president-hosni-mubarak-is-released-from-detention-in-cairo.md) _Context: Cairo_"),
    ("6. [Tens of thousands of people march through Moscow to commemorate the opposition leader Boris Nemtsov.]"
    "(/news/2017/02/26/tens-of-thousands-of-people-march-through-moscow-to-commemorate-the-opposition-leader-"
    "boris-nemtsov.md) _Context: Moscow_"),
    ("7. [A cold spell with the temperature reaching −30 °C in Moscow and other parts of Eastern Europe hits "
    "Europe.](/news/2017/01/7/a-cold-spell-with-the-temperature-reaching-30-degc-in-moscow-and-other-parts-of-"
    "eastern-europe-hits-europe.md) _Context: Moscow_"),
    ("8. [Six policemen are killed in a bomb explosion at a checkpoint in Cairo, Egypt.](/news/2016/12/9/six-"
    "policemen-are-killed-in-a-bomb-explosion-at-a-checkpoint-in-cairo-egypt.md) _Context: Cairo_"),
    ("9. [Russia and the United States will continue talks on Aleppo after talks between John Kerry and Foreign "
    "Minister Sergey Lavrov.](/news/2016/12/9/russia-and-the-united-states-will-continue-talks-on-aleppo-after-"
    "talks-between-john-kerry-and-foreign-minister-sergey-lavrov.md) _Context: Sergey Lavrov_"),
    ("10. [After 35 Russian diplomats are expelled from the United States, Russia's foreign minister Sergey Lavrov "
    "recommends expelling 35 American diplomats.](/news/2016/12/30/after-35-russian-diplomats-are-expelled-from-"
    "the-united-states-russia-s-foreign-minister-sergey-lavrov-recommends-expelling-35-american.md) "
    "_Context: Sergey Lavrov_"),
    "",
    "### Stories:",
    "",
    "1. [Egypt–Russia relations](/news/stories/egypt-russia-relations.md)"
]
PAGE = ("2014/02/13/egypt-russia-relations-during-a-two-day-visit-by-an-egyptian-delegation-in-moscow-russian-"
        "foreign-minister-sergey-lavrov-said-that-moscow.md")


def store(db, path: Path, revision_id: int) -> None:
    text = path.read_text(encoding="utf-8")
    events = parse_wikitext(text)
    day = events[0].day
    save_day(db, DayPage(day=day, title=f"Portal:Current events/{day:%Y %B} {day.day}", status="ok",
                         revision_id=revision_id, events=events), text)


@pytest.fixture(params=[500, 1], ids=["small-entities", "big-entities"])
def archive(realdata, tmp_path, request, monkeypatch):
    monkeypatch.setattr(related_mod, "BIG_ENTITY", request.param)
    db = open_db(tmp_path / "archive.db")
    store(db, realdata / REAL_DAY, 1102326775)
    for i, path in enumerate(sorted(FIXTURES.glob("*.wiki")), 1):
        store(db, path, 900 + i)
    save_source(db, SourceFetch(url=AHRAM, status="ok", http_status=200, content_type="text/html",
                                event_day=date(2014, 2, 13)),
                {"status": "ok", "title": "Russia trip: New start to military cooperation?",
                 "description": "Egypt&#039;s foreign and defence ministers discuss arms deals in Moscow "
                                "&ndash; a new start to military cooperation",
                 "site_name": "Ahram Online", "published": "2014-02-13", "date_source": "meta", "text": "…"}, RETRY)
    render_archive(db, tmp_path / "news")
    return tmp_path / "news"


def test_egypt_russia_page_line_for_line(archive):
    page = (archive / PAGE).read_text(encoding="utf-8")
    assert page.splitlines() == EXPECTED
    assert page.endswith("(/news/stories/egypt-russia-relations.md)\n") and not page.endswith("\n\n")


def test_same_structure_as_the_sample(archive):
    """Blank lines and section order as in the seed (its text defects aside)."""
    seed = Path(__file__).parents[1].parent / "shared" / "seed" / "000_7a574500c5386c58.txt"
    if not seed.exists():
        pytest.skip("../shared/seed not found")
    def shape(lines):
        return [ln if ln.startswith("###") or not ln else "# h1" if ln.startswith("# ")
                else "item" if re.match(r"\d+\. \[.+\]\(\S+\)", ln) else "paragraph" for ln in lines]

    lines = (archive / PAGE).read_text(encoding="utf-8").splitlines()
    ours = shape(lines[:lines.index("### Stories:") - 1])  # the story links follow the sample's sections
    theirs = shape(seed.read_text(encoding="utf-8").splitlines())
    ours[0] = theirs[0] = "###"
    del theirs[theirs.index("### Source:") + 4]  # the sample's third source is the sibling bullet's citation
    assert ours == theirs


def test_day_index_links_the_event(archive):
    index = (archive / "2014/02/13/index.md").read_text(encoding="utf-8").splitlines()
    assert index[0] == "# 2014-02-13"
    at = index.index("## International relations")
    assert index[at + 2].startswith("1. [Egypt–Russia relations: During a two-day visit")
    assert index[at + 2].endswith(f"(/news/{PAGE[:-3]}.md)")
    assert index[-1] == ("From [Portal:Current events/2014 February 13](https://en.wikipedia.org/w/index.php?"
                         "oldid=1102326775) (revision 1102326775), Wikipedia, CC BY-SA 4.0.")
