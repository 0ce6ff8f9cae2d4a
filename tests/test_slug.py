"""Slugs and page paths of the archive (crawler.archive.markdown.slug)."""

from datetime import date

from crawler.archive.markdown.slug import day_index_path, display_text, event_path, slugify, unique_slugs


def test_transliterates_without_mojibake():
    assert slugify("Egypt–Russia relations") == "egypt-russia-relations"
    assert slugify("Russia–United States relations") == "russia-united-states-relations"
    assert slugify("reaching −30 °C in Moscow") == "reaching-30-degc-in-moscow"
    assert slugify("Venezuelan President Nicolás Maduro") == "venezuelan-president-nicolas-maduro"
    assert slugify("Sisi's bid, U.S. talks") == "sisi-s-bid-u-s-talks"
    assert slugify("北京") == "beijing"


def test_runs_of_other_characters_and_edges():
    assert slugify("  --Hello,   World!!  ") == "hello-world"
    assert slugify("A_B__C") == "a-b-c"
    assert slugify("!!!") == "event"
    assert slugify("") == "event"


def test_cut_at_word_boundary():
    text = "abcdefghij " * 20  # slug: "abcdefghij-" repeated; position 140 falls inside the 13th word
    assert slugify(text) == "-".join(["abcdefghij"] * 12)  # 12 * 11 - 1 = 131 characters
    assert slugify(text, max_len=21) == "abcdefghij-abcdefghij"  # the cut lands exactly on a "-"
    assert slugify(text, max_len=22) == "abcdefghij-abcdefghij"  # never a trailing "-"


def test_hard_cut_when_no_late_boundary():
    assert slugify("a" * 300) == "a" * 140
    assert slugify("ab " + "c" * 300) == "ab-" + "c" * 137  # the only boundary is too early to cut at


def test_unique_within_a_day():
    assert unique_slugs(["Storm hits", "Storm hits!", "storm hits 2", "Storm hits"]) == [
        "storm-hits", "storm-hits-2", "storm-hits-2-2", "storm-hits-3"]
    assert unique_slugs(["Index"]) == ["index-2"]  # index.md is the day page
    long = "word " * 60
    first, second = unique_slugs([long, long])
    assert first == "-".join(["word"] * 28)  # 139 characters
    assert second == "-".join(["word"] * 27) + "-2" and len(second) <= 140


def test_paths_month_padded_day_not():
    assert event_path("2017-01-07", "a-cold-spell") == "/news/2017/01/7/a-cold-spell.md"
    assert event_path(date(2016, 12, 30), "x") == "/news/2016/12/30/x.md"
    assert day_index_path("2014-02-13") == "/news/2014/02/13/index.md"
    assert day_index_path(date(2008, 9, 5)) == "/news/2008/09/5/index.md"


def test_display_text_joins_stories():
    assert display_text(["Egypt–Russia relations"], "During a visit") == "Egypt–Russia relations: During a visit"
    assert display_text(["War", "Battle"], "Shelling") == "War: Battle: Shelling"
    assert display_text([], "Plain") == "Plain"
