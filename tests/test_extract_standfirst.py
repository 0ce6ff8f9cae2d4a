"""The displayed standfirst as the first line of the article text (crawler.extract.standfirst)."""

from __future__ import annotations

from crawler.extract.article import ExtractOptions, extract_article
from crawler.extract.page import Page
from crawler.extract.standfirst import standfirst, with_standfirst

URL = "https://news.example.org/2014/02/13/bridge"
LEDE = "The council says the 1887 bridge can no longer carry lorries and will close it to them from March."
BODY = ["The vote on Tuesday was unanimous after engineers reported cracks in two of the bridge's piers.",
        "About 12,000 vehicles cross the bridge every day, a tenth of them heavy goods vehicles.",
        "Hauliers will be sent on a twelve-mile detour through the ring road while repairs go on."]


def page(meta: str = LEDE, shown: str | None = f'<p class="dek">{LEDE}</p>', aside: str = "",
         body: list[str] = BODY) -> str:
    paras = "".join(f"<p>{p}</p>" for p in body)
    return (f'<html><head><title>Bridge to close to lorries</title>'
            f'<meta property="og:description" content="{meta}"></head><body>'
            f'<article><header><h1>Bridge to close to lorries</h1>{shown or ""}</header>'
            f'<div class="article-body">{paras}</div></article>{aside}</body></html>')


def test_the_displayed_standfirst_opens_the_text():
    art = extract_article(page(), URL)
    lines = art.text.split("\n")
    assert lines[0] == LEDE
    assert lines[1:] == BODY
    assert art.description == LEDE


def test_the_displayed_wording_goes_in_not_the_metadata():
    meta = LEDE[:60] + " (metadata wording)"
    shown = LEDE + " Hauliers are angry."
    out = with_standfirst(Page(page(meta=meta, shown=f"<p>{shown}</p>"), URL), "\n".join(BODY), [])
    assert out.split("\n")[0] == shown


def test_an_undisplayed_description_stays_out():
    p = Page(page(shown=None), URL)
    assert standfirst(p, "\n".join(BODY), []) is None


def test_a_description_shown_only_outside_the_article_stays_out():
    aside = f'<aside class="related"><p>{LEDE}</p></aside>'
    p = Page(page(shown=None, aside=aside), URL)
    assert standfirst(p, "\n".join(BODY), []) is None


def test_a_description_shown_far_from_the_headline_stays_out():
    far = f'<div class="a"><div class="b"><div class="c"><div class="d"><p>{LEDE}</p></div></div></div></div>'
    html = page(shown=None).replace("<article>", "<div><div><div><div>")
    html = html.replace("</article>", "</div></div></div></div>")
    html = html.replace("</body>", far + "</body>")
    assert standfirst(Page(html, URL), "\n".join(BODY), []) is None


def test_a_lead_image_caption_is_not_a_standfirst():
    caption = f'<figure><img src="b.jpg"><figcaption>{LEDE}</figcaption></figure>'
    assert standfirst(Page(page(shown=caption), URL), "\n".join(BODY), []) is None


def test_no_second_copy_when_the_body_has_it():
    text = "\n".join([LEDE, *BODY])
    assert with_standfirst(Page(page(), URL), text, []) == text


def test_a_container_much_longer_than_the_description_is_not_a_standfirst():
    # the description is the opening of a block that goes on with the body
    block = f'<div class="intro">{BODY[0]}<br>{BODY[1]}<br>{BODY[2]}</div>'
    html = page(meta=BODY[0], shown=block, body=[])
    assert standfirst(Page(html, URL), "\n".join(BODY[2:]), []) is None


def test_a_headline_or_a_short_description_is_not_a_standfirst():
    head = "Bridge to close to lorries from March says council"
    html = page(meta=head, shown=f"<h2>{head}</h2>")
    assert standfirst(Page(html, URL), "\n".join(BODY), [head]) is None
    assert standfirst(Page(page(meta="Bridge closes.", shown="<p>Bridge closes.</p>"), URL), "x", []) is None


def test_the_option_switches_it_off():
    art = extract_article(page(), URL, options=ExtractOptions(standfirst=False))
    assert art.text.split("\n")[0] == BODY[0]
