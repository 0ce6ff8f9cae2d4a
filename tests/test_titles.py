"""Day page titles: date -> title -> date."""

from datetime import date

import pytest

from crawler.portal.titles import day_title, iter_days, title_day


@pytest.mark.parametrize("day, title", [
    (date(2017, 4, 3), "Portal:Current events/2017 April 3"),
    (date(2014, 2, 13), "Portal:Current events/2014 February 13"),
    (date(2008, 9, 15), "Portal:Current events/2008 September 15"),
    (date(2026, 12, 31), "Portal:Current events/2026 December 31"),
])
def test_day_title(day, title):
    assert day_title(day) == title
    assert title_day(title) == day


@pytest.mark.parametrize("title, day", [
    ("Portal:Current_events/2014_February_13", date(2014, 2, 13)),
    ("Portal:Current%20events/2014%20February%2013", date(2014, 2, 13)),
    ("  Portal:Current events/2020 February 29 ", date(2020, 2, 29)),
    ("Portal:Current events/2017 April 03", date(2017, 4, 3)),
])
def test_title_day_accepts_variants(title, day):
    assert title_day(title) == day


@pytest.mark.parametrize("title", [
    "Portal:Current events",
    "Portal:Current events/2017 April",
    "Portal:Current events/2017 Apr 3",
    "Portal:Current events/April 3 2017",
    "Main Page",
    "",
])
def test_title_day_rejects_other_titles(title):
    with pytest.raises(ValueError, match="not a Current events day title"):
        title_day(title)


def test_title_day_rejects_impossible_day():
    with pytest.raises(ValueError, match="not a valid day"):
        title_day("Portal:Current events/2021 February 29")


def test_iter_days_inclusive_and_across_months():
    days = list(iter_days(date(2020, 2, 27), date(2020, 3, 2)))
    assert days == [date(2020, 2, 27), date(2020, 2, 28), date(2020, 2, 29), date(2020, 3, 1),
                    date(2020, 3, 2)]
    assert list(iter_days(date(2020, 1, 1), date(2020, 1, 1))) == [date(2020, 1, 1)]
    assert list(iter_days(date(2020, 1, 2), date(2020, 1, 1))) == []
