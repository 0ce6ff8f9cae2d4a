"""Evaluation metrics shared by ``crawler.devtools.evaluate`` and the tests (pure Python).

The body metric reproduces the ScrapingHub article-extraction-benchmark evaluate.py:
words are ``\\w+`` matches; each text becomes a multiset of 4-word shingles; per page the
(tp, fp, fn) counts are normalised to sum to 1; precision and recall are averaged over
the pages (pages with tp+fp == 0, resp. tp+fn == 0, are left out of the average) and F1 is
the harmonic mean of the two averages. Accuracy is the share of pages whose word sequence
equals the ground truth exactly.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)

TpFpFn = tuple[float, float, float]


def tokenize(text: str | None) -> list[str]:
    """Words as the benchmark sees them."""
    return _TOKEN_RE.findall(text or "")


def _shingles(text: str | None, n: int = 4) -> Counter:
    tokens = tokenize(text)
    out: Counter = Counter()
    for i in range(0, max(1, len(tokens) - n + 1)):
        shingle = " ".join(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


def shingle_match(true: str | None, pred: str | None, n: int = 4) -> TpFpFn:
    """Normalised (tp, fp, fn) of the 4-word shingle multisets of one page."""
    ts, ps = _shingles(true, n), _shingles(pred, n)
    tp = fp = fn = 0.0
    for key in ts.keys() | ps.keys():
        t, p = ts.get(key, 0), ps.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    s = tp + fp + fn
    if s > 0:
        tp, fp, fn = tp / s, fp / s, fn / s
    return tp, fp, fn


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def exact_words(true: str | None, pred: str | None) -> float:
    """1.0 when both texts have the same word sequence."""
    return float(tokenize(true) == tokenize(pred))


def prf(tp_fp_fns: Iterable[TpFpFn]) -> dict[str, float]:
    """Page-averaged precision/recall and their harmonic mean, as in the benchmark."""
    rows = list(tp_fp_fns)
    ps = [precision_score(*r) for r in rows if r[0] + r[1] > 0]
    rs = [recall_score(*r) for r in rows if r[0] + r[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return {"precision": p, "recall": r, "f1": f1}


def body_scores(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, float]:
    """Benchmark scores over (truth, prediction) pairs: precision, recall, f1, accuracy, n."""
    pairs = list(pairs)
    out = prf(shingle_match(t, p) for t, p in pairs)
    out["accuracy"] = statistics.mean(exact_words(t, p) for t, p in pairs) if pairs else 0.0
    out["n"] = len(pairs)
    return out


# elements that start a new line of text (their words are never glued to the neighbours')
_BLOCK_TAGS = frozenset("p div li h1 h2 h3 h4 h5 h6 pre td th tr blockquote figcaption figure br dt dd dl section "
                        "article header footer table ul ol hr".split())


def html_block_text(html: str) -> str:
    """The text of an HTML fragment, one line per block (paragraphs, headings, list items, preformatted
    text, table cells...): what a reader sees of an expected article, not just its ``<p>`` elements."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def norm_text(s: str | None) -> str:
    """Comparison form of a short field (title, author): NFKC, unified quotes/dashes, collapsed blanks."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    s = s.translate(_PUNCT_MAP)
    return " ".join(s.split()).strip().casefold()


_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u200b": "",
        "\u00ad": "",
    }
)


def same_title(expected: str | None, got: str | None) -> bool:
    return bool(expected) and norm_text(expected) == norm_text(got)


def same_authors(expected: list[str] | None, got: list[str] | None) -> bool:
    """Order-insensitive equality of normalised author names."""
    e = sorted(norm_text(a) for a in (expected or []) if a and a.strip())
    g = sorted(norm_text(a) for a in (got or []) if a and a.strip())
    return e == g
