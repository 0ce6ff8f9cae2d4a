"""Tables used for layout, read as blocks (crawler.extract.layout), on made-up pages of the 2000s' shape."""

from crawler.extract.article import ExtractOptions, extract_article
from crawler.extract.layout import without_layout_tables
from crawler.extract.page import Page

PARAS = ["Earlier this month, the space agency announced the newest milestone in the development of its rocket.",
         "The agency said the core stage would be shipped to the test stand in Mississippi early next year.",
         "Critics have long argued that the rocket costs too much and flies too rarely to justify the budget."]
DATA = "<table><tr><th>Year</th><th>Cost</th></tr><tr><td>2019</td><td>2.1 bn</td></tr></table>"


def layout_page(cell: str) -> str:
    return ("<html><head><title>A bigger role for a big rocket</title></head><body>"
            "<table width='100%'><tr><td class='nav'><a href='/'>Home</a> <a href='/archive'>Archive</a></td>"
            f"<td class='body'><h1>A bigger role for a big rocket</h1>{cell}</td></tr></table></body></html>")


def test_an_article_set_in_a_table_cell_keeps_its_paragraphs():
    html = layout_page("".join(f"<p>{p}</p>" for p in PARAS[:2]) + DATA + f"<p>{PARAS[2]}</p>")
    url = "http://www.spacereview.example/article/3834/1"
    text = extract_article(html, url).text.split("\n")
    for p in PARAS:
        assert p in text  # each paragraph its own line
    assert "| Year | Cost |" in text  # the data table inside stays a table
    rows = extract_article(html, url, options=ExtractOptions(layout_tables=False)).text.split("\n")
    assert not any(p in rows for p in PARAS)  # read as a table, the cell is one row


def test_paragraphs_split_by_blank_lines_of_breaks_count_too():
    page = Page(layout_page("<br><br>".join(PARAS)), "http://example.org/a")
    copy = without_layout_tables(page.tree, page.html)
    assert copy is not None and copy.find(".//table") is None
    assert page.tree.find(".//table") is not None  # the page's own tree is left as it was


def test_pages_without_layout_tables_are_left_alone():
    for html in ("<html><body><h1>Rocket</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</body></html>",
                 "<html><body><h1>Rocket costs</h1>" + DATA + "</body></html>",
                 layout_page(PARAS[0])):  # one paragraph in the cell: nothing says layout
        page = Page(html, "http://example.org/a")
        assert without_layout_tables(page.tree, page.html) is None
