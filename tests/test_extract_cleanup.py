"""Line-level clean-up of an article's text (crawler.extract.cleanup)."""

from __future__ import annotations

from crawler.extract.cleanup import clean_body


def test_clean_body():
    text = "\n".join([
        "Flood barrier opens early",  # the headline repeated
        "13 February 2014 • 7:45am",
        "First paragraph of the story with enough words to be real.",
        "Related: Another story entirely",
        "- A linked teaser",
        "- Another linked teaser",
        "Second paragraph, and a quote worth tweeting.Click To Tweet",
        "Sign up to our newsletter for the best stories in your inbox",
        "Follow The Daily Example on Twitter and Facebook.",
        "Photo: Reuters",
        "Third paragraph ends the story.",
    ])
    out = clean_body(text, "Flood barrier opens early").split("\n")
    assert out == ["First paragraph of the story with enough words to be real.",
                   "Second paragraph, and a quote worth tweeting.", "Third paragraph ends the story."]


def test_clean_body_drops_newsletter_prompts_and_labelled_story_links():
    text = "\n".join([
        "The council voted on Tuesday to close the old bridge to lorries from March.",
        "Check out more of our latest travel stories by signing up to our free weekly newsletter",
        "READ ANOTHER STORY HERE | Bridge repairs stall again",
        "READ ANOTHER STORY HERE | Council tax to rise by 4%",
        "The bridge was built in 1887 and carries 12,000 vehicles a day.",
        "Newsletters are how the council now reaches most residents, the survey of 2,000 households found, "
        "and the share who read them every week has doubled since 2019, while the share who never sign up "
        "to any of them has fallen by a third; the report recommends that the council keeps sending them.",
        "| Year | Vehicles |",
        "| 1990 | 8,000 |",
    ])
    out = clean_body(text).split("\n")
    assert out == ["The council voted on Tuesday to close the old bridge to lorries from March.",
                   "The bridge was built in 1887 and carries 12,000 vehicles a day.",
                   out[2], "| Year | Vehicles |", "| 1990 | 8,000 |"]
    assert out[2].startswith("Newsletters are how the council")  # a long line that mentions them stays


def test_clean_body_drops_time_stamps_in_any_language_and_placeholders_of_breaking_stories():
    text = "\n".join([
        "Uppdaterad 15.59 | Publicerad 14.14",
        "Aktualisiert 10:02 Uhr",
        "Updated at 1:23 p.m.",
        "The police have widened the search for the missing teenager to the forest north of the town.",
        "11.04 Uhr: Police divers join the search at the lake, a spokesman says.",
        "HarperCollins, 464 pp., $17.99",
        "This is a breaking news story - more to follow",
    ])
    out = clean_body(text).split("\n")
    assert out == ["The police have widened the search for the missing teenager to the forest north of the town.",
                   "11.04 Uhr: Police divers join the search at the lake, a spokesman says.",  # ticker entry
                   "HarperCollins, 464 pp., $17.99"]  # a price is not a time of day
    # in the middle of the text a bare time stays (a live blog's entries)
    middle = "\n".join(["First paragraph of the story.", "Second paragraph.", "Third paragraph.",
                        "Fourth paragraph.", "Updated 15:59", "Sixth paragraph.", "Seventh.", "Eighth."])
    assert "Updated 15:59" in clean_body(middle).split("\n")
    assert clean_body("This story will be updated as more information becomes available.\nText.") == "Text."
