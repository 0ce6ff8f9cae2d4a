"""Near-duplicate grouping measured on real pages: ``python -m crawler.devtools.dedup_eval`` (a development aid).

The set is built from ``../shared/realdata/articles`` (read in place, nothing copied), every page run through the
crawl's own extraction (``extract_source``) and stored through ``save_source`` in a scratch archive, so the groups
are the ones a crawl would make:

- every real news page (readability.js's test pages are left out: a dozen of them share one lorem text). Two real
  pages are the same article when their ground truth says so: the same expected body (the benchmark's
  ``articleBody``, newspaper's ``.txt``) or the same original URL. Pages of one publisher that share boilerplate
  are the hard negatives;
- for a fixed sample of them, variants a syndicating or re-serving site makes of the same text: ``amp`` (the
  paragraphs in an AMP template that declares the original as canonical), ``print`` (a print view, no canonical),
  ``wire`` (another outlet's template, its own dateline lead sentence in place of the first one, the last
  paragraph cut from a long story, a credit line added),
  ``second_url`` (the same bytes under another address);
- and for a sample, ``follow_up``: a different article on the same story that quotes the original's first
  paragraph and carries its own text after it, which must NOT be grouped.

Reported: pairwise precision and recall of the groups (a pair is a true duplicate when both pages come from the
same article), recall per variant kind, and the same pairs scored with SimHash (64-bit, Hamming distance ≤ 3, the
``simhash`` package when installed) and with MinHash at other thresholds, with CPU per signature.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import html
import itertools
import json
import random
import re
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
LEFT_OUT = ("articles/mozilla-readability/",)
VARIANTS = ("amp", "print", "wire", "second_url")
# Real pages verified by reading them to be one article (two captures of one page: only a timing value in a script
# differs); their sources give no common expected text or URL.
SAME_ARTICLE = [("articles/newspaper/coolhunting.com1.html.gz", "articles/newspaper/coolhunting.com2.html.gz")]


def _body(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _truth_text(root: Path, row: dict) -> str | None:
    """The expected body text the page's source gives, if any."""
    p = root / row["local_path"]
    if row["local_path"].startswith("articles/aeb/html/"):
        gt = p.parent.parent / (p.name.split(".")[0] + ".json")
        if gt.exists():
            return json.loads(gt.read_text(encoding="utf-8")).get("articleBody")
    if row["local_path"].startswith("articles/newspaper/"):
        txt = p.with_name(p.name.replace(".html.gz", ".txt").replace(".html", ".txt"))
        if txt.exists():
            return txt.read_text(encoding="utf-8", errors="replace")
    return None


def real_pages(root: Path = REALDATA) -> list[dict]:
    """The real article pages with a truth key: expected body hash, else original URL, else the file itself."""
    from crawler.net.urls import source_url

    rows = [r for r in csv.DictReader((root / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")
            if r["kind"] == "article_html" and not r["local_path"].startswith(LEFT_OUT)]
    pages = []
    for r in rows:
        truth = _truth_text(root, r)
        if any(r["local_path"] in pair for pair in SAME_ARTICLE):
            key = "file:" + next(pair[0] for pair in SAME_ARTICLE if r["local_path"] in pair)
        elif truth and len(truth.split()) >= 30:
            key = "text:" + hashlib.sha1(" ".join(re.findall(r"\w+", truth.lower())).encode()).hexdigest()
        elif r["original_url"]:
            key = "url:" + source_url(r["original_url"])
        else:
            key = "file:" + r["local_path"]
        url = r["original_url"] or f"https://real.invalid/{hashlib.sha1(r['local_path'].encode()).hexdigest()[:12]}"
        pages.append({"path": str(root / r["local_path"]), "url": url, "truth": key, "kind": "real"})
    return pages


_AMP = """<!doctype html><html amp lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{canonical}"><meta name="viewport" content="width=device-width"></head><body>
<header class="amp-header"><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a></header>
<article><h1>{title}</h1>{paras}</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Markets close higher</a></li><li><a href="/b">Weather warning</a></li>
</ul></aside><footer>© AMP edition. <a href="/terms">Terms</a></footer></body></html>"""
_PRINT = """<html><head><title>{title} - Print</title></head><body onload="window.print()">
<div class="print-header">Printer-friendly version</div><h1>{title}</h1><div class="story-body">{paras}</div>
<div class="print-footer">Printed from the web edition. Copyright the publisher.</div></body></html>"""
_OUTLET = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | The Daily Syndicate</title>
<meta property="og:site_name" content="The Daily Syndicate"></head><body>
<nav><a href="/">Front page</a> | <a href="/news">News</a> | <a href="/sport">Sport</a> | <a href="/subscribe">Subscribe</a></nav>
<main><article><h1 class="headline">{title}</h1><p class="byline">By Wire Staff</p>{paras}</article></main>
<section class="related"><h2>More from the wire</h2><a href="/x">Another story</a></section>
<footer>The Daily Syndicate. All rights reserved.</footer></body></html>"""


def _paras(lines: list[str]) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def variants(page: dict, article: dict, other: dict, donor: dict | None, n: int) -> list[dict]:
    """The re-served copies of one article (positives) and a follow-up on the same story (a negative): the
    article's first paragraph quoted as background, then the text of ``donor``, a real page kept out of the set."""
    lines = [ln for ln in (article.get("text") or "").split("\n") if ln.strip()]
    title = html.escape(article.get("title") or "Untitled")
    base = f"https://copies.invalid/{n}"
    other_lines = [ln for ln in (other.get("text") or "").split("\n") if ln.strip()]
    lead = " ".join(re.split(r"(?<=[.!?])\s+", other_lines[0])[0].split()[:40]) if other_lines else "Officials spoke."
    rest = re.split(r"(?<=[.!?])\s+", lines[0], maxsplit=1)[1:] if lines else []
    body = (rest + lines[1:]) if rest else lines[1:]
    if len(body) >= 6:
        body = body[:-1]  # the wire copy ends a paragraph early
    wire_lines = [f"LONDON (Wire) — {lead}"] + body + ["Reporting by Wire Staff; editing by the desk."]
    follow = lines[:1] + [ln for ln in ((donor or {}).get("text") or "").split("\n") if ln.strip()]
    out = [
        {"kind": "amp", "truth": page["truth"], "url": f"{base}/amp",
         "html": _AMP.format(title=title, canonical=html.escape(page["url"]), paras=_paras(lines)).encode()},
        {"kind": "print", "truth": page["truth"], "url": f"{base}/print",
         "html": _PRINT.format(title=title, paras=_paras(lines)).encode()},
        {"kind": "wire", "truth": page["truth"], "url": f"{base}/wire",
         "html": _OUTLET.format(title=title, paras=_paras(wire_lines)).encode()},
        {"kind": "second_url", "truth": page["truth"], "url": f"{base}/second", "path": page["path"]},
    ]
    if donor and len(follow) > 3:
        out.append({"kind": "follow_up", "truth": f"follow:{n}", "url": f"{base}/follow-up",
                    "html": _OUTLET.format(title="Follow-up: " + title, paras=_paras(follow)).encode()})
    return out


def _extract(page: dict) -> dict:
    from crawler.extract.fetched import extract_source

    body = page["html"] if "html" in page else _body(Path(page["path"]))
    t0 = time.process_time()
    result = extract_source(body, page["url"], "text/html", None)
    return {**{k: v for k, v in page.items() if k != "html"}, "result": result,
            "cpu": time.process_time() - t0}


def build(sample: int, workers: int, seed: int = 24) -> list[dict]:
    """Every page of the set, extracted."""
    with ProcessPoolExecutor(workers) as pool:
        real = list(pool.map(_extract, real_pages(), chunksize=8))
        usable = [p for p in real if p["result"]["status"] == "ok" and len(p["result"].get("text", "").split()) >= 150]
        rng = random.Random(seed)
        counts = {}
        for p in real:
            counts[p["truth"]] = counts.get(p["truth"], 0) + 1
        single = [p for p in usable if counts[p["truth"]] == 1]
        donors = rng.sample(single, min(len(single) // 4, sample))  # their text only appears inside follow-ups
        kept = {d["path"] for d in donors}
        real = [p for p in real if p["path"] not in kept]
        usable = [p for p in usable if p["path"] not in kept]
        chosen = rng.sample(usable, min(sample, len(usable)))
        extra = []
        for n, p in enumerate(chosen):
            other = rng.choice([u for u in usable if u["truth"] != p["truth"]])
            donor = donors[n]["result"] if n < len(donors) else None
            extra += variants(p, p["result"], other["result"], donor, n)
        return real + list(pool.map(_extract, extra, chunksize=8))


def _pairs(labels: list, n: int) -> set[tuple[int, int]]:
    by: dict = {}
    for i in range(n):
        if labels[i] is not None:
            by.setdefault(labels[i], []).append(i)
    return {p for ids in by.values() for p in itertools.combinations(ids, 2)}


def score(truth: set, predicted: set) -> tuple[float, float]:
    tp = len(truth & predicted)
    return tp / max(1, len(predicted)), tp / max(1, len(truth))


def grouped_by_archive(pages: list[dict]) -> list:
    """Each page's duplicate group after storing them all through ``save_source`` in a scratch archive."""
    from crawler.items import SourceFetch
    from crawler.storage.schema import open_db
    from crawler.storage.sources import RetryPolicy, save_source

    db = open_db(":memory:")
    policy = RetryPolicy(timedelta(hours=1), 4.0, 5)
    for i, p in enumerate(pages):
        fetch = SourceFetch(url=p["url"], final_url=p["url"], http_status=200, content_type="text/html",
                            fetched_at=f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}+00:00", status="fetched")
        save_source(db, fetch, p["result"], policy)
    from crawler.net.urls import source_url

    got = dict(db.execute("SELECT url, duplicate_group FROM sources").fetchall())
    return [got.get(source_url(p["url"])) for p in pages]


def _union(n: int, linked) -> list[int]:
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in linked:
        parent[find(i)] = find(j)
    return [find(i) for i in range(n)]


def alternatives(pages: list[dict]) -> list[tuple[str, list, float, int]]:
    """(name, labels, CPU ms a page, bytes a signature) of MinHash at other thresholds and of SimHash."""
    from crawler.extract.fingerprint import shingles, text_signature
    from crawler.storage.duplicates import similarity

    texts = [p["result"].get("text") or "" for p in pages]
    t0 = time.process_time()
    sigs = [text_signature(t) for t in texts]
    mh_cpu = (time.process_time() - t0) / len(texts) * 1000
    out = []
    pairs = [(i, j) for i, j in itertools.combinations(range(len(pages)), 2) if sigs[i] and sigs[j]]
    sims = {(i, j): similarity(sigs[i], sigs[j]) for i, j in pairs}
    for th in (0.5, 0.6, 0.7, 0.8, 0.9):
        out.append((f"MinHash 128, Jaccard ≥ {th}", _union(len(pages), [p for p, s in sims.items() if s >= th]),
                    mh_cpu, 512))
    try:
        from simhash import Simhash
    except ImportError:
        return out
    t0 = time.process_time()
    hashes = [Simhash([s.decode() for s in shingles(t)]).value if s else None for t, s in zip(texts, sigs)]
    sh_cpu = (time.process_time() - t0) / len(texts) * 1000
    for k in (3, 6, 10):
        linked = [(i, j) for i, j in pairs if bin(hashes[i] ^ hashes[j]).count("1") <= k]
        out.append((f"SimHash 64, Hamming ≤ {k}", _union(len(pages), linked), sh_cpu, 8))
    return out


def report(pages: list[dict]) -> str:
    pages = [p for p in pages if p["result"]["status"] == "ok"]
    n = len(pages)
    truth = _pairs([p["truth"] for p in pages], n)
    groups = grouped_by_archive(pages)
    predicted = _pairs(groups, n)
    precision, recall = score(truth, predicted)
    kinds = sorted({p["kind"] for p in pages})
    counts = ", ".join(f"{k} {sum(p['kind'] == k for p in pages)}" for k in kinds)
    lines = [f"pages {n} ({counts}); "
             f"true duplicate pairs {len(truth)}, distinct pairs {n * (n - 1) // 2 - len(truth)}",
             f"archive grouping (save_source): precision {precision:.3f} recall {recall:.3f} "
             f"(pairs grouped {len(predicted)}, of them wrong {len(predicted - truth)})"]
    index = {}
    for i, p in enumerate(pages):
        index.setdefault(p["truth"], []).append(i)
    for kind in kinds:
        if kind == "real":
            continue
        hits = [groups[i] is not None and any(groups[j] == groups[i] for j in index[p["truth"]] if j != i)
                for i, p in enumerate(pages) if p["kind"] == kind]
        what = "wrongly grouped" if kind == "follow_up" else "grouped with its original"
        lines.append(f"  {kind}: {sum(hits)}/{len(hits)} {what}")
    real_truth = {(i, j) for i, j in truth if pages[i]["kind"] == pages[j]["kind"] == "real"}
    rp, rr = score(real_truth, {(i, j) for i, j in predicted if pages[i]["kind"] == pages[j]["kind"] == "real"})
    lines.append(f"  real pages only: precision {rp:.3f} recall {rr:.3f} ({len(real_truth)} true pairs)")
    lines.append("alternatives on the same pages (pairwise, all pairs compared):")
    for name, labels, cpu, size in alternatives(pages):
        p, r = score(truth, _pairs(labels, n))
        lines.append(f"  {name}: precision {p:.3f} recall {r:.3f}; {cpu:.2f} ms CPU a page, {size} bytes a signature")
    lines.append(f"extraction CPU a page (for scale): {sum(p['cpu'] for p in pages) / n * 1000:.1f} ms")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=200, help="real articles given variants")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    if not (REALDATA / "MANIFEST.tsv").exists():
        raise SystemExit(f"no real data at {REALDATA}")
    print(report(build(args.sample, args.workers)))


if __name__ == "__main__":
    main()
