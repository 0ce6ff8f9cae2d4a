"""Held-out rows of ``make eval``: real pages no rule of ours was tuned on (pure: files in, rows out).

- ``articles/mozilla-readability``: readability.js's test pages (news, blogs, docs, Wikipedia) with the title,
  byline, language, publication time and article HTML readability expects. Its titles keep the site's name
  ("How to Build a Terrarium | eHow"), which ours strip, so a title counts as found when one is the other
  without such a tail.
- ``articles/newspaper``: newspaper's test pages with their expected full text; a few ``.txt`` files hold a
  reviewer's note ("MISSES SECOND HALF OF ARTICLE") instead of the text and are left out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from crawler.extract.article import extract_article
from crawler.extract.metrics import body_scores, norm_text, same_authors, same_title
from crawler.extract.title import _key

NOTE_MAX_CHARS = 200  # a newspaper .txt this short is a note about the page, not its text


def _title_found(expected: str, got: str | None) -> bool:
    if same_title(expected, got):
        return True
    e, g = _key(expected), _key(got or "")
    return bool(g) and len(g) >= len(e) // 2 and (e.startswith(g) or e.endswith(g))


def _byline_found(expected: str, got: list[str]) -> bool:
    """readability's byline is the element's text: "By Jane Doe", "Jane Doe and John Roe"."""
    e = re.sub(r"^(?:by|par|von|por|door)\s+", "", norm_text(expected))
    return bool(got) and (same_authors([e], got) or e in (norm_text(", ".join(got)), norm_text(" and ".join(got))))


def _share(hits: list[bool]) -> str:
    return f"{sum(hits)}/{len(hits)} ({sum(hits) / max(1, len(hits)):.3f})"


def _trafilatura_text(raw: bytes, url: str) -> str:
    """The reference: trafilatura alone on the same decoded page (comments off, as ours)."""
    import trafilatura

    from crawler.extract.encoding import decode_html

    return trafilatura.extract(decode_html(raw)[0], url=url, include_comments=False) or ""


def _f1_row(row, name: str, pairs: list, reference: list | None):
    s = body_scores(pairs)
    ref = f"n={len(pairs)}"
    if reference:
        ref += f"; trafilatura alone {body_scores(reference)['f1']:.3f}"
    return row(name, f"{s['f1']:.3f} ({s['precision']:.3f}/{s['recall']:.3f})", ref)


def run_heldout(root: Path, limit: int | None, read_bytes, html_text, urls: dict[str, str], row,
                baselines: bool = True) -> list:
    """Rows for both sets (absent sets give no rows); ``baselines`` also scores trafilatura alone."""
    rows = []
    pages = sorted(p for p in (root / "articles" / "mozilla-readability").glob("*/source.html.gz"))[:limit]
    hits: dict[str, list[bool]] = {"titles": [], "bylines": [], "dates": [], "languages": []}
    scores, reference = [], []
    for f in pages:
        meta = json.loads((f.parent / "expected-metadata.json").read_text(encoding="utf-8"))
        if meta.get("readerable") is False:
            continue
        raw, url = read_bytes(f), urls.get(str(f.relative_to(root))) or "https://example.com/"
        art = extract_article(raw, url)
        hits["titles"].append(_title_found(meta.get("title") or "", art.title))
        if (meta.get("byline") or "").strip():
            hits["bylines"].append(_byline_found(meta["byline"], art.authors))
        if meta.get("publishedTime"):
            hits["dates"].append(str(meta["publishedTime"])[:10] == str(art.published or "")[:10])
        if meta.get("lang"):
            hits["languages"].append(meta["lang"][:2].lower() == (art.language or ""))
        truth = html_text(f.parent / "expected.html")
        scores.append((truth, art.text))
        if baselines:
            reference.append((truth, _trafilatura_text(raw, url)))
    if scores:
        rows.append(_f1_row(row, "held out: readability pages, body F1 (P/R)", scores, reference))
        rows += [row(f"  {k}", _share(v)) for k, v in hits.items() if v]
    pairs, reference = [], []
    for f in sorted((root / "articles" / "newspaper").glob("*.html.gz"))[:limit]:
        truth = f.with_name(f.name[: -len(".html.gz")] + ".txt")
        if not truth.exists() or len(text := truth.read_text(encoding="utf-8").strip()) < NOTE_MAX_CHARS:
            continue
        raw, url = read_bytes(f), urls.get(str(f.relative_to(root))) or "https://example.com/"
        pairs.append((text, extract_article(raw, url).text))
        if baselines:
            reference.append((text, _trafilatura_text(raw, url)))
    if pairs:
        rows.append(_f1_row(row, "held out: newspaper pages, body F1 (P/R)", pairs, reference))
    return rows
