"""An article body split over sibling containers of one template (crawler.extract.chunks), on made-up pages."""

from crawler.extract.article import ExtractOptions, extract_article
from crawler.extract.chunks import add_continuations
from crawler.extract.page import Page

FIRST = ["The city council voted on Tuesday to rebuild the old river bridge, ending a debate that lasted three years.",
         "Engineers had warned that the bridge's steel frame was corroding faster than expected after two wet winters.",
         "The new design keeps the original stone piers but replaces the deck with a lighter concrete structure."]
SECOND = ["Residents who use the bridge every day said they were relieved that the crossing would stay open.",
          "A ferry will run between the two banks during the three months when the deck is replaced, the council said.",
          "The project is expected to cost 14 million euros, most of it paid by the regional government."]
OTHER = "Other story: the mayor opens a new library in the old market hall, with a reading room and a café."


def chunk(paragraphs, cls="story-text article-body", before=""):
    return f'<div class="grid"><div class="{cls}">{before}' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div>"


def page_html(*chunks, after=""):
    return ("<html><head><title>Council votes to rebuild river bridge</title></head><body><main><article>"
            "<header><h1>Council votes to rebuild river bridge</h1></header><div class='article__chunks'>"
            + "<div class='grid'><div class='ad-slot'><span>Advertisement</span></div></div>".join(chunks)
            + f"</div></article>{after}</main></body></html>")


def test_a_body_split_between_advertisements_is_read_whole():
    html = page_html(chunk(FIRST), chunk(SECOND),
                     after=f"<aside class='related'><div class='story-text article-body'><p>{OTHER}</p></div></aside>")
    url = "https://news.example.org/2024/05/bridge"
    whole = extract_article(html, url).text.split("\n")
    assert whole == FIRST + SECOND  # the related story in the aside, same class, stays out
    # the extractor settles on the first container alone
    assert extract_article(html, url, options=ExtractOptions(continuations=False)).text.split("\n") == FIRST


def test_continuations_come_in_page_order_with_their_subheadings():
    html = page_html(chunk(SECOND[:1]), chunk(FIRST), chunk(SECOND[1:], before="<h2>What happens next</h2>"))
    page = Page(html, "https://news.example.org/a")
    assert add_continuations(page, "\n".join(FIRST)).split("\n") == [
        SECOND[0], *FIRST, "What happens next", *SECOND[1:]]


def test_containers_of_other_content_add_nothing():
    headlines = ["Mayor opens library", "Bridge tolls to rise in June", "Weather: rain all week"]
    cases = [
        chunk(headlines),  # the same template holding headlines, not sentences
        chunk(SECOND, cls="story-text"),  # another class
        "<div class='grid'><div><div><div class='story-text article-body'>" + "".join(
            f"<p>{p}</p>" for p in SECOND) + "</div></div></div></div>",  # not at the same depth
    ]
    for other in cases:
        page = Page(page_html(chunk(FIRST), other), "https://news.example.org/a")
        assert add_continuations(page, "\n".join(FIRST)) == "\n".join(FIRST)
    # a container without a class attribute says nothing about a template
    page = Page(page_html(chunk(FIRST, cls=""), chunk(SECOND, cls="")), "https://news.example.org/a")
    assert add_continuations(page, "\n".join(FIRST)) == "\n".join(FIRST)


def test_paragraphs_already_in_the_text_are_not_repeated():
    page = Page(page_html(chunk(FIRST), chunk(FIRST[1:] + SECOND)), "https://news.example.org/a")
    assert add_continuations(page, "\n".join(FIRST)).split("\n") == FIRST + SECOND


def test_a_template_the_body_sits_in_is_not_judged_by_its_class_name():
    # the layout's class names a sidebar grid; the body is in it, so its other chunks are the body too
    cls = "sidebar-grid__content article__content"
    page = Page(page_html(chunk(FIRST, cls=cls), chunk(SECOND, cls=cls)), "https://news.example.org/a")
    assert add_continuations(page, "\n".join(FIRST)).split("\n") == FIRST + SECOND


SHORT = ["It also co-ordinates joint military exercises.", "In 2008, the alliance said Ukraine could join."]


def test_short_sentences_count_in_a_template_that_already_holds_the_text():
    blocks = [chunk([p], cls="text-block") for p in FIRST + SHORT]
    page = Page(page_html(*blocks), "https://news.example.org/a")
    assert add_continuations(page, "\n".join(FIRST)).split("\n") == FIRST + SHORT
    # with only one container of the text, a container of short lines alone adds nothing
    page = Page(page_html(chunk(FIRST, cls="text-block"), chunk(SHORT, cls="text-block")),
                "https://news.example.org/a")
    assert add_continuations(page, "\n".join(FIRST)) == "\n".join(FIRST)
