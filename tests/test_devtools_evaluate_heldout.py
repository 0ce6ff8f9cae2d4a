"""How make eval compares titles with readability's, which keep the site's name (crawler.devtools.evaluate_heldout)."""

from crawler.devtools.evaluate_heldout import title_found


def test_a_title_is_found_without_the_site_segment_readability_keeps():
    assert title_found("How to Build a Terrarium | eHow", "How to Build a Terrarium")
    assert title_found("Mozilla - Wikipedia", "Mozilla")  # short titles too
    assert title_found("Wikipedia - Mozilla", "Mozilla")
    assert title_found("Mozilla", "mozilla")


def test_a_tagline_or_another_headline_is_not_a_site_segment():
    assert not title_found("Yahoo News - Latest News & Headlines", "Yahoo News")
    assert not title_found("Mozilla - the long story of a browser", "Mozilla")
    assert not title_found("This is a long title with a colon: Hello there",
                           "This is a long title with a colon: But the final text here is different")


def test_a_page_readability_gives_no_title():
    assert title_found("", None) and title_found("  ", "")
    assert not title_found("", "Some title")
