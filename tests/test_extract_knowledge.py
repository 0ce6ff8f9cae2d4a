"""The publisher knowledge handed to the extractor (crawler.extract.knowledge), on own small pages."""

from crawler.extract.article import extract_article
from crawler.extract.knowledge import NO_KNOWLEDGE, shipped

PAGE = """<html><head><title>The SEO headline of the story | Daily Mail Online</title>
<meta property="og:title" content="The social headline">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "The JSON-LD headline of the story"}
</script></head><body><article><h1>The display headline of the story</h1>
<p>Some words of the story that follow the headline, long enough to be a paragraph of an article.</p>
</article></body></html>"""
MAIL = "https://www.dailymail.co.uk/news/article-1/story.html"
TELEGRAPH = "https://www.telegraph.co.uk/news/2024/09/16/story/"


def test_shipped_knowledge_is_loaded_once_and_frozen():
    k = shipped()
    assert k is shipped()
    assert k.headline_order(MAIL) == ("og",) and k.outlet_rule(TELEGRAPH).id == "telegraph"
    try:
        k.outlet_rules = ()  # type: ignore[misc]
    except AttributeError:
        pass
    assert k.outlet_rules


def test_without_withholds_every_fact_about_those_publishers_only():
    k = shipped().without({"dailymail.co.uk", "telegraph.co.uk"})
    assert k.headline_order(MAIL) == () and k.outlet_rule(TELEGRAPH) is None
    assert k.outlet_rule("https://www.thehindu.com/news/a.ece").id == "thehindu"
    assert k.headline_order("https://www.bbc.co.uk/news/articles/c1")  # other publishers still known
    assert shipped().headline_order(MAIL) == ("og",)


def test_extractor_reads_publisher_facts_only_from_the_knowledge_it_is_given():
    assert extract_article(PAGE, MAIL).title == "The social headline"
    assert extract_article(PAGE, MAIL, knowledge=NO_KNOWLEDGE).title == "The JSON-LD headline of the story"
    held = shipped().without({"dailymail.co.uk"})
    assert extract_article(PAGE, MAIL, knowledge=held).title == "The JSON-LD headline of the story"


def test_date_confidence_comes_from_the_knowledge_date_table():
    from crawler.extract.date_confidence import DateTable

    page = PAGE.replace("</head>", '<meta property="article:published_time" content="2024-05-02T10:00:00+02:00">'
                                   "</head>")
    url = "https://news.example.org/story"
    table = DateTable({"meta|alone": (3, 10)})
    art = extract_article(page, url, knowledge=shipped().with_date_table(table))
    assert art.date_evidence == "meta|alone" and art.date_confidence == table.confidence("meta|alone")
    assert extract_article(page, url).date_confidence == shipped().date_table.confidence("meta|alone")
