"""Held-out sets of ``make eval``: real pages no rule of ours was tuned on, as evaluation cases.

- ``articles/mozilla-readability``: readability.js's test pages (news, blogs, docs, Wikipedia) with the title,
  byline, language, publication time and article HTML readability expects. Its titles keep the site's name
  ("How to Build a Terrarium | eHow"), which ours strip, so a title counts as found when one is the other
  without such a tail; its byline is the element's text ("By Jane Doe").
- ``articles/newspaper``: newspaper's test pages with their expected full text; a few ``.txt`` files hold a
  reviewer's note ("MISSES SECOND HALF OF ARTICLE") instead of the text and are left out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from crawler.devtools.evaluate_unseen import Case
from crawler.devtools.metrics import norm_text, same_authors, same_title
from crawler.extract.title import _key

NOTE_MAX_CHARS = 200  # a newspaper .txt this short is a note about the page, not its text


# a site segment of at most three words after or before a title: " - Wikipedia", "eHow | " (a longer segment
# is a tagline: "Yahoo News - Latest News & Headlines" is not "Yahoo News" with a site name)
_SITE_TAIL = re.compile(r"^(?:\s+[-|–—·•:]+\s+|\s*[|｜]\s*)\S+(?:\s+\S+){0,2}$")
_SITE_HEAD = re.compile(r"^\S+(?:\s+\S+){0,2}(?:\s+[-|–—·•:]+\s+|\s*[|｜]\s*)$")


def title_found(expected: str, got: str | None) -> bool:
    """The same title, or one that is the other without a site segment ("Mozilla - Wikipedia" / "Mozilla"); a
    page readability gives no title counts as found when ours has none either."""
    if not expected.strip():
        return not (got or "").strip()
    if same_title(expected, got):
        return True
    e, g = _key(expected), _key(got or "")
    if g and len(g) >= len(e) // 2 and (e.startswith(g) or e.endswith(g)):
        return True
    en, gn = norm_text(expected), norm_text(got)
    if not gn:
        return False
    return (en.startswith(gn) and bool(_SITE_TAIL.match(en[len(gn):]))) or (
        en.endswith(gn) and bool(_SITE_HEAD.match(en[: -len(gn)])))


def byline_found(expected: list[str], got: list[str]) -> bool:
    """readability's byline is the element's text: "By Jane Doe", "Jane Doe and John Roe"."""
    e = re.sub(r"^(?:by|par|von|por|door)\s+", "", norm_text(expected[0]))
    return bool(got) and (same_authors([e], got) or e in (norm_text(", ".join(got)), norm_text(" and ".join(got))))


def heldout_cases(root: Path, limit: int | None, urls: dict[str, str], html_text) -> list[Case]:
    """The cases of both sets (an absent set gives none); ``html_text`` turns expected HTML into text."""
    out = []
    for f in sorted((root / "articles" / "mozilla-readability").glob("*/source.html.gz"))[:limit]:
        meta = json.loads((f.parent / "expected-metadata.json").read_text(encoding="utf-8"))
        if meta.get("readerable") is False:
            continue
        c = Case("readability", f, urls.get(str(f.relative_to(root))), title=meta.get("title") or "",
                 title_match=title_found, body=html_text(f.parent / "expected.html"))
        if (meta.get("byline") or "").strip():
            c.authors, c.authors_match = [meta["byline"]], byline_found
        if meta.get("publishedTime"):
            c.has_date, c.date = True, str(meta["publishedTime"])[:10]
        if meta.get("lang"):
            c.checks = (("language", lambda a, lang=meta["lang"][:2].lower(): lang == (a.language or "")),)
        out.append(c)
    for f in sorted((root / "articles" / "newspaper").glob("*.html.gz"))[:limit]:
        truth = f.with_name(f.name[: -len(".html.gz")] + ".txt")
        if not truth.exists() or len(text := truth.read_text(encoding="utf-8").strip()) < NOTE_MAX_CHARS:
            continue
        out.append(Case("newspaper", f, urls.get(str(f.relative_to(root))), body=text))
    return out
