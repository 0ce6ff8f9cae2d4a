"""Real day pages (../shared/realdata, read in place) against expectations written by reading them.

Counts per category were made by counting the bullets of each page by eye; the full events were
typed from the page text. Pages live in ../shared/realdata/portal/{wikitext,rendered_html}/.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from crawler.items import Entity, Event, SourceRef
from crawler.portal import parse_day_file, parse_html, parse_wikitext

PAGES = {
    "2008-09-15_rev1076549665.wiki": (date(2008, 9, 15), {None: 19}),
    "2010-01-12_rev1076497479.wiki": (date(2010, 1, 12), {
        "Armed conflicts and attacks": 4, "Arts and culture": 2, "Business and economy": 1,
        "Disasters and accidents": 1, "International relations": 3, "Law and crime": 7,
        "Politics and elections": 2, "Science and technology": 1, "Sport": 1, "Weather": 1}),
    "2014-02-13_rev1102326775.wiki": (date(2014, 2, 13), {
        "Armed conflicts and attacks": 3, "Arts and culture": 2, "Business and economy": 3,
        "Disasters and accidents": 2, "International relations": 3, "Law and crime": 2,
        "Politics and elections": 4, "Science and technology": 1}),
    "2016-06-24_rev1242082701.wiki": (date(2016, 6, 24), {
        "Armed conflicts and attacks": 3, "Business and economy": 4, "Disasters and accidents": 1,
        "International relations": 3, "Law and crime": 3, "Politics and elections": 3}),
    "2017-05-05_clokep_fixture_ABRIDGED.wiki": (date(2017, 5, 5), {
        "Armed conflicts and attacks": 3, "International relations": 1}),
    "2021-07-07_rev1236756239.wiki": (date(2021, 7, 7), {
        "Armed conflicts and attacks": 3, "Health and environment": 7, "Law and crime": 2,
        "Politics and elections": 5, "Sports": 2}),
    "2026-08-07_rev1370511106.wiki": (date(2026, 8, 7), {
        "Armed conflicts and attacks": 6, "Disasters and accidents": 2, "Health and environment": 2,
        "International relations": 3, "Law and crime": 2, "Politics and elections": 1,
        "Science and technology": 1, "Sports": 1}),
}
HTML_PAGE = "2022-09-30_parse-api_dayblock_excerpt.html"
HTML_COUNTS = {"Armed conflicts and attacks": 6, "Business and economy": 1, "Disasters and accidents": 1,
               "Politics and elections": 2}


def ev(day, position, category, stories, text, entities, sources):
    """An expected event; sources are (url, outlet) or (url, outlet, reported_dead)."""
    return Event(day=day, category=category, stories=list(stories), text=text,
                 entities=[Entity(*e) if isinstance(e, tuple) else Entity(e, e) for e in entities],
                 sources=[SourceRef(*s) for s in sources], position=position).to_dict()


def load(realdata, name):
    return parse_wikitext((realdata / "portal" / "wikitext" / name).read_text("utf-8"))


def by_position(events, position):
    return next(e for e in events if e.position == position).to_dict()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_event_counts_per_category(realdata, name):
    day, counts = PAGES[name]
    events = load(realdata, name)
    assert dict(Counter(e.category for e in events)) == counts
    assert [e.position for e in events] == list(range(1, sum(counts.values()) + 1))
    assert {e.day for e in events} == {day}
    assert list(dict.fromkeys(e.category for e in events)) == list(counts)  # page order
    for event in events:
        assert event.text and event.sources, event


def test_2014_02_13_egypt_russia_relations(realdata):
    events = load(realdata, "2014-02-13_rev1102326775.wiki")
    d, ir = date(2014, 2, 13), "International relations"
    assert by_position(events, 11) == ev(
        d, 11, ir, ["Egypt–Russia relations"],
        "During a two-day visit by an Egyptian delegation in Moscow, Russian Foreign Minister Sergey Lavrov "
        "said that Moscow and Cairo have agreed to speed up work on drafting agreements on "
        "military-technological cooperation. Russian Defense Minister Sergey Shoigu added that this could "
        "include joint military exercises and training of Egyptian officers in Russian military academies.",
        ["Moscow", "Sergey Lavrov", "Cairo", "Sergey Shoigu"],
        [("http://english.ahram.org.eg/NewsContent/1/64/94184/Egypt/Politics-/"
          "Russia-trip-new-start-to-military-cooperation-Egyp.aspx", "Al-Ahram"),
         ("http://www.thehindu.com/news/international/world/russia-egypt-to-boost-defence-ties/"
          "article5684901.ece", "The Hindu")])
    assert by_position(events, 12) == ev(
        d, 12, ir, ["Egypt–Russia relations"],
        "Russian President Vladimir Putin says he supports Egyptian Defense Minister Abdel Fattah el-Sisi's "
        "bid for the upcoming presidential election in Egypt.",
        ["Vladimir Putin", "Abdel Fattah el-Sisi",
         ("Egyptian presidential election, 2014", "presidential election")],
        [("https://www.telegraph.co.uk/news/worldnews/africaandindianocean/egypt/10635530/"
          "Vladimir-Putin-backs-Egypt-army-chief-Abdulfattah-al-Sisi-for-president.html", "The Telegraph")])
    assert by_position(events, 1) == ev(
        d, 1, "Armed conflicts and attacks", ["War in Afghanistan (2001–2021)"],
        "Afghanistan releases 65 prisoners from the Parwan Detention Facility despite concerns by the "
        "United States that the men were responsible for attacks on NATO and Afghan forces.",
        ["Afghanistan", "Parwan Detention Facility", "United States", "NATO"],
        [("https://www.bbc.co.uk/news/world-asia-26166949#", "BBC News")])
    assert by_position(events, 6) == ev(
        d, 6, "Business and economy", [],
        "Comcast is set to acquire Time Warner Cable in a US$44 billion buyout.",
        ["Comcast", "Time Warner Cable", ("United States dollars", "US$")],
        [("http://dealbook.nytimes.com/2014/02/12/comcast-set-to-acquire-time-warner-cable/",
          "The New York Times")])
    assert by_position(events, 7)["entities"] == [
        {"title": "Reuters", "label": "Reuters"}, {"title": "Deflation", "label": "deflation"},
        {"title": "Eurozone", "label": "Eurozone"}, {"title": "European Central Bank", "label": "ECB"}]


def test_2008_09_15_flat_page(realdata):
    events = load(realdata, "2008-09-15_rev1076549665.wiki")
    d = date(2008, 9, 15)
    assert by_position(events, 2) == ev(
        d, 2, None, [],
        "Morelia Bomb Attacks: Eight people are killed and 100 injured in a presumed terrorist attack at "
        "El Grito Independence Day celebrations in the main square of Morelia, Michoacán.",
        [("2008 Morelia Bomb Attacks", "Morelia Bomb Attacks"), ("Terrorist attack", "terrorist attack"),
         ("Grito de Dolores", "El Grito"), ("Mexican War of Independence", "Independence Day"),
         ("Zócalo", "main square"), "Morelia", "Michoacán"],
        [("http://news.bbc.co.uk/2/hi/americas/7618824.stm", "BBC News"),
         ("http://www.eluniversal.com.mx/notas/538695.html", "El Universal")])
    assert by_position(events, 5) == ev(
        d, 5, None, [],
        "Jaap de Hoop Scheffer, the Secretary General of NATO, visits Georgia in a show of support.",
        ["Jaap de Hoop Scheffer", "Secretary General of NATO", ("Georgia (country)", "Georgia")],
        [("https://www.usatoday.com/news/world/2008-09-15-georgia-nato_N.htm?csp=34", "AP via USA Today")])
    assert by_position(events, 11) == ev(
        d, 11, None, [],
        "A stampede in the Indonesian town of Pasuruan leaves 21 people dead, most of whom are thought to "
        "be women.", [("Indonesia", "Indonesian"), "Pasuruan"],
        [("http://news.bbc.co.uk/1/hi/world/asia-pacific/7616009.stm", "BBC News")])
    assert by_position(events, 13) == ev(
        d, 13, None, ["Subprime mortgage crisis"],
        "Lehman Brothers files for Chapter 11 bankruptcy resulting from the subprime mortgage crisis.",
        ["Lehman Brothers", ("Bankruptcy of Lehman Brothers", "files"), "Chapter 11",
         ("Bankruptcy", "bankruptcy")],
        [("http://dealbook.blogs.nytimes.com/2008/09/15/lehman-says-it-will-file-for-bankruptcy-2/",
          "The New York Times")])
    assert by_position(events, 16) == ev(
        d, 16, None, ["Hurricane Ike (2008)"],
        "The remnants of Ike are blamed for 13 more deaths in the Midwestern United States.",
        ["Midwestern United States"],
        [("https://web.archive.org/web/20120222014306/http://news.bostonherald.com/news/national/midwest/"
          "view/2008_09_15_Remnants_of_Ike_blamed_for_13_deaths_in_Midwest/srvc%3Dhome%26position%3Drecent",
          "Boston Herald")])
    assert by_position(events, 19) == ev(
        d, 19, None, [],
        "NASA scientists report that the ozone hole over the Antarctic has reached its largest expanse, "
        "27 million square kilometers, vs 26 million square kilometers in 2006. European Scientists at "
        "ESA concur.", [("Ozone hole", "ozone hole"), "Antarctic"],
        [("http://ozonewatch.gsfc.nasa.gov/", "NASA"),
         ("https://web.archive.org/web/20081010102849/http://www.dailytech.com/article.aspx?newsid=13152",
          None)])


def test_2010_01_12_dead_link_and_story_colon(realdata):
    events = load(realdata, "2010-01-12_rev1076497479.wiki")
    d = date(2010, 1, 12)
    assert by_position(events, 4) == ev(
        d, 4, "Armed conflicts and attacks", ["Mexican Drug War"],
        "Mexican authorities report the capture of Teodoro García Simental, one of the country's most "
        "notorious drug lords, in a raid in La Paz, Baja California Sur.",
        [("Mexico", "Mexican"), "Teodoro García Simental", "La Paz, Baja California Sur"],
        [("http://www.nydailynews.com/news/world/2010/01/12/2010-01-12_teodoro_el_teo_garcia_simental.html",
          "New York Daily News")])
    assert by_position(events, 5) == ev(
        d, 5, "Arts and culture", [],
        "U.S. talk show host Conan O'Brien announces his intention to quit The Tonight Show if NBC goes "
        "forward with their plan to move the show from its long standing 11:35pm timeslot to 12:05am in "
        "favor of The Jay Leno Show.",
        ["Conan O'Brien", ("The Tonight Show with Conan O'Brien", "The Tonight Show"),
         ("National Broadcasting Company", "NBC"), "The Jay Leno Show"],
        [("http://hosted.ap.org/dynamic/stories/T/TV_US_LENO_OBRIEN?SITE=TXMCA&SECTION=HOME"
          "&TEMPLATE=DEFAULT", "AP")])
    assert by_position(events, 14) == ev(
        d, 14, "Law and crime", [],
        "A gunman kills two people at a bar in Habikino, Japan, before turning the gun on himself.",
        [("2010 Habikino shooting", "gunman kills two people"), ("Habikino, Osaka", "Habikino"), "Japan"],
        [("http://home.kyodo.co.jp/modules/fstStory/index.php?storyid=480045", "Kyodo", True),
         ("http://www.google.com/hostednews/afp/article/ALeqM5hhtvnQInEjJd_EOHzbkl2Qph7ATg", "AFP"),
         ("http://news.bbc.co.uk/1/hi/world/asia-pacific/8454625.stm", "BBC"),
         ("http://timesofindia.indiatimes.com/world/rest-of-world/Japan-gunman-kills-himself-after-"
          "shooting-two-people-police-/articleshow/5438654.cms", "The Times of India")])
    assert by_position(events, 10) == ev(
        d, 10, "International relations", [],
        "UN Secretary-General Ban Ki-moon is ‘encouraged’ by recent developments in Guinean politics, and "
        "states the UN will continue working with the African Union (AU), the Economic Community of West "
        "African States (ECOWAS) and other partners.",
        ["UN Secretary-General", "Ban Ki-moon", "Guinean", "UN", "African Union",
         "Economic Community of West African States"],
        [("http://www.un.org/apps/news/story.asp?NewsID=33458&Cr=guinea&Cr1=", "UN News Centre")])
    assert sum(s.reported_dead for e in events for s in e.sources) == 1


def test_2016_06_24_citation_separators(realdata):
    events = load(realdata, "2016-06-24_rev1242082701.wiki")
    d = date(2016, 6, 24)
    assert by_position(events, 4) == ev(
        d, 4, "Business and economy", ["Brexit impact"],
        "The British pound and FTSE 100 Index for the London Stock Exchange both fall in trading as early "
        "results from the United Kingdom European Union membership referendum show a stronger than "
        "expected result for Leave.",
        [("Pound sterling", "British pound"), "FTSE 100 Index", "London Stock Exchange",
         ("United Kingdom European Union membership referendum, 2016",
          "United Kingdom European Union membership referendum")],
        [("https://www.bloomberg.com/news/live-blog/2016-05-05/brexit-live-results-of-uk-s-eu-referendum",
          "Bloomberg"),
         ("https://www.telegraph.co.uk/news/2016/06/23/eu-referendum-will-it-be-brexit-exit-poll-and-"
          "results-live/", "The Telegraph")])
    assert by_position(events, 7) == ev(
        d, 7, "Business and economy", ["Brexit impact"],
        "The Dow Jones ends the day down 611.21 points to 17,399.86, marking the biggest drop in 10 months.",
        [("Dow Jones Industrial Average", "Dow Jones")],
        [("http://www.nbcnews.com/storyline/brexit-referendum/brexit-backlash-dow-opens-down-more-520-"
          "points-markets-reel-n598286", "NBC"),
         ("https://www.cnbc.com/2016/06/24/us-markets.html", "CNBC"),
         ("http://in.reuters.com/article/usa-stocks-idINL1N19G2I3", "Reuters")])
    assert by_position(events, 12) == ev(
        d, 12, "Law and crime", ["Volkswagen emissions scandal"],
        "South Korea issues an arrest warrant for a Korean-based Volkswagen AG executive in relation to the "
        "emissions scandal.", ["South Korea", ("Korean Peninsula", "Korean"), "Volkswagen AG"],
        [("http://www.dailymail.co.uk/wires/reuters/article-3657491/S-Korea-issues-arrest-warrant-VW-exec-"
          "emissions-probe--prosecution-official.html#ixzz4CS6cpNdQ", "Reuters via Daily Mail")])
    third = by_position(events, 3)
    assert third["stories"] == ["Syrian Civil War, Manbij offensive (2016)"]
    assert [s["outlet"] for s in third["sources"]] == ["Fox News", "AP via The National"]
    assert by_position(events, 13)["stories"] == ["Crime in the Philippines; Philippine Drug War"]
    assert by_position(events, 10)["entities"][0] == {"title": "Spain", "label": "Spain's"}
    assert [s["outlet"] for s in by_position(events, 15)["sources"]] == ["BBC", "BBC²", "Newsweek", "Reuters"]


def test_2017_05_05_old_header_form(realdata):
    events = load(realdata, "2017-05-05_clokep_fixture_ABRIDGED.wiki")
    d = date(2017, 5, 5)
    assert by_position(events, 1) == ev(
        d, 1, "Armed conflicts and attacks", ["Syrian Civil War"],
        "Russia, Iran and Turkey reach an agreement, effective this midnight, to establish four \"safe "
        "zones\" in Syria over which all military aircraft, including Turkish, Russian, and American "
        "aircraft, will be barred from flying.", [],
        [("http://www.reuters.com/article/us-mideast-crisis-syria-agreement-idUSKBN1811KJ", "Reuters"),
         ("http://www.foxnews.com/world/2017/05/05/report-russia-says-syria-safe-zones-will-be-shut-for-"
          "us-warplanes.html", "Fox News")])
    assert by_position(events, 4) == ev(
        d, 4, "International relations", [],
        "United States senators Ben Cardin (D-MD) and Marco Rubio (R-FL) file a bill restricting arms sales "
        "to the Philippine National Police over its drug war.",
        [("United States Senate", "United States senators"), "Ben Cardin",
         ("Democratic Party (United States)", "D"), ("Maryland", "MD"), "Marco Rubio",
         ("Republican Party (United States)", "R"), ("Florida", "FL"), ("Arms industry", "arms sales"),
         "Philippine National Police", ("Philippine Drug War", "drug war")],
        [("http://www.rappler.com/nation/168973-us-bill-restrictions-weapons-exports-pnp", "Rappler")])


def test_2021_07_07_bold_headings_and_four_levels(realdata):
    events = load(realdata, "2021-07-07_rev1236756239.wiki")
    d = date(2021, 7, 7)
    first = by_position(events, 1)
    assert first["stories"] == ["War in Afghanistan", "Taliban insurgency"]
    assert first["text"].startswith("Taliban insurgents enter Qala e Naw, the provincial capital of Badghis "
                                    "Province, with heavy fighting reported")
    assert [e["title"] for e in first["entities"]] == [
        "Taliban", "Insurgent", "Qala e Naw", "Provinces of Afghanistan", "Badghis Province", "Militant",
        "Government of Afghanistan", "Afghan National Army"]
    assert by_position(events, 4) == ev(
        d, 4, "Health and environment",
        ["COVID-19 pandemic", "COVID-19 pandemic in Asia", "COVID-19 pandemic in Bangladesh"],
        "Bangladesh reports a record 201 deaths from COVID-19 in the past 24 hours, thereby bringing the "
        "nationwide death toll to 15,593.", ["Bangladesh", "COVID-19"],
        [("https://www.dhakatribune.com/bangladesh/2021/07/07/bangladesh-again-shatters-single-day-death-"
          "record-with-201-fatalities", "Dhaka Tribune")])
    fiji = by_position(events, 8)
    assert fiji["stories"] == ["COVID-19 pandemic", "COVID-19 pandemic in Fiji"]
    assert "a fine of up to FJ$10,000 or both," in fiji["text"]
    assert fiji["entities"] == [{"title": "Fijian dollar", "label": "FJ$"}]
    assert by_position(events, 18) == ev(
        d, 18, "Sports", ["UEFA Euro 2020"],
        "England defeats Denmark 2–1 after extra time to reach the UEFA Euro 2020 Final.",
        [("England national football team", "England"), ("Denmark national football team", "Denmark"),
         ("Overtime (sports)", "extra time"), "UEFA Euro 2020 Final"],
        [("https://www.bbc.co.uk/sport/football/51198755", "BBC Sport")])


def test_2026_08_07_top_bottom_five_deep_and_convert(realdata):
    events = load(realdata, "2026-08-07_rev1370511106.wiki")
    d = date(2026, 8, 7)
    assert by_position(events, 1) == ev(
        d, 1, "Armed conflicts and attacks",
        ["Middle Eastern crisis", "2026 Iran war", "2026 Strait of Hormuz crisis", "Operation Urja Suraksha"],
        "Indian shipping minister Sarbananda Sonowal reports that more than 4,000 seafarers from India have "
        "been repatriated and 62 Indian vessels have successfully transited through the Strait of Hormuz "
        "during the Iran war.",
        [("India", "Indian"), ("Ministry of Ports, Shipping and Waterways", "shipping minister"),
         "Sarbananda Sonowal", "Strait of Hormuz"],
        [("https://www.lokmattimes.com/international/62-india-bound-ships-sailed-safely-out-of-hormuz-amid-"
          "west-asia-crisis-minister-2/", "Lokmat Times"),
         ("https://indianewengland.com/62-india-bound-ships-transit-strait-of-hormuz-safely-amid-regional-"
          "tensions/", "India New England News")])
    assert by_position(events, 2)["stories"] == [
        "Middle Eastern crisis", "2026 Iran war", "2026 Strait of Hormuz crisis"]
    assert by_position(events, 10) == ev(
        d, 10, "Health and environment", [],
        "Brazil's National Institute for Space Research reports that deforestation of the Amazon rainforest "
        "fell to 2,874 square kilometres (287,400 ha) from August 2025 to July 2026, a 37% annual decline "
        "and the lowest level since the institute's satellite monitoring began in 2016.",
        ["Brazil", "National Institute for Space Research",
         ("Deforestation of the Amazon rainforest", "deforestation"), "Amazon rainforest",
         ("Satellite monitoring", "satellite monitoring")],
        [("https://www.straitstimes.com/world/deforestation-hits-record-low-in-brazilian-amazon",
          "AFP via The Straits Times")])
    sudan = by_position(events, 6)
    assert {"title": "Siege of El Obeid", "label": "in"} in sudan["entities"]
    assert sudan["stories"] == ["Sudanese civil war", "Kordofan campaign"]
    assert by_position(events, 12)["stories"] == [
        "Pakistan–Saudi Arabia relations, Pakistan–Turkey relations, Saudi Arabia–Turkey relations"]


def test_rendered_html_excerpt(realdata):
    events = parse_day_file(realdata / "portal" / "rendered_html" / HTML_PAGE)
    d = date(2022, 9, 30)
    assert dict(Counter(e.category for e in events)) == HTML_COUNTS
    assert [e.position for e in events] == list(range(1, 11))
    assert by_position(events, 1) == ev(
        d, 1, "Armed conflicts and attacks",
        ["Russo-Ukrainian War", "2022 Russian invasion of Ukraine",
         "War crimes in the 2022 Russian invasion of Ukraine",
         "Attacks on civilians in the 2022 Russian invasion of Ukraine",
         "Russian attack on civilian convoy in Zaporizhzhia"],
        "Russian forces launch 16 missiles at areas near the city of Zaporizhzhia, including a gathering "
        "point for civilians preparing to cross into Russian-occupied territory, where at least 25 people "
        "are killed and 50 others are injured.",
        [("Russian Armed Forces", "Russian forces"), "Zaporizhzhia", ("Civilian", "civilians"),
         ("Russian occupation of Zaporizhzhia Oblast", "Russian-occupied territory")],
        [("https://www.wsj.com/articles/russian-attack-kills-dozens-of-civilians-in-ukraine-hours-before-"
          "planned-annexations-11664531345", "The Wall Street Journal")])
    assert by_position(events, 2)["stories"] == [
        "Russo-Ukrainian War", "2022 Russian invasion of Ukraine", "Ukraine–NATO relations"]
    assert by_position(events, 6) == ev(
        d, 6, "Armed conflicts and attacks", ["September 2022 Burkina Faso coup d'état"],
        "Junta leader Paul-Henri Sandaogo Damiba is removed from office in a coup d'état after gunfire "
        "occurs in the Burkinabé capital of Ouagadougou. Coup leader Ibrahim Traore imposes a curfew, "
        "suspends all political civil society activities as well as the Constitution, and closes all land "
        "and air borders.",
        ["Paul-Henri Sandaogo Damiba", ("Coup d'état", "coup d'état"), ("Burkina Faso", "Burkinabé"),
         "Ouagadougou", "Ibrahim Traore"],
        [("https://apnews.com/article/united-nations-general-assembly-ouagadougou-africa-west-"
          "e50ee2eb815152a594a2b441304f4868", "AP"),
         ("https://www.france24.com/en/africa/20220930-shots-fired-near-burkina-faso-s-presidential-palace-"
          "in-ouagadougou", "France24")])
    assert by_position(events, 7)["stories"] == ["2021–2022 inflation surge, Economy of the Netherlands"]
    assert [s["outlet"] for s in by_position(events, 9)["sources"]] == ["Reuters", "Reuters 2"]
    assert by_position(events, 10)["stories"] == []
    html = (realdata / "portal" / "rendered_html" / HTML_PAGE).read_text("utf-8")
    assert [e.to_dict() for e in parse_html(html, day=d)] == [e.to_dict() for e in events]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_real_pages_parse_fast(realdata, name):
    import time
    text = (realdata / "portal" / "wikitext" / name).read_text("utf-8")
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        parse_wikitext(text)
        best = min(best, time.perf_counter() - start)
    assert best < 0.05, f"{name} took {best * 1000:.1f} ms"
