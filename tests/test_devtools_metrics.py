"""The evaluation's reading of expected article HTML (crawler.devtools.metrics.html_block_text)."""

from crawler.devtools.metrics import html_block_text


def test_expected_html_is_read_block_by_block_not_only_its_paragraphs():
    html = ("<div><h2>What we <em>changed</em></h2><p>One <b>two</b> three.</p><ul><li>first</li><li>second</li></ul>"
            "<pre>x = 1\ny = 2</pre><table><tr><td>cell</td><td>other</td></tr></table>"
            "<figure><img src='a.png'><figcaption>A caption</figcaption></figure>text<br>after a break</div>")
    assert html_block_text(html).split("\n") == [
        "What we changed", "One two three.", "first", "second", "x = 1", "y = 2", "cell", "other", "A caption",
        "text", "after a break"]
