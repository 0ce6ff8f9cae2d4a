"""Wikitext day-page parser: markup eras, citations, templates, entities, errors (own fixtures)."""

from __future__ import annotations

import gzip
import time
from datetime import date
from pathlib import Path

import pytest

from crawler.items import Entity, Event, SourceRef
from crawler.portal import PortalParseError, find_day, parse_day, parse_day_file, parse_wikitext
from crawler.portal.templates import expand_templates

DATA = Path(__file__).parent / "data" / "portal"


def ev(day, position, category, stories, text, entities=(), sources=()):
    """An expected event as a dict; sources are (url, outlet) or (url, outlet, reported_dead)."""
    return Event(day=day, category=category, stories=list(stories), text=text,
                 entities=[Entity(t, label) for t, label in entities],
                 sources=[SourceRef(*s) for s in sources], position=position).to_dict()


def dicts(events):
    return [e.to_dict() for e in events]


def page(body: str, day: str = "year=2020|month=5|day=1") -> str:
    """A content= day page around ``body``."""
    return ("{{Current events|" + day + "|content=\n<!-- All news items below this line -->\n"
            + body + "\n<!-- All news items above this line -->}}\n")


def one(body: str) -> Event:
    events = parse_wikitext(page(body))
    assert len(events) == 1, dicts(events)
    return events[0]


D = date(2020, 5, 1)


# ---- markup eras ----------------------------------------------------------------------------

def test_era1_old_header_form():
    d = date(2017, 5, 5)
    events = parse_wikitext((DATA / "era1_header.wiki").read_text("utf-8"))
    assert dicts(events) == [
        ev(d, 1, "Armed conflicts and attacks", ["Syrian Civil War"],
           "Rebels and government forces clash near Hama.",
           [("Syrian Arab Army", "government forces"), ("Hama", "Hama")],
           [("http://example.com/syria", "Reuters"), ("http://example.com/syria2", "Al Jazeera")]),
        ev(d, 2, "Armed conflicts and attacks", [], "A car bomb explodes in Kabul.",
           [("Car bomb", "car bomb"), ("Kabul", "Kabul")], [("http://example.com/kabul", "BBC News")]),
        ev(d, 3, "Sports", [], "PSG beat Monaco 2–1.",
           [("Paris Saint-Germain F.C.", "PSG"), ("AS Monaco FC", "Monaco")],
           [("http://example.com/psg", "L'Équipe")]),
    ]


def test_era2_content_param_with_semicolon_headings_and_marker_before_template():
    d = date(2012, 3, 9)
    events = parse_wikitext((DATA / "era2_content.wiki").read_text("utf-8"))
    assert dicts(events) == [
        ev(d, 1, "Business and economy", [], "Greece completes a debt swap with private creditors.",
           [("Greece", "Greece"), ("Greek government-debt crisis", "debt swap")],
           [("http://example.com/greece", "Reuters"), ("http://example.com/greece2", "BBC")]),
        ev(d, 2, "Business and economy", [], "Apple unveils the new iPad.",
           [("Apple Inc.", "Apple"), ("IPad (3rd generation)", "iPad")],
           [("http://example.com/ipad", None)]),
        ev(d, 3, "Disasters and accidents", ["2012 Brazzaville explosions"],
           "The death toll rises to 246.", [],
           [("http://example.com/congo", "Reuters via Yahoo! News", True)]),
        ev(d, 4, "Disasters and accidents", ["2012 Brazzaville explosions"],
           "A state of emergency is declared.", [("State of emergency", "state of emergency")],
           [("https://web.archive.org/web/20120310000000/http://example.com/congo2", "Le Monde")]),
    ]


def test_era3_bold_headings_and_deep_nesting():
    d = date(2021, 11, 2)
    events = parse_wikitext((DATA / "era3_bold.wiki").read_text("utf-8"))
    assert dicts(events) == [
        ev(d, 1, "Armed conflicts and attacks", ["Tigray war"], "Ethiopia declares a state of emergency.",
           [("Ethiopia", "Ethiopia"), ("State of emergency", "state of emergency")],
           [("https://example.com/eth", "Al Jazeera")]),
        ev(d, 2, "Health and environment",
           ["COVID-19 pandemic", "COVID-19 pandemic in Europe", "COVID-19 pandemic in Germany"],
           "Germany reports 20,398 new cases.", [("Germany", "Germany")],
           [("https://example.com/de", "Deutsche Welle")]),
        ev(d, 3, "Health and environment", [], "The COP26 summit continues in Glasgow.",
           [("2021 United Nations Climate Change Conference", "COP26"), ("Glasgow", "Glasgow")],
           [("https://example.com/cop", "BBC News")]),
    ]


def test_era4_flat_2008_without_categories():
    d = date(2008, 9, 16)
    events = parse_wikitext((DATA / "era4_flat.wiki").read_text("utf-8"))
    assert dicts(events) == [
        ev(d, 1, None, [], "Hurricane Ike: Power is restored to 500,000 homes in Houston.",
           [("Hurricane Ike", "Hurricane Ike"), ("Houston", "Houston")],
           [("http://example.com/ike", "Houston Chronicle")]),
        ev(d, 2, None, [], "AIG receives an $85 billion loan.", [("American International Group", "AIG")],
           [("http://example.com/aig", "AP via USA Today")]),
        ev(d, 3, None, ["Subprime mortgage crisis"], "Stocks fall again.", [],
           [("http://example.com/stocks", "Bloomberg")]),
    ]


def test_era5_top_and_bottom_templates():
    d = date(2026, 1, 15)
    events = parse_wikitext((DATA / "era5_top_bottom.wiki").read_text("utf-8"))
    assert dicts(events) == [
        ev(d, 1, "Disasters and accidents", [], "A wildfire burns 1,200 acres (490 ha) near Perth.",
           [("Perth", "Perth")], [("https://example.com/fire", "ABC News")]),
        ev(d, 2, "Disasters and accidents", ["2026 Java earthquake"], "The death toll rises to 12.", [],
           [("//example.com/quake", "Antara")]),
    ]


def test_find_day_from_each_template_form():
    assert find_day("{{Current events header|2017|05|5}}") == date(2017, 5, 5)
    assert find_day("{{Current events|year=2014|month=02|day=13|content=\n*x}}") == date(2014, 2, 13)
    assert find_day("{{Current_events|day=7|month=8|year=2026|top=yes}}") == date(2026, 8, 7)
    assert find_day("{{Current events|year=2014|month=February|day=13|content=}}") == date(2014, 2, 13)
    assert find_day("{{Current events|year=2014|month=02|day=31|content=}}") is None
    assert find_day("no template here") is None


def test_given_day_wins_over_template():
    events = parse_wikitext(page("*Something happens. [http://x.example/a (X)]"), day=date(1999, 1, 2))
    assert events[0].day == date(1999, 1, 2)


def test_parent_bullet_with_own_sentence_is_event_and_story():
    events = parse_wikitext(page(
        "*[[Brexit]]: The [[United Kingdom]] leaves the EU. [http://x.example/1 (BBC)]\n"
        "**Markets fall. [http://x.example/2 (Reuters)]\n"
        "*[[Story heading]]\n"
        "**Child without citation ends with a period.\n"))
    assert dicts(events) == [
        ev(D, 1, None, [], "Brexit: The United Kingdom leaves the EU.",
           [("Brexit", "Brexit"), ("United Kingdom", "United Kingdom")], [("http://x.example/1", "BBC")]),
        ev(D, 2, None, ["Brexit: The United Kingdom leaves the EU."], "Markets fall.", [],
           [("http://x.example/2", "Reuters")]),
        ev(D, 3, None, ["Story heading"], "Child without citation ends with a period.", [], []),
    ]


@pytest.mark.parametrize("heading, story", [
    ("[[COVID-19 pandemic in Washington, D.C.]]", "COVID-19 pandemic in Washington, D.C."),
    ("[[2017 clashes at the Turkish Embassy in Washington, D.C.|Turkish Embassy clashes in Washington, D.C.]]",
     "Turkish Embassy clashes in Washington, D.C."),
    ("[[Washington, D.C.]], [[St. Louis, Mo.]]", "Washington, D.C., St. Louis, Mo."),
])
def test_story_heading_ending_with_a_period_is_not_an_event(heading, story):
    events = parse_wikitext(page(f"*{heading}\n**The mayor lifts the order. [http://x.example/1 (X)]\n"))
    assert [(e.stories, e.text) for e in events] == [([story], "The mayor lifts the order.")]
    # a heading that also says something is still an event of its own
    events = parse_wikitext(page(f"*{heading} declares an emergency.\n**The mayor lifts the order. "
                                 "[http://x.example/1 (X)]\n"))
    assert [e.text for e in events] == [f"{story} declares an emergency.", "The mayor lifts the order."]


def test_bare_story_heading_without_children_is_not_an_event():
    events = parse_wikitext(page("*[[Orphan story]], [[Other story]]\n*Uncited news without a period\n*\n"))
    assert [(e.position, e.text, e.sources) for e in events] == [(1, "Uncited news without a period", [])]


def test_five_deep_and_deeper_nesting():
    body = "\n".join("*" * n + f"[[Story {n}]]" for n in range(1, 7)) + \
        "\n*******Deep event happens. [http://x.example/d (X)]\n**Back at two. [http://x.example/e (Y)]"
    events = parse_wikitext(page(body))
    assert [e.stories for e in events] == [[f"Story {n}" for n in range(1, 7)], ["Story 1"]]
    assert [e.position for e in events] == [1, 2]


def test_heading_ends_the_stories_above_it():
    events = parse_wikitext(page(";Armed conflicts\n*[[Old story]]\n"
                                 ";Sports\n**Deeper bullet after a new heading. [http://x.example (X)]\n"
                                 "== Science ==\n*'''Bold''' science news. [http://y.example (Y)]"))
    assert [(e.category, e.stories, e.text) for e in events] == [
        ("Sports", [], "Deeper bullet after a new heading."), ("Science", [], "Bold science news.")]


def test_empty_day_is_valid():
    assert parse_wikitext(page("")) == []
    assert parse_wikitext("{{Current events|year=2020|month=1|day=1|top=yes}}\n"
                          "<!-- All news items below this line -->\n<!-- All news items above this line -->\n"
                          "{{Current events|year=2020|month=1|day=1|bottom=yes}}") == []


# ---- citations --------------------------------------------------------------------------------

@pytest.mark.parametrize("cites, expected", [
    ("[http://a.example/x (Reuters)]", [("http://a.example/x", "Reuters")]),
    ("[http://a.example/x (''The Guardian'')]", [("http://a.example/x", "The Guardian")]),
    ("[http://a.example/x (Reuters via ''Daily Mail'')]", [("http://a.example/x", "Reuters via Daily Mail")]),
    ("[http://a.example/x (AP via ''USA Today)'']", [("http://a.example/x", "AP via USA Today")]),
    ("[http://a.example/x]", [("http://a.example/x", None)]),
    ("[http://a.example/x (A)][https://b.example/y (B)]", [("http://a.example/x", "A"), ("https://b.example/y", "B")]),
    ("[//a.example/x (Proto)]", [("//a.example/x", "Proto")]),
    ("[http://a.example/x ([[Reuters]])]", [("http://a.example/x", "Reuters")]),
    ("[http://a.example/x   (  Lots   of  space )]", [("http://a.example/x", "Lots of space")]),
    ("[http://a.example/x (X)]{{Dead link|date=July 2019|bot=InternetArchiveBot}} [http://b.example (Y)]",
     [("http://a.example/x", "X", True), ("http://b.example", "Y", False)]),
    ("[http://a.example/x (X)] {{dead link}}{{cbignore}}", [("http://a.example/x", "X", True)]),
    ("[https://web.archive.org/web/2010/http://a.example/x (X)]",
     [("https://web.archive.org/web/2010/http://a.example/x", "X")]),
    ("[http://a.example/x?a=1&amp;b=2 (X)]", [("http://a.example/x?a=1&b=2", "X")]),
    ("[http://a.example/x?a=1&#38;b=2&#x26;c=3 (X)]", [("http://a.example/x?a=1&b=2&c=3", "X")]),
    # a reference without its semicolon is not one: MediaWiki leaves it as written
    ("[https://www.nytimes.com/2017/05/05/world/x.html?hp&action=click&region=top-news&WT.nav=top-news (NYT)]",
     [("https://www.nytimes.com/2017/05/05/world/x.html?hp&action=click&region=top-news&WT.nav=top-news", "NYT")]),
    ("[http://a.example/x?id=1&ampcf=1&times=3&para=2&not=1&copy=a&sect=b&lang=en&reg=1 (X)]",
     [("http://a.example/x?id=1&ampcf=1&times=3&para=2&not=1&copy=a&sect=b&lang=en&reg=1", "X")]),
])
def test_citation_forms(cites, expected):
    event = one(f"*Something happens. {cites}")
    assert event.text == "Something happens."
    assert event.sources == [SourceRef(*s) for s in expected]


def test_citation_glue_is_not_text_but_text_between_citations_is():
    event = one("*A happens. [http://a.example (A)], [http://b.example (B)] ; ")
    assert event.text == "A happens."
    event = one("*A happens. [http://a.example (A)] B agrees. [http://b.example]")
    assert event.text == "A happens. B agrees."
    assert [s.outlet for s in event.sources] == ["A", None]


# ---- text rendering -----------------------------------------------------------------------------

@pytest.mark.parametrize("wikitext, text", [
    ("[[Indonesia]]n and [[Iran]]ian hackers", "Indonesian and Iranian hackers"),
    ("[[Paris (band)|]] and [[Lyman, Ukraine|]] play", "Paris and Lyman play"),
    ("''Italic'' and '''bold''' and '''''both''''' and [[Foo|''label'']]", "Italic and bold and both and label"),
    ("[[Nigeria]]'s rebels", "Nigeria's rebels"),
    ("A <!-- hidden --> B<ref>{{cite web|url=http://x}}</ref> C<ref name=\"a\"/>", "A B C"),
    ("Tom&nbsp;&amp;&nbsp;Jerry &ndash; &#8220;cartoon&#8221;", "Tom & Jerry – “cartoon”"),
    ("R&D &copy 2020 &para", "R&D &copy 2020 &para"),
    ("spaces   \t collapse  ,  but punctuation stays", "spaces collapse , but punctuation stays"),
    ("<small>small</small> <span style=\"x\">span</span> line<br/>break", "small span line break"),
    ("<nowiki>[[not a link]]</nowiki> text", "[[not a link]] text"),
    ("[[File:Flag.svg|20px|a flag]] [[Category:Wars]] war", "war"),
])
def test_text_rendering(wikitext, text):
    assert one(f"*{wikitext} [http://x.example (X)]").text == text


@pytest.mark.parametrize("template, text", [
    ("{{convert|2874|sqkm|ha}}", "2,874 square kilometres (287,400 ha)"),
    ("{{convert|2874|sqkm|ha|abbr=on}}", "2,874 km² (287,400 ha)"),
    ("{{convert|2874|sqkm|ha|disp=or}}", "2,874 square kilometres or 287,400 ha"),
    ("{{convert|10|in|cm}}", "10 inches (25 cm)"),
    ("{{convert|4|ft|m}}", "4 feet (1.2 m)"),
    ("{{convert|10|km|mi}}", "10 kilometres (6.2 mi)"),
    ("{{convert|125|mi|km}}", "125 miles (201 km)"),
    ("{{convert|1|km|mi}}", "1 kilometre (0.62 mi)"),
    ("{{convert|100|km}}", "100 kilometres (62 mi)"),
    ("{{convert|10|kg|lb}}", "10 kilograms (22 lb)"),
    ("{{convert|10|lb|kg}}", "10 pounds (4.5 kg)"),
    ("{{convert|50|F|C}}", "50 °F (10 °C)"),
    ("{{convert|100|km/h|mph}}", "100 kilometres per hour (62 mph)"),
    ("{{convert|50|L|USgal|abbr=on}}", "50 L (13 US gal)"),
    ("{{convert|10|to|20|km|mi}}", "10 to 20 kilometres (6.2 to 12.4 mi)"),
    ("{{convert|12|furlong|km}}", "12 furlong"),
    ("{{cvt|5|mi|km}}", "5 mi (8.0 km)"),
    ("{{nowrap|{{convert|5|km|mi}}}}", "5 kilometres (3.1 mi)"),
    ("{{nowrap|10 May}}", "10 May"),
    ("{{lang|fr|Élysée}}", "Élysée"),
    ("{{ndash}}{{mdash}}x{{snd}}y", "–—x – y"),
    ("{{US$|44 billion}} {{USD|5}} {{£|3m}} {{€|7}}", "US$44 billion US$5 £3m €7"),
    ("recieve{{sic}} and {{sic|teh}}", "recieve [sic] and teh [sic]"),
    ("{{frac|1|2}} and {{frac|3|1|2}}", "1⁄2 and 3+1⁄2"),
    ("{{flagicon|France}}France", "France"),
    ("A{{cite news|url=http://x|title=T}}B", "AB"),
    ("{{as of|2014|2|13}}", "As of 13 February 2014"),
    ("{{as of|2014|2|lc=y}}", "as of February 2014"),
    ("{{circa|1900}} and {{c.|1850}}", "c. 1900 and c. 1850"),
    ("{{abbr|UN|United Nations}}", "UN"),
    ("rock{{'}}n{{'}}roll", "rock'n'roll"),
    ("{{nobr|a b}} {{small|c}}", "a b c"),
    ("{{unknown template|kept}} {{unknown|a|b}} {{unknown}} end", "kept end"),
    ("{{formatnum:1234567}}", "1,234,567"),
])
def test_templates_in_text(template, text):
    assert one(f"*{template} [http://x.example (X)]").text == text


def test_template_links_are_entities():
    event = one("*{{ill|Jean Dupont|fr}} meets {{ill|Marie Curie (physicist)|fr|lt=Curie}} in "
                "{{nowrap|[[Paris]]}}. [http://x.example (X)]")
    assert event.text == "Jean Dupont meets Curie in Paris."
    assert event.entities == [Entity("Jean Dupont", "Jean Dupont"),
                              Entity("Marie Curie (physicist)", "Curie"), Entity("Paris", "Paris")]


def test_expand_templates_directly():
    assert expand_templates("a {{convert|2874|sqkm|ha}} b") == "a 2,874 square kilometres (287,400 ha) b"
    assert expand_templates("{{#if:x|y|z}}w") == "w"


# ---- entities ---------------------------------------------------------------------------------

def test_entity_normalisation():
    event = one("*[[united_States]] [[Paris#History|Paris]] [[#Section|here]] [[:Category:Wars|wars]] "
                "[[:fr:Paris|Paris FR]] [[wikt:hello|hello]] [[Caf%C3%A9]] [[AT&amp;T]] "
                "[[  Foo   bar  ]] [[united States|US]] [[:Image:X.png|pic]] [[Talk:Foo|talk]] text. "
                "[http://x.example (X)]")
    assert event.text == "united_States Paris here wars Paris FR hello Café AT&T Foo bar US pic talk text."
    assert event.entities == [
        Entity("United States", "united_States"), Entity("Paris", "Paris"), Entity("fr:Paris", "Paris FR"),
        Entity("Café", "Café"), Entity("AT&T", "AT&T"), Entity("Foo bar", "Foo bar"), Entity("Talk:Foo", "talk"),
    ]


def test_interlanguage_links_are_entities_with_their_wiki_prefix():
    event = one("*[[:es:Pedro_Sánchez|Sánchez]] meets [[:de:bundeskanzler]] and [[:simple:Paris]]"
                "[[es:Política]] in [[:commons:File:X.jpg|a photo]]. [http://x.example (X)]")
    assert event.text == "Sánchez meets de:bundeskanzler and simple:Paris in a photo."
    assert event.entities == [Entity("es:Pedro Sánchez", "Sánchez"), Entity("de:Bundeskanzler", "de:bundeskanzler"),
                              Entity("simple:Paris", "simple:Paris")]


def test_entities_are_own_text_only_and_first_label_kept():
    events = parse_wikitext(page("*[[Syrian civil war]]\n**[[Aleppo]] falls to [[aleppo|the rebels]]. "
                                 "[http://x.example (X)]"))
    assert events[0].stories == ["Syrian civil war"]
    assert events[0].entities == [Entity("Aleppo", "Aleppo")]


# ---- errors ---------------------------------------------------------------------------------------

def test_unclosed_template_in_bullet():
    text = ("{{Current events|year=2014|month=02|day=13|content=\n"
            ";Armed conflicts and attacks\n"
            "*Something happens. [http://x.example (X)]\n"
            "*Fighting covers {{convert|2874|sqkm|ha near [[Foo]]. [http://x.example (Y)]\n"
            "<!-- All news items above this line -->}}")
    with pytest.raises(PortalParseError) as info:
        parse_wikitext(text)
    assert info.value.day == date(2014, 2, 13)
    assert info.value.line == 4
    assert str(info.value) == "2014-02-13 line 4: unclosed template '{{convert|…'"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("bullet, message", [
    ("*[[Foo bar happens. [http://x.example (X)]", "unclosed wikilink '[[Foo bar happens. "),
    ("*Foo happens. [http://x.example/a (Reuters)", "unclosed citation bracket '[http://x.example/a"),
    ("*Foo happens. [http://x.example/a (Reuters) [http://y.example (Y)]", "unclosed citation bracket"),
])
def test_unreadable_bullets(bullet, message):
    with pytest.raises(PortalParseError, match=r"^2020-05-01 line 4: " + message.replace("[", r"\[")):
        parse_wikitext(page("*Fine. [http://x.example (X)]\n" + bullet))


def test_unreadable_heading():
    with pytest.raises(PortalParseError, match=r"^2020-05-01 line 4: unclosed template '\{\{nowrap\|…'"):
        parse_wikitext(page("*Fine. [http://x.example (X)]\n;Sports {{nowrap|x"))


def test_not_a_day_page():
    with pytest.raises(PortalParseError, match="not a Current events day page") as info:
        parse_wikitext("Hello world\n* a bullet [http://x.example (X)]\n")
    assert info.value.line == 1


def test_no_day_anywhere():
    with pytest.raises(PortalParseError, match="no day: not a Current events day page"):
        parse_wikitext("{{Current events|content=\n*Foo happens. [http://x.example (X)]\n}}")


def test_outer_template_never_closed():
    with pytest.raises(PortalParseError) as info:
        parse_wikitext("\n{{Current events|year=2020|month=1|day=1|content=\n*Foo. [http://x.example (X)]\n")
    assert info.value.line == 2
    assert "unclosed template '{{Current events|…'" in str(info.value)


def test_outer_template_closed_at_end_of_last_bullet():
    events = parse_wikitext("{{Current events|year=2020|month=1|day=1|content=\n"
                            "*Foo happens. [http://x.example (X)]}}\n")
    assert [e.text for e in events] == ["Foo happens."]


# ---- dispatch and speed ---------------------------------------------------------------------------

def test_parse_day_dispatch_and_files(tmp_path):
    wiki = (DATA / "era4_flat.wiki").read_text("utf-8")
    expected = dicts(parse_wikitext(wiki))
    assert dicts(parse_day(wiki)) == expected
    assert dicts(parse_day_file(DATA / "era4_flat.wiki")) == expected
    gz = tmp_path / "day.wiki.gz"
    gz.write_bytes(gzip.compress(wiki.encode("utf-8")))
    assert dicts(parse_day_file(gz)) == expected
    html_gz = tmp_path / "day.HTML.gz"
    html_gz.write_bytes(gzip.compress((DATA / "parity_day.html").read_bytes()))
    assert len(parse_day_file(html_gz)) == 4
    with pytest.raises(ValueError, match="unknown page kind"):
        parse_day(wiki, kind="pdf")


def test_parser_is_fast():
    body = "\n".join(f";Category {c}\n*[[Story {c}]]\n**[[Foo]] meets [[Bar|bar]] in {{{{convert|{c}|km|mi}}}}. "
                     f"[http://x.example/{c} (''Outlet'')] [http://y.example/{c} (Other)]\n"
                     f"*[[Baz]]n news. [http://z.example/{c} (Z)]{{{{Dead link|date=May 2020}}}}"
                     for c in range(30))
    text = page(body)
    assert len(parse_wikitext(text)) == 60
    best = min(_timed(parse_wikitext, text) for _ in range(5))
    assert best < 0.05, f"parsing a 60-event page took {best * 1000:.1f} ms"


def _timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def test_bracket_without_url_is_text():
    event = one("*Prices [sic] rise by [http:// nothing] 5%. [http://x.example (X)]")
    assert event.text == "Prices [sic] rise by [http:// nothing] 5%."
    assert event.sources == [SourceRef("http://x.example", "X")]


def test_citations_inside_refs_and_cite_templates_are_sources_and_their_prose_is_dropped():
    """Older pages put citations in <ref> tags or {{cite news}}: the links become sources, the rest goes."""
    e = one("*[[Chrysler]] announces job cuts.<ref>[http://www.ft.com/y Financial Times], 15 March 2007</ref>"
            "<ref name=\"r2\">{{cite news|url=http://www.nytimes.com/z|title=Cuts|work=[[The New York Times]]"
            "|date=2007-03-15}}</ref><ref name=\"r2\" /><ref>A note without a link.</ref> "
            "{{cite web|title=No URL, no source|publisher=Nobody}}")
    assert e.text == "Chrysler announces job cuts."
    assert [(s.url, s.outlet) for s in e.sources] == [
        ("http://www.ft.com/y", "Financial Times"), ("http://www.nytimes.com/z", "The New York Times")]
    assert [x.title for x in e.entities] == ["Chrysler"]  # links inside a citation are not the event's entities


def test_parentheses_left_empty_by_their_citation_are_dropped():
    e = one("*Prime Minister [[Tony Blair]] calls the attacks \"barbaric\". ([http://www.reuters.com/x Reuters]) "
            "[https://apnews.com/y (AP)]")
    assert e.text == "Prime Minister Tony Blair calls the attacks \"barbaric\"."
    assert [s.outlet for s in e.sources] == ["Reuters", "AP"]
    assert one("*The ratio (2:1) holds. [https://apnews.com/y (AP)]").text == "The ratio (2:1) holds."


def test_numbered_list_items_are_bullets_too():
    """``#`` items count like ``*`` bullets, nesting included (``*#`` is a level-2 item)."""
    events = parse_wikitext(page("#A numbered item about [[Havana]]. [https://reuters.com/c (Reuters)]\n"
                                 "*#A nested numbered item. [https://apnews.com/d (AP)]"))
    assert [(e.stories, e.text, [s.outlet for s in e.sources]) for e in events] == [
        ([], "A numbered item about Havana.", ["Reuters"]),
        (["A numbered item about Havana."], "A nested numbered item.", ["AP"])]
