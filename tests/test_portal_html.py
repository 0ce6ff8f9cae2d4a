"""Rendered-HTML day-block parser: same events as the wikitext parser (own fixtures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.items import Entity, Event, SourceRef
from crawler.portal import PortalParseError, parse_html, parse_wikitext

DATA = Path(__file__).parent / "data" / "portal"


def ev(day, position, category, stories, text, entities=(), sources=()):
    return Event(day=day, category=category, stories=list(stories), text=text,
                 entities=[Entity(t, label) for t, label in entities],
                 sources=[SourceRef(*s) for s in sources], position=position).to_dict()


def dicts(events):
    return [e.to_dict() for e in events]


def block(day_iso: str, content: str, with_bday: bool = True) -> str:
    """A rendered day block around ``content`` (as the portal's template renders it)."""
    bday = f'<span class="bday dtstart published updated">{day_iso}</span>' if with_bday else ""
    return ('<div role="region" class="current-events-main vevent">'
            '<div class="current-events-heading plainlinks"><div class="current-events-title">'
            f'<span class="summary">Some day<span style="display:none">&#160;({bday})</span></span></div>'
            '<ul class="current-events-navbar editlink noprint"><li><a class="external text" '
            'href="https://en.wikipedia.org/w/index.php?action=edit">edit</a></li></ul></div>'
            f'<div class="current-events-content description">{content}</div></div>')


PARITY_EXPECTED = [
    ev(date(2022, 10, 3), 1, "Armed conflicts and attacks",
       ["Russo-Ukrainian War", "2022 Russian invasion of Ukraine"], "Ukrainian forces recapture Lyman.",
       [("Ukraine", "Ukrainian"), ("Lyman, Ukraine", "Lyman")],
       [("https://example.com/lyman", "The Kyiv Independent"), ("https://example.com/lyman-2", None)]),
    ev(date(2022, 10, 3), 2, "Armed conflicts and attacks", [],
       "A Somalian al-Shabaab attack kills ten people in Beledweyne.",
       [("Somalia", "Somalian"), ("Al-Shabaab (militant group)", "al-Shabaab"), ("Beledweyne", "Beledweyne")],
       [("https://example.com/somalia", "Reuters via Al Jazeera")]),
    ev(date(2022, 10, 3), 3, "Politics and elections", ["2022 Brazilian general election"],
       "Lula and Jair Bolsonaro advance to a runoff, says the electoral court of Brazil.",
       [("Luiz Inácio Lula da Silva", "Lula"), ("Jair Bolsonaro", "Jair Bolsonaro"),
        ("Superior Electoral Court (Brazil)", "electoral court"), ("Brazil", "Brazil")],
       [("https://example.com/brazil", "AP"), ("https://example.com/brazil-2", "Folha")]),
    ev(date(2022, 10, 3), 4, "Politics and elections", [],
       "Ibrahim Traoré is named interim leader of Burkina Faso.",
       [("Ibrahim Traoré", "Ibrahim Traoré"), ("Burkina Faso", "Burkina Faso")],
       [("https://example.com/bf", "France 24")]),
]


def test_html_and_wikitext_of_the_same_day_give_identical_events():
    from_wiki = dicts(parse_wikitext((DATA / "parity_day.wiki").read_text("utf-8")))
    from_html = dicts(parse_html((DATA / "parity_day.html").read_text("utf-8")))
    assert from_wiki == PARITY_EXPECTED
    assert from_html == PARITY_EXPECTED


def test_red_link_title_comes_from_title_or_href():
    html = block("2022-10-03", '<ul><li><a href="/w/index.php?title=Foo_Bar&amp;action=edit&amp;redlink=1" '
                 'class="new" title="Foo Bar (page does not exist)">Foo</a> and '
                 '<a href="/w/index.php?title=Baz_Qux&amp;action=edit&amp;redlink=1" class="new">Baz</a> meet. '
                 '<a rel="nofollow" class="external text" href="http://x.example">(X)</a></li></ul>')
    assert parse_html(html)[0].entities == [Entity("Foo Bar", "Foo"), Entity("Baz Qux", "Baz")]


def test_sections_interwiki_selflinks_and_anchors():
    html = block("2022-10-03", '<ul><li><a href="/wiki/Overtime_(sports)#Association_football" '
                 'title="Overtime (sports)">extra time</a>, <a href="https://fr.wikipedia.org/wiki/Paris" '
                 'class="extiw" title="fr:Paris">Paris FR</a>, <a href="#Notes">notes</a>, '
                 '<a class="mw-selflink selflink">this page</a>, <a href="/wiki/Category:Wars" '
                 'title="Category:Wars">wars</a>. <a rel="nofollow" class="external text" '
                 'href="http://x.example">(X)</a></li></ul>')
    event = parse_html(html)[0]
    assert event.text == "extra time, Paris FR, notes, this page, wars."
    assert event.entities == [Entity("Overtime (sports)", "extra time"), Entity("fr:Paris", "Paris FR")]
    assert event.sources == [SourceRef("http://x.example", "X")]


def test_interlanguage_and_sister_project_links_like_wikitext():
    wiki = parse_wikitext("{{Current events|year=2022|month=10|day=3|content=\n"
                          "*[[:es:Pedro_Sánchez|Sánchez]] and [[wikt:hello|hello]] meet. [http://x.example (X)]\n}}")
    html = parse_html(block("2022-10-03", '<ul><li><a href="https://es.wikipedia.org/wiki/Pedro_S%C3%A1nchez" '
                            'class="extiw" title="es:Pedro Sánchez">Sánchez</a> and <a class="extiw" '
                            'href="https://en.wiktionary.org/wiki/hello" title="wikt:hello">hello</a> meet. '
                            '<a rel="nofollow" class="external text" href="http://x.example">(X)</a></li></ul>'))
    assert dicts(html) == dicts(wiki)
    assert html[0].entities == [Entity("es:Pedro Sánchez", "Sánchez")]


def test_dead_link_note_marks_the_citation_before_it():
    html = block("2010-01-12", '<dl><dt>Law and crime</dt></dl><ul><li>A gunman kills two. '
                 '<a rel="nofollow" class="external text" href="http://kyodo.example">(Kyodo)</a>'
                 '<sup class="noprint Inline-Template"><span title="Dead link tagged July 2019">[<i>'
                 '<a href="/wiki/Wikipedia:Link_rot" title="Wikipedia:Link rot">dead link</a></i>]</span></sup> '
                 '<a rel="nofollow" class="external text" href="http://afp.example">(AFP)</a></li></ul>')
    assert dicts(parse_html(html)) == [
        ev(date(2010, 1, 12), 1, "Law and crime", [], "A gunman kills two.", [],
           [("http://kyodo.example", "Kyodo", True), ("http://afp.example", "AFP", False)]),
    ]


def test_convert_superscripts_match_wikitext():
    wiki = parse_wikitext("{{Current events|year=2026|month=8|day=7|content=\n"
                          "*Forest loss falls to {{convert|2874|sqkm|ha|abbr=on}}. [http://x.example (X)]\n}}")
    html = parse_html(block("2026-08-07", '<ul><li>Forest loss falls to 2,874&#160;km<sup>2</sup> '
                            '(287,400&#160;ha). <a rel="nofollow" class="external text" '
                            'href="http://x.example">(X)</a></li></ul>'))
    assert dicts(html) == dicts(wiki)
    assert html[0].text == "Forest loss falls to 2,874 km² (287,400 ha)."


def test_several_blocks_first_unless_day_selects():
    two = block("2022-10-03", "<ul><li>First day news. <a class='external text' href='http://a.example'>(A)"
                "</a></li></ul>") + \
        block("2022-10-04", "<ul><li>Second day news. <a class='external text' href='http://b.example'>(B)"
              "</a></li></ul>")
    assert [(e.day, e.text) for e in parse_html(two)] == [(date(2022, 10, 3), "First day news.")]
    assert [(e.day, e.text) for e in parse_html(two, day=date(2022, 10, 4))] == \
        [(date(2022, 10, 4), "Second day news.")]
    with pytest.raises(PortalParseError, match="no div.current-events-main for this day"):
        parse_html(two, day=date(2022, 10, 5))


def test_given_day_wins_for_a_single_block_and_day_from_id():
    one = block("2022-10-03", "<ul><li>News. <a class='external text' href='http://a.example'>(A)</a></li></ul>")
    assert parse_html(one, day=date(2000, 1, 1))[0].day == date(2000, 1, 1)
    no_bday = block("", "<ul><li>News. <a class='external text' href='http://a.example'>(A)</a></li></ul>",
                    with_bday=False).replace('role="region"', 'role="region" id="2022_October_3"')
    assert parse_html(no_bday)[0].day == date(2022, 10, 3)


def test_html_errors_and_empty_day():
    with pytest.raises(PortalParseError, match="not a Current events day block"):
        parse_html("<html><body><p>Hello</p></body></html>")
    with pytest.raises(PortalParseError, match="not a Current events day block"):
        parse_html("   ")
    with pytest.raises(PortalParseError, match="no day"):
        parse_html(block("", "<ul><li>News.</li></ul>", with_bday=False))
    assert parse_html(block("2022-10-03", "<p><b>Sports</b></p>")) == []


def test_full_page_with_xml_declaration_and_wrapper_divs():
    html = ('<?xml version="1.0" encoding="utf-8"?><html><body><div class="mw-parser-output">'
            + block("2022-10-03", '<div><p><b>Sports</b></p><ul><li>Team wins. <a class="external text" '
                    'href="http://a.example">(A)</a></li></ul></div>') + "</div></body></html>")
    assert [(e.category, e.text) for e in parse_html(html)] == [("Sports", "Team wins.")]
