"""The pages behind a figure of ``make eval``: ``python -m crawler.devtools.evaluate --misses title|body``.

- ``title``: every page whose title the reader got wrong, with the expected title, ours (unseen and visible),
  trafilatura's, and each headline candidate of the page (``title_candidates``: JSON-LD, og:, twitter:, the
  headline element, ``<title>``, each after the site name is stripped) and the page's first h1s;
- ``body``: the pages with the lowest body F1, with precision and recall, and the lines of our text that share
  no 4-word shingle with the truth (extra) and the lines of the truth that share none with ours (missing).

Pure: a ``Run`` in, text lines out.
"""

from __future__ import annotations

from crawler.devtools.evaluate_unseen import Run
from crawler.devtools.metrics import _shingles, precision_score, recall_score, shingle_match
from crawler.extract.encoding import decode_html
from crawler.extract.page import Page, text_of
from crawler.extract.title import title_candidates


def _short(s: str | None, n: int = 160) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def title_misses(run: Run, reader: str = "unseen") -> list[str]:
    out = []
    traf = run.readings.get("trafilatura") or [None] * len(run.cases)
    for c, r, v, t in zip(run.cases, run.readings[reader], run.readings["visible"], traf):
        if c.title is None or c.title_match(c.title, r.title):
            continue
        page = Page(decode_html(c.raw)[0], c.url)
        out.append(f"[{c.set}] {c.path.parent.name}/{c.path.name}")
        out.append(f"  expected     {_short(c.title)!r}")
        out.append(f"  {reader:<12} {_short(r.title)!r}")
        if v.title != r.title:
            out.append(f"  visible      {_short(v.title)!r}")
        if t is not None:
            out.append(f"  trafilatura  {_short(t.title)!r}")
        for src, val in title_candidates(page).items():
            out.append(f"  cand {src:<7} {_short(val)!r}")
        for h in list(page.tree.iter("h1"))[:3] if page.tree is not None else []:
            out.append(f"  <h1>         {_short(text_of(h))!r}")
    return out


def _lines_without_shared_shingles(text: str, other: str) -> list[str]:
    theirs = _shingles(other)
    lost = []
    for line in (text or "").split("\n"):
        mine = _shingles(line)
        if line.strip() and mine and not any(s in theirs for s in mine if s):
            lost.append(line)
    return lost


def body_misses(run: Run, reader: str = "unseen", worst: int = 40, sets: list[str] | None = None) -> list[str]:
    rows = []
    for c, r in zip(run.cases, run.readings[reader]):
        if c.body is None or (sets and c.set not in sets):
            continue
        tp, fp, fn = shingle_match(c.body, r.text)
        p, rc = precision_score(tp, fp, fn), recall_score(tp, fp, fn)
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        rows.append((f1, p, rc, c, r))
    rows.sort(key=lambda x: x[0])
    out = []
    for f1, p, rc, c, r in rows[:worst]:
        out.append(f"[{c.set}] {c.path.parent.name}/{c.path.name}  F1 {f1:.3f}  P {p:.3f}  R {rc:.3f}  "
                   f"words truth {len(c.body.split())} ours {len(r.text.split())}")
        for line in _lines_without_shared_shingles(r.text, c.body)[:8]:
            out.append(f"  + {_short(line, 140)}")
        for line in _lines_without_shared_shingles(c.body, r.text)[:8]:
            out.append(f"  - {_short(line, 140)}")
    return out
