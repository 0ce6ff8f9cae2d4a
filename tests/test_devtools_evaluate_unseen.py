"""Folds by publisher and the figures of make eval (crawler.devtools.evaluate_unseen), on made-up cases."""

from pathlib import Path

from crawler.devtools.evaluate_unseen import FOLDS, Case, Reading, Run, assign_folds, figure, reliability


def case(url, **kw) -> Case:
    return Case("set", Path(f"/x/{url or 'nourl'}-{len(kw)}"), url, **kw)


def test_a_publisher_is_never_split_across_folds_and_folds_are_balanced():
    cases = [case(f"https://{sub}.pub{i % 23}.co.uk/a{i}") for i, sub in
             zip(range(230), ["www", "news", "m"] * 100)]
    folds = assign_folds(cases)
    assert set(folds) == {f"pub{i}.co.uk" for i in range(23)}  # hosts of one registered domain together
    sizes = [sum(1 for c in cases if folds[c.publisher] == k) for k in range(FOLDS)]
    assert max(sizes) - min(sizes) <= 10 and sum(sizes) == 230
    assert assign_folds(list(reversed(cases))) == folds  # the same on every run


def test_a_page_without_url_is_its_own_publisher():
    a, b = Case("s", Path("/x/a"), None), Case("s", Path("/x/b"), None)
    assert a.publisher != b.publisher and len(assign_folds([a, b])) == 2


def test_figures_and_reliability():
    cases = [case("https://a.org/1", has_date=True, date="2020-01-02", title="T one"),
             case("https://b.org/1", has_date=True, date=None, title="T two"),
             case("https://c.org/1", has_date=True, date="2020-01-03"),
             case("https://d.org/1", title="T four")]
    visible = [Reading(date="2020-01-02", confidence=0.97, title="T one"),
               Reading(date="2020-01-05", confidence=0.92, title="T 2"),
               Reading(date="2020-01-03", confidence=0.6),
               Reading(title="t four")]
    run = Run(cases, assign_folds(cases), {"visible": visible, "unseen": visible, "htmldate": [], "trafilatura": []})
    assert figure(run, "visible", "date", None) == (2 / 3, 3)
    assert figure(run, "visible", "title", None) == (2 / 3, 3)  # case-insensitive comparison
    assert figure(run, "htmldate", "date", None) == (None, 0)
    rows, keep = reliability(run)
    assert {label: (share, n, mean) for label, share, n, mean in rows}["0.95–1.00"] == (1.0, 1, 0.97)
    assert keep == {"exact": 0.5, "kept": 2, "pages": 3}
