"""Archive pages from a database built without any crawl (crawler.archive.markdown.render)."""

import json
from datetime import date
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from crawler.archive.markdown import related as related_mod
from crawler.archive.markdown import render as render_mod
from crawler.cli.archive import render as render_cmd
from crawler.archive.markdown.escape import clean, md_inline, md_paragraph, safe_url
from crawler.archive.markdown.related import _key_day, path_key
from crawler.archive.markdown.render import render_archive
from crawler.storage.events import days_sharing_entities
from crawler.items import DayPage, Entity, Event, SourceFetch, SourceRef
from crawler.storage.days import save_day
from crawler.storage.schema import open_db
from crawler.storage.sources import save_source
from tests.conftest import RETRY


def ev(text, entities=(), sources=(), category=None, stories=()):
    return Event(day=date(2000, 1, 1), category=category, stories=list(stories), text=text,
                 entities=[Entity(t, t) for t in entities], sources=[SourceRef(u, o) for u, o in sources])


def save(db, day, events, rev=1, status="ok"):
    d = date.fromisoformat(day)
    for pos, e in enumerate(events, 1):
        e.day, e.position = d, pos
    save_day(db, DayPage(day=d, title=f"Portal:Current events/{day}", status=status, revision_id=rev,
                         events=events))


@pytest.fixture(params=[500, 1, 0], ids=["small-entities", "mixed", "big-entities"])
def db(tmp_path, request, monkeypatch):
    """Related lists are found by a grouped query (small entities) or cached sets (big ones): test both."""
    monkeypatch.setattr(related_mod, "BIG_ENTITY", request.param)
    return open_db(tmp_path / "a.db")


def related_lines(page: str) -> list[str]:
    return page.split("### Related:\n\n", 1)[1].splitlines() if "### Related:" in page else []


def test_related_ranked_by_shared_count_then_path_desc_capped_at_10(db, tmp_path):
    save(db, "2020-01-01", [ev("Target", ["B", "A", "C"]), ev("Sibling", ["C"])])
    save(db, "2010-01-01", [ev("Old triple", ["A", "B", "C"])])
    save(db, "2019-05-05", [ev("Pair", ["A", "B"])])
    save(db, "2021-01-09", [ev("Nine", ["A"])])
    save(db, "2021-01-10", [ev("Ten", ["A"])])
    save(db, "2021-01-02", [ev("Apple", ["C"]), ev("Zebra", ["A"])])
    save(db, "2018-03-03", [ev("March", ["C"])])
    save(db, "2018-03-30", [ev("Thirtieth", ["B"])])
    save(db, "2017-07-07", [ev("Another seventh", ["B"]), ev("Seventh", ["A"])])
    save(db, "2016-06-06", [ev("Sixth", ["B"])])
    save(db, "2022-02-02", [ev("Unrelated", ["D"])])
    render_archive(db, tmp_path / "news")
    page = (tmp_path / "news/2020/01/1/target.md").read_text(encoding="utf-8")
    # path order is string order: ".../01/9/" > ".../01/2/" > ".../01/10/"; ".../03/30/" > ".../03/3/"
    assert related_lines(page) == [
        "1. [Old triple](/news/2010/01/1/old-triple.md) _Context: A, B, C_",
        "2. [Pair](/news/2019/05/5/pair.md) _Context: A, B_",
        "3. [Nine](/news/2021/01/9/nine.md) _Context: A_",
        "4. [Zebra](/news/2021/01/2/zebra.md) _Context: A_",
        "5. [Apple](/news/2021/01/2/apple.md) _Context: C_",
        "6. [Ten](/news/2021/01/10/ten.md) _Context: A_",
        "7. [Sibling](/news/2020/01/1/sibling.md) _Context: C_",
        "8. [Thirtieth](/news/2018/03/30/thirtieth.md) _Context: B_",
        "9. [March](/news/2018/03/3/march.md) _Context: C_",
        "10. [Seventh](/news/2017/07/7/seventh.md) _Context: A_",  # beats "another-seventh" of the same day
    ]
    unrelated = (tmp_path / "news/2022/02/2/unrelated.md").read_text(encoding="utf-8")
    assert "### Related:" not in unrelated


def test_related_cap_inside_a_tie_group(db, tmp_path):
    """Ten events of one day tie on count and date: the slug decides which nine of them make the cut."""
    save(db, "2021-02-01", [ev("Target", ["A"])])
    save(db, "2021-01-09", [ev("Nine", ["A"])])
    save(db, "2021-01-10", [ev(f"T{i}", ["A"]) for i in (3, 0, 7, 1, 9, 4, 8, 2, 6, 5)])
    render_archive(db, tmp_path)
    page = (tmp_path / "2021/02/1/target.md").read_text(encoding="utf-8")
    # "/news/2021/01/9/" sorts after "/news/2021/01/10/" as a string, so Nine comes first and t0 is cut
    assert related_lines(page) == ["1. [Nine](/news/2021/01/9/nine.md) _Context: A_"] + [
        f"{n}. [T{i}](/news/2021/01/10/t{i}.md) _Context: A_" for n, i in zip(range(2, 11), range(9, 0, -1))]


def test_related_with_many_entities(db, tmp_path):
    """More big entities than are walked (MAX_BIG): the rest are counted in full, the result is the same."""
    save(db, "2020-06-01", [ev("Target", ["P", "Q", "R", "S", "T", "U"])])
    save(db, "2001-01-01", [ev("Five", ["T", "S", "R", "Q", "P"])])
    save(db, "2002-01-01", [ev("Two", ["U", "P"])])
    save(db, "2003-01-01", [ev("One", ["U"])])
    save(db, "2004-01-01", [ev("Q only", ["Q"])])
    render_archive(db, tmp_path)
    assert related_lines((tmp_path / "2020/06/1/target.md").read_text(encoding="utf-8")) == [
        "1. [Five](/news/2001/01/1/five.md) _Context: P, Q, R, S, T_",
        "2. [Two](/news/2002/01/1/two.md) _Context: P, U_",
        "3. [Q only](/news/2004/01/1/q-only.md) _Context: Q_",
        "4. [One](/news/2003/01/1/one.md) _Context: U_",
    ]


def test_related_small_and_big_entity_together(db, tmp_path, monkeypatch):
    monkeypatch.setattr(related_mod, "BIG_ENTITY", 11)  # S (11 events) is counted in full, B (13) is walked
    save(db, "2020-01-01", [ev("Target", ["S", "B"])])
    for d in range(1, 11):
        save(db, f"2001-01-{d:02d}", [ev(f"S{d}", ["S"])])
    for d in range(1, 13):
        save(db, f"2010-02-{d:02d}", [ev(f"B{d}", ["B"])])
    render_archive(db, tmp_path)
    newest = [9, 8, 7, 6, 5, 4, 3, 2, 12, 11]  # day strings descending; 10 and 1 are cut
    assert related_lines((tmp_path / "2020/01/1/target.md").read_text(encoding="utf-8")) == [
        f"{n}. [B{d}](/news/2010/02/{d}/b{d}.md) _Context: B_" for n, d in enumerate(newest, 1)]


def test_page_layout_without_and_with_description(db, tmp_path):
    save(db, "2021-03-04", [ev("Plain event.", sources=[("https://www.example.com/a", "Example News")]),
                            ev("Described event.", sources=[("https://www.example.com/b", None),
                                                            ("https://www.example.com/c", "C News")])])
    save_source(db, SourceFetch(url="https://www.example.com/c", status="ok"),
                {"status": "ok", "text": "t", "description": "Standfirst &amp; more\n  on two lines"}, RETRY)
    render_archive(db, tmp_path)
    assert (tmp_path / "2021/03/4/plain-event.md").read_text(encoding="utf-8") == (
        "### [2021-03-04](/news/2021/03/4/index.md)\n\n# Plain event.\n\n### Source:\n\n"
        "1. [Example News](https://www.example.com/a)\n")
    assert (tmp_path / "2021/03/4/described-event.md").read_text(encoding="utf-8") == (
        "### [2021-03-04](/news/2021/03/4/index.md)\n\n# Described event.\n\n"
        "Standfirst & more on two lines\n\n\n### Source:\n\n"
        "1. [example.com](https://www.example.com/b)\n2. [C News](https://www.example.com/c)\n")


def test_bare_url_uses_site_name(db, tmp_path):
    save(db, "2021-03-04", [ev("Bare.", sources=[("https://www.example.org/x", None)])])
    save_source(db, SourceFetch(url="https://www.example.org/x", status="ok"),
                {"status": "ok", "text": "t", "site_name": "The Daily Example"}, RETRY)
    render_archive(db, tmp_path)
    assert "1. [The Daily Example](https://www.example.org/x)" in (tmp_path / "2021/03/4/bare.md").read_text()


def test_day_index_groups_by_category_in_page_order(db, tmp_path):
    save(db, "2021-03-04", [ev("One", category="Sports"), ev("Two", category="Arts"), ev("Three"),
                            ev("Four", category="Sports")], rev=77)
    render_archive(db, tmp_path)
    assert (tmp_path / "2021/03/4/index.md").read_text(encoding="utf-8") == (
        "# 2021-03-04\n\n## Sports\n\n1. [One](/news/2021/03/4/one.md)\n2. [Four](/news/2021/03/4/four.md)\n\n"
        "## Arts\n\n1. [Two](/news/2021/03/4/two.md)\n\n## Uncategorized\n\n1. [Three](/news/2021/03/4/three.md)\n\n"
        "---\n\nFrom [Portal:Current events/2021-03-04](https://en.wikipedia.org/w/index.php?oldid=77) "
        "(revision 77), Wikipedia, CC BY-SA 4.0.\n")


def test_unicode_kept_and_entities_decoded(db, tmp_path):
    save(db, "2014-02-13", [ev("Sisi&#039;s bid at −30 °C", stories=["Egypt–Russia relations"])])
    render_archive(db, tmp_path)
    page = (tmp_path / "2014/02/13/egypt-russia-relations-sisi-s-bid-at-30-degc.md").read_text(encoding="utf-8")
    assert "# Egypt–Russia relations: Sisi's bid at −30 °C\n" in page


def test_incremental_rerender_and_removal(db, tmp_path):
    out = tmp_path / "news"
    save(db, "2021-03-04", [ev("First", ["X"]), ev("Second", ["Y"])])
    save(db, "2021-04-05", [ev("Other month", ["Z"])])
    s = render_archive(db, out)
    assert (s.written, s.unchanged, s.removed) == (5, 0, 0)
    s = render_archive(db, out)
    assert (s.written, s.unchanged, s.removed) == (0, 5, 0)
    (out / "2021/03/4/notes.txt").write_text("mine")  # not the renderer's: never removed
    save(db, "2021-03-04", [ev("First", ["X"])], rev=2)
    s = render_archive(db, out)
    assert (s.written, s.unchanged, s.removed) == (1, 3, 1)  # the day index changed, "second" went
    assert not (out / "2021/03/4/second.md").exists() and (out / "2021/03/4/first.md").exists()
    save(db, "2021-04-05", [], rev=3, status="missing")
    s = render_archive(db, out)
    assert (s.written, s.unchanged, s.removed) == (0, 2, 2)
    assert not (out / "2021/04").exists()  # emptied directories go too
    assert (out / "2021/03/4/notes.txt").read_text() == "mine"


def test_render_some_days_only(db, tmp_path):
    save(db, "2021-03-04", [ev("First")])
    save(db, "2021-03-05", [ev("Second")])
    s = render_archive(db, tmp_path, days=["2021-03-05"])
    assert (s.written, s.days) == (2, 1)
    assert not (tmp_path / "2021/03/4").exists()


def test_refresh_related_renders_the_days_whose_related_lists_change(db, tmp_path):
    save(db, "2021-03-04", [ev("Flood in Lima", ["Lima"])])
    save(db, "2021-03-05", [ev("Vote in Oslo", ["Oslo"])])
    render_archive(db, tmp_path)
    save(db, "2021-03-09", [ev("Lima rebuilds", ["Lima"])])
    s = render_archive(db, tmp_path, days=["2021-03-09"])  # the old page does not know the new event yet
    assert s.days == 1 and related_lines((tmp_path / "2021/03/4/flood-in-lima.md").read_text()) == []
    assert days_sharing_entities(db, ["2021-03-09"]) == ["2021-03-04"]  # Oslo's day shares nothing
    runner = CliRunner()
    result = runner.invoke(render_cmd, ["--db", str(tmp_path / "a.db"), "--out", str(tmp_path), "--from",
                                        "2021-03-09", "--to", "2021-03-09", "--refresh-related"])
    assert result.exit_code == 0, result.output
    assert "2 days rendered: 1 written" in result.output  # only the page whose list changed
    assert related_lines((tmp_path / "2021/03/4/flood-in-lima.md").read_text()) == [
        "1. [Lima rebuilds](/news/2021/03/9/lima-rebuilds.md) _Context: Lima_"]



def test_refresh_related_also_drops_links_to_a_removed_event(db, tmp_path):
    save(db, "2021-03-04", [ev("Flood in Lima", ["Lima"])])
    save(db, "2021-03-09", [ev("Lima rebuilds", ["Lima"]), ev("Vote in Oslo", ["Oslo"])])
    render_archive(db, tmp_path)
    old = tmp_path / "2021/03/4/flood-in-lima.md"
    assert related_lines(old.read_text()) == ["1. [Lima rebuilds](/news/2021/03/9/lima-rebuilds.md) _Context: Lima_"]
    save(db, "2021-03-09", [ev("Vote in Oslo", ["Oslo"])], rev=2)  # the Lima event is gone from the day
    assert days_sharing_entities(db, ["2021-03-09"]) == []  # the entity links no longer show day 4
    s = render_archive(db, tmp_path, days=["2021-03-09"], refresh_related=True)
    assert s.days == 2  # found through what day 4's page linked to when last rendered
    assert related_lines(old.read_text()) == []
    assert not (tmp_path / "2021/03/9/lima-rebuilds.md").exists()
    s = render_archive(db, tmp_path, days=["2021-03-09"], refresh_related=True)
    assert (s.days, s.written) == (1, 0)  # day 4 links nowhere now

def test_hostile_text_renders_no_live_link_or_html(db, tmp_path):
    markdown_it = pytest.importorskip("markdown_it")
    save(db, "2021-03-04", [
        ev("Click [here](javascript:alert(1)) <script>alert(2)</script> *bold* _it_ `code` &lt;b&gt;",
           entities=["Evil_[x](javascript:z)"], category="<img src=x onerror=alert(1)>",
           stories=["[Story](http://evil.example)"],
           sources=[("javascript:alert(3)", "[x](javascript:y)"), ("https://ok.example/a b(c)", "OK <i>")]),
        ev("Also <b>bold</b> #", entities=["Evil_[x](javascript:z)"])])
    save_source(db, SourceFetch(url="https://ok.example/a b(c)", status="ok"),
                {"status": "ok", "text": "t", "description": "# Fake\n### Source:\n\n1. [x](javascript:v)"}, RETRY)
    render_archive(db, tmp_path)
    md = markdown_it.MarkdownIt("commonmark")
    md.validateLink = lambda url: True  # let through what a lax renderer would: we check the hrefs ourselves
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "2021/03/4").glob("*.md")}
    assert len(pages) == 3
    stories = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "stories").glob("*.md")}
    assert list(stories) == ["story-http-evil-example.md"]
    for name, page in {**pages, **stories}.items():
        tokens = [t for tok in md.parse(page) for t in [tok, *(tok.children or [])]]
        hrefs = [t.attrs["href"] for t in tokens if t.type == "link_open"]
        assert all(h.startswith(("https://", "http://", "/news/")) for h in hrefs), (name, hrefs)
        assert not [t for t in tokens if t.type in ("html_inline", "html_block", "code_inline", "strong_open")]
        assert sum(t.type == "em_open" for t in tokens) == page.count("_Context: ")  # our own italics only
        assert not [h for h in hrefs if urlsplit(h).hostname == "evil.example"], (name, hrefs)
    hostile = next(p for n, p in pages.items() if n.startswith("story-http-evil-example-click-here"))
    headings = [line for line in hostile.splitlines() if line.startswith("#")]
    assert len(headings) == 5 and headings[2:] == ["### Source:", "### Related:", "### Stories:"]
    assert "1. \\[x\\](javascript:y) (javascript:alert(3))" in hostile
    assert "2. [OK \\<i\\>](https://ok.example/a%20b%28c%29)" in hostile
    html = md.render(hostile)
    assert "<script" not in html and "javascript:alert(1)" in html  # there as text only
    also = next(p for n, p in pages.items() if n.startswith("also"))
    assert "# Also \\<b\\>bold\\</b\\> \\#\n" in also


def test_escaping_helpers():
    assert md_inline("a [b](c) <d> *e* _f_ `g` \\ ~h~ &amp; R&D") == (
        "a \\[b\\](c) \\<d\\> \\*e\\* \\_f\\_ \\`g\\` \\\\ \\~h\\~ \\&amp; R&D")
    assert clean("&amp;lt;b&amp;gt; &#039;x&#x27; \n\t y") == "&lt;b&gt; 'x' y"  # decoded once, one line
    assert md_paragraph("# Fake") == "\\# Fake" and md_paragraph("1. item") == "1\\. item"
    assert safe_url("JavaScript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("//example.com/x") is None
    assert safe_url("HTTPS://example.com/a b") == "HTTPS://example.com/a%20b"


def test_render_command(tmp_path):
    runner = CliRunner()
    result = runner.invoke(render_cmd, ["--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "n")])
    assert result.exit_code == 1
    assert result.output.strip() == f"newsarchive: error: no archive at {tmp_path / 'none.db'}; " \
                                    "run `newsarchive crawl` first"
    db = open_db(tmp_path / "a.db")
    save(db, "2021-03-04", [ev("First")])
    save(db, "2021-03-06", [ev("Third")])
    args = ["--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "n")]
    result = runner.invoke(render_cmd, args + ["--from", "2021-03-05"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 day rendered: 2 written, 0 unchanged, 0 removed")
    result = runner.invoke(render_cmd, args)
    assert result.output.startswith("2 days rendered: 2 written, 2 unchanged, 0 removed")
    result = runner.invoke(render_cmd, args + ["--from", "2021-03-07", "--to", "2021-03-01"])
    assert result.exit_code == 2 and "is before" in result.output


def test_path_key_orders_like_the_path_strings():
    from datetime import timedelta

    from crawler.archive.markdown.slug import day_index_path

    days = [(date(2016, 11, 25) + timedelta(days=i)).isoformat() for i in range(800)]
    assert sorted(days, key=path_key) == sorted(days, key=day_index_path)
    assert path_key("2017-01-09") > path_key("2017-01-31") > path_key("2017-01-03")
    assert all(_key_day(path_key(d)) == d for d in days)


def test_refresh_related_on_an_output_dir_without_recorded_links_renders_every_day_once(db, tmp_path):
    """A manifest written before the link targets were kept cannot say which days link into the range: the first
    --refresh-related render takes every rendered day (so a link to a removed event goes), later ones the links."""
    save(db, "2021-03-04", [ev("Flood in Lima", ["Lima"])])
    save(db, "2021-03-05", [ev("Vote in Oslo", ["Oslo"])])
    save(db, "2021-03-09", [ev("Lima rebuilds", ["Lima"]), ev("Rain in Quito", ["Quito"])])
    render_archive(db, tmp_path)
    manifest = tmp_path / render_mod.MANIFEST
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({"version": 1, "days": data["days"]}))  # as an older renderer wrote it
    save(db, "2021-03-09", [ev("Rain in Quito", ["Quito"])], rev=2)  # the Lima event is gone from the day
    old = tmp_path / "2021/03/4/flood-in-lima.md"
    assert related_lines(old.read_text()) != []
    s = render_archive(db, tmp_path, days=["2021-03-09"], refresh_related=True)
    assert s.days == 3 and related_lines(old.read_text()) == []
    assert "links" in json.loads(manifest.read_text())
    s = render_archive(db, tmp_path, days=["2021-03-09"], refresh_related=True)
    assert (s.days, s.written) == (1, 0)


def test_related_ranks_canonical_entities_and_context_shows_canonical_titles(db, tmp_path):
    """Three spellings of one page (two redirects) count as one shared entity; an event linking two of them
    counts it once; `_Context:` names the page, not the spelling; the days of each spelling share it."""
    from crawler.items import EntityBatch, EntityResolution
    from crawler.storage.entities import save_resolutions

    save(db, "2014-02-13", [ev("Target", ["Sergey Shoigu", "Moscow"])])
    save(db, "2014-02-12", [ev("Shoygu and Moscow", ["Sergey Shoygu", "Moscow"]),
                            ev("Both spellings", ["Sergei Shoigu", "Sergey Shoygu"])])
    save(db, "2014-02-14", [ev("Moscow only", ["Moscow"]), ev("Cairo", ["Cairo"])])
    save(db, "2014-02-11", [ev("Canonical only", ["Sergei Shoigu"])])
    render_archive(db, tmp_path / "before")
    before = related_lines((tmp_path / "before/2014/02/13/target.md").read_text(encoding="utf-8"))
    assert before == ["1. [Moscow only](/news/2014/02/14/moscow-only.md) _Context: Moscow_",
                      "2. [Shoygu and Moscow](/news/2014/02/12/shoygu-and-moscow.md) _Context: Moscow_"]

    shoigu = dict(canonical_title="Sergei Shoigu", qid="Q193509")
    save_resolutions(db, EntityBatch([EntityResolution(t, "ok", **shoigu) for t in
                                      ("Sergey Shoigu", "Sergey Shoygu", "Sergei Shoigu")],
                                     "2026-12-01T00:00:00+00:00"))
    render_archive(db, tmp_path / "after")
    after = related_lines((tmp_path / "after/2014/02/13/target.md").read_text(encoding="utf-8"))
    assert after == [
        "1. [Shoygu and Moscow](/news/2014/02/12/shoygu-and-moscow.md) _Context: Moscow, Sergei Shoigu_",
        "2. [Moscow only](/news/2014/02/14/moscow-only.md) _Context: Moscow_",
        "3. [Both spellings](/news/2014/02/12/both-spellings.md) _Context: Sergei Shoigu_",
        "4. [Canonical only](/news/2014/02/11/canonical-only.md) _Context: Sergei Shoigu_",
    ]
    assert days_sharing_entities(db, ["2014-02-11"]) == ["2014-02-12", "2014-02-13"]
