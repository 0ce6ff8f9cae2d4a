"""MinHash signatures of article texts (crawler.extract.fingerprint)."""

from crawler.extract.fingerprint import MIN_TOKENS, PERMUTATIONS, shingles, text_signature, tokens

STORY = ("The council approved the river flood defence plan on Tuesday after a long debate about its cost and "
         "the houses it protects. Work on the first embankment is to start next spring, officials said, and the "
         "whole scheme should be finished within four years if the national grant arrives on time. ")


def agree(a, b):
    return sum(x == y for x, y in zip(a, b)) / len(a)


def test_shingles_are_runs_of_five_lowercase_words():
    assert shingles("A b C d E f") == {b"a b c d e", b"b c d e f"}
    assert shingles("one two") == {b"one two"}


def test_text_without_spaces_is_cut_into_characters():
    assert tokens("東京都は月曜日に新しい防災計画を発表した") == list("東京都は月曜日に新しい防災計画を発表した")
    assert tokens("Tokyo announced a plan") == ["tokyo", "announced", "a", "plan"]


def test_signature_shape_and_determinism():
    sig = text_signature(STORY * 3)
    assert len(sig) == PERMUTATIONS and all(0 <= v < 2**32 for v in sig)
    assert sig == text_signature(STORY * 3)


def test_short_text_has_no_signature():
    assert text_signature(" ".join(["word"] * (MIN_TOKENS - 1))) is None
    assert text_signature(None) is None and text_signature("") is None


def test_near_copy_agrees_far_more_than_another_text():
    base = STORY * 2 + "The mayor called the vote historic."
    copy = "LONDON (Wire) - " + STORY * 2 + "The mayor called the vote historic and thanked the engineers."
    other = ("Storms cut power to thousands of homes across the north overnight, and engineers worked through "
             "the morning to restore supplies before schools opened. ") * 3
    assert agree(text_signature(base), text_signature(copy)) > 0.6
    assert agree(text_signature(base), text_signature(other)) < 0.1
