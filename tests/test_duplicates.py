"""Near-duplicate groups kept as sources are stored (crawler.storage.duplicates through save_source)."""

from datetime import timedelta

import pytest

from crawler.items import SourceFetch
from crawler.storage.days import stable_id
from crawler.storage.duplicates import BANDS, ROWS, band_keys, pack_signature, rebuild_groups
from crawler.storage.schema import open_db
from crawler.storage.sources import RetryPolicy, save_source, update_extraction

POLICY = RetryPolicy(timedelta(hours=1), 4.0, 5)
N = BANDS * ROWS
BASE = list(range(1000, 1000 + N))


def variant(changed: int, offset: int = 0) -> list[int]:
    """BASE with its first ``changed`` values replaced: agrees with BASE in N - changed positions."""
    return [5_000_000 + offset + i if i < changed else v for i, v in enumerate(BASE)]


def distinct(offset: int) -> list[int]:
    return [9_000_000 + offset * 1000 + i for i in range(N)]


@pytest.fixture
def db():
    return open_db(":memory:")


def store(db, url, sig=None, *, published=None, fetched="2020-01-05T00:00:00+00:00", canonical=None, status="ok"):
    fetch = SourceFetch(url=url, final_url=url, http_status=200, fetched_at=fetched, status="fetched")
    result = {"status": status, "error": None, "text": "some article text", "published": published,
              "minhash": sig, "canonical_url": canonical}
    save_source(db, fetch, result, POLICY)
    return stable_id(url)


def row(db, source_id):
    return db.execute("SELECT duplicate_group, duplicate_of, duplicate_similarity FROM sources WHERE id = ?",
                      [source_id]).fetchone()


def test_copies_share_a_group_with_the_earliest_published_as_representative(db):
    a = store(db, "https://wire.example/a", BASE, published="2020-01-03")
    b = store(db, "https://daily.example/b", variant(20), published="2020-01-02")
    c = store(db, "https://other.example/c", distinct(1), published="2020-01-01")
    group = min(a, b)
    assert row(db, b) == (group, None, 1.0)
    assert row(db, a) == (group, b, (N - 20) / N)
    assert row(db, c) == (None, None, None)


def test_without_publication_dates_the_first_fetched_represents(db):
    late = store(db, "https://x.example/late", BASE, fetched="2020-01-09T00:00:00+00:00")
    early = store(db, "https://y.example/early", variant(10), fetched="2020-01-02T00:00:00+00:00")
    assert row(db, late)[1] == early and row(db, early)[1] is None


def test_below_the_threshold_no_group(db):
    a = store(db, "https://x.example/a", BASE)
    b = store(db, "https://y.example/b", variant(64))  # half the positions agree: 0.5 < 0.6
    assert row(db, a)[0] is None and row(db, b)[0] is None


def test_canonical_declaration_groups_without_a_signature(db):
    page = store(db, "https://news.example/2020/story", BASE, published="2020-01-01")
    amp = store(db, "https://news.example/amp/2020/story", None, canonical="https://news.example/2020/story")
    assert row(db, amp) == (min(page, amp), page, None)
    a = store(db, "https://p.example/one", distinct(2), canonical="https://p.example/original")
    b = store(db, "https://q.example/two", distinct(3), canonical="http://p.example/original")  # other scheme
    assert row(db, a)[0] == row(db, b)[0] == min(a, b)


def test_a_page_without_an_article_keeps_its_canonical_url_and_joins_nothing(db):
    store(db, "https://news.example/2020/story", BASE)
    gone = store(db, "https://news.example/2020/gone", BASE, status="soft_404", canonical="https://news.example/2020/story")
    assert db.execute("SELECT canonical_url, minhash FROM sources WHERE id = ?", [gone]).fetchone() == \
        ("https://news.example/2020/story", None)
    assert row(db, gone)[0] is None


def test_a_bridge_merges_two_groups_and_splits_them_when_it_changes(db):
    left = [store(db, "https://l.example/0", variant(10, 100)), store(db, "https://l.example/1", variant(11, 200))]
    right_sig = [7_000_000 + i if i < 80 else v for i, v in enumerate(BASE)]  # 48/128 with the left copies
    right = [store(db, "https://r.example/0", right_sig), store(db, "https://r.example/1", right_sig)]
    assert row(db, left[0])[0] == row(db, left[1])[0] != row(db, right[0])[0] == row(db, right[1])[0]
    bridge_sig = right_sig[:40] + BASE[40:]  # 88/128 with the left copies and with the right ones
    bridge = store(db, "https://bridge.example/b", bridge_sig)
    everyone = left + right + [bridge]
    assert {row(db, i)[0] for i in everyone} == {min(row(db, i)[0] for i in left + right)}
    update_extraction(db, bridge, {"status": "ok", "text": "a new text", "minhash": distinct(5)})
    assert row(db, bridge)[0] is None
    assert row(db, left[0])[0] == row(db, left[1])[0] != row(db, right[0])[0] == row(db, right[1])[0]
    assert None not in (row(db, left[0])[0], row(db, right[0])[0])


def test_reextraction_to_another_text_dissolves_a_pair(db):
    a = store(db, "https://x.example/a", BASE)
    b = store(db, "https://y.example/b", BASE)
    assert row(db, a)[0] == row(db, b)[0] is not None
    update_extraction(db, b, {"status": "ok", "text": "changed", "minhash": distinct(4)})
    assert row(db, a) == row(db, b) == (None, None, None)


def test_the_index_holds_one_row_per_band_and_rebuilds_to_the_same_groups(db):
    ids = [store(db, "https://a.example/1", BASE), store(db, "https://b.example/2", variant(30)),
           store(db, "https://c.example/3", distinct(9)), store(db, "https://d.example/4", variant(5, 50))]
    assert db.execute("SELECT COUNT(*) FROM source_bands").fetchone()[0] == 4 * BANDS
    assert len(set(band_keys(pack_signature(BASE)))) == BANDS
    before = [row(db, i) for i in ids]
    db.execute("UPDATE sources SET duplicate_group = NULL, duplicate_of = NULL")
    db.execute("DELETE FROM source_bands")
    counts = rebuild_groups(db)
    assert [row(db, i) for i in ids] == before
    assert counts == {"placed": 4, "groups": 1, "grouped": 3, "duplicates": 2}


def test_the_same_fetch_stored_twice_changes_nothing(db):
    a = store(db, "https://x.example/a", BASE)
    b = store(db, "https://y.example/b", BASE)
    first = [row(db, a), row(db, b)]
    store(db, "https://y.example/b", BASE)
    assert [row(db, a), row(db, b)] == first


def test_signature_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        pack_signature([1, 2, 3])
