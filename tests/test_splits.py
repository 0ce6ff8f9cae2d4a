"""Chronological splits cut at day boundaries (crawler.archive.datasets.splits)."""

import pytest

from crawler.archive.datasets.splits import SplitError, cut_by_day, parse_splits, split_finder


def test_parse_names_and_fractions_in_order():
    got = parse_splits("train=0.8, validation=0.1,test=0.1")
    assert [(s.name, s.fraction) for s in got] == [("train", 0.8), ("validation", 0.1), ("test", 0.1)]
    assert [(s.name, s.fraction) for s in parse_splits(None)] == [("train", 1.0)]


@pytest.mark.parametrize("spec, message", [
    ("train=0.8,test=0.1", "add up to 0.9"),
    ("train=0.5,train=0.5", "named twice"),
    ("train:0.5,test=0.5", "NAME=FRACTION"),
    ("train=x,test=1", "not a number"),
    ("train=0,test=1", "above 0"),
    ("9lives=1", "NAME=FRACTION"),
])
def test_bad_specifications_say_why(spec, message):
    with pytest.raises(SplitError, match=message):
        parse_splits(spec)


def test_ten_single_event_days_cut_eight_one_one():
    days = [(f"2020-01-{d:02d}", 1) for d in range(1, 11)]
    got = cut_by_day(days, parse_splits("train=0.8,validation=0.1,test=0.1"))
    assert [(s.first_day, s.last_day, s.events, s.days) for s in got] == [
        ("2020-01-01", "2020-01-08", 8, 8), ("2020-01-09", "2020-01-09", 1, 1), ("2020-01-10", "2020-01-10", 1, 1)]


def test_a_cut_never_splits_a_day_and_each_later_split_keeps_a_day():
    # 10 events over four days; train's target (5) is nearest the boundary after day 3 (6 events), but two
    # splits come after it and only one day would be left, so train stops after day 2
    days = [("2020-01-01", 2), ("2020-01-02", 1), ("2020-01-03", 3), ("2020-01-05", 4)]
    got = cut_by_day(days, parse_splits("train=0.5,validation=0.2,test=0.3"))
    assert [(s.name, s.first_day, s.last_day, s.events) for s in got] == [
        ("train", "2020-01-01", "2020-01-02", 3), ("validation", "2020-01-03", "2020-01-03", 3),
        ("test", "2020-01-05", "2020-01-05", 4)]
    find = split_finder(got)
    assert [find(d) for d in ("2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04", "2020-01-05")] == \
        ["train", "train", "validation", "validation", "test"]


def test_the_nearest_boundary_wins():
    days = [("2020-01-01", 6), ("2020-01-02", 1), ("2020-01-03", 3)]  # 10 events; 0.5 → 5 is nearest 6
    got = cut_by_day(days, parse_splits("a=0.5,b=0.5"))
    assert [(s.name, s.events) for s in got] == [("a", 6), ("b", 4)]


def test_more_splits_than_days_leaves_the_last_empty():
    got = cut_by_day([("2020-01-01", 5)], parse_splits("train=0.8,test=0.2"))
    assert [(s.name, s.events, s.first_day) for s in got] == [("train", 5, "2020-01-01"), ("test", 0, None)]
