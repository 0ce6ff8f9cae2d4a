"""Tables a page uses for layout, read as the blocks they are (pure: no Scrapy).

Pages of the 1990s and 2000s set their whole article in a table: a cell holds the paragraphs. A main-text
extractor that renders tables as rows then gives the article as one row ("| | Headline by … Earlier this
month, …"), its paragraphs run together. A table is a layout table when one of its cells, or a cell of a
table inside it, holds ``LAYOUT_PARAGRAPHS`` paragraphs or more (``<p>``, or runs of text split by a blank
line of ``<br><br>``). ``without_layout_tables`` gives a copy of the page's tree where those tables, their
rows and cells are ``<div>`` elements; data tables, inside a layout table or not, stay tables.
"""

from __future__ import annotations

import re
from copy import deepcopy

from lxml import etree

LAYOUT_PARAGRAPHS = 2
_PROSE_CELLS = etree.XPath(
    f"//body//td[count(.//p) >= {LAYOUT_PARAGRAPHS} or count(br[following-sibling::node()[1][self::br]])"
    f" >= {LAYOUT_PARAGRAPHS - 1}]")
_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")
_TABLE_TAG = re.compile(r"<table\b", re.I)


def without_layout_tables(tree, html: str | None = None):
    """A copy of ``tree`` with its layout tables turned into blocks; None when it has none (``html``, the
    page's source, when given, lets a page without any ``<table`` skip the search)."""
    if tree is None or (html is not None and not _TABLE_TAG.search(html)):
        return None
    if not _PROSE_CELLS(tree):
        return None
    copy = deepcopy(tree)
    layout = {t for cell in _PROSE_CELLS(copy) for t in cell.iterancestors("table")}
    for table in layout:
        for el in table.iter(*_PARTS):
            if next(el.iterancestors("table"), None) in layout:
                el.tag = "div"
    for table in layout:
        table.tag = "div"
    return copy
