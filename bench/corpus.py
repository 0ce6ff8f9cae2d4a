"""The bench corpus: real article pages of ../shared/realdata, read in place, each with its own URL.

Every ``*.html.gz`` under ``articles/`` is a page. Its URL is the original one where known — the AEB ``.json``
``url``, htmldate's ``.html.date.json`` ``url``, fundus ``meta.info``, else ``MANIFEST.tsv``'s ``original_url`` —
or a synthetic unique ``https://<kind>.bench.invalid/<path>`` when none is. Byte-identical copies (the outlet
folder repeats some pages) count once; two pages claiming one URL keep it for the first only.

A bench of N pages takes the pool in a fixed order and, past its end, serves the pool again under distinct URLs
(``?nabcopy=K``): sources are deduplicated by normalised URL, so every copy is a new source.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from crawler.net.urls import source_url
from crawler.net.wayback import unwrap_archive_url

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


@dataclass(frozen=True)
class Page:
    path: str  # the .html.gz file, read in place
    url: str  # the URL it is cited and served under (a normal form: source_url(url) == url)
    kind: str  # aeb, htmldate, fundus, …
    synthetic: bool = False


def _manifest_urls(root: Path) -> dict[str, str]:
    out = {}
    with open(root / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("kind") == "article_html" and row.get("original_url"):
                out[row["local_path"]] = row["original_url"].strip()
    return out


def _sidecar_url(path: Path) -> str | None:
    """URL from the file's own metadata: AEB/goose ``<stem>.json``, htmldate ``<name>.date.json``, fundus ``meta.info``."""
    base = path.name[: -len(".html.gz")]
    for cand in (path.with_name(base + ".html.date.json"), path.with_name(base + ".json")):
        if cand.exists():
            try:
                url = json.loads(cand.read_text(encoding="utf-8")).get("url")
            except (ValueError, AttributeError):
                url = None
            if isinstance(url, str) and url.startswith("http"):
                return url
    for info in (path.with_name("meta.info"), *path.parent.glob("*meta.info")):
        if info.exists():
            try:
                meta = json.loads(info.read_text(encoding="utf-8"))
            except ValueError:
                continue
            for name in (path.name, path.name.split("_", 2)[-1]):
                if isinstance(meta.get(name), dict) and meta[name].get("url"):
                    return meta[name]["url"]
    return None


def _usable(url: str | None) -> str | None:
    """The normal form the crawl will store; archive links are unwrapped (the bench serves them live)."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    wrapped = unwrap_archive_url(url)
    url = source_url(wrapped[0] if wrapped else url)
    return url if " " not in url and "]" not in url else None


def real_pages(root: Path = REALDATA) -> list[Page]:
    """Every distinct real article page, in a stable order."""
    articles = root / "articles"
    if not articles.is_dir():
        raise SystemExit(f"{articles} not found: the bench needs ../shared/realdata")
    manifest = _manifest_urls(root)
    seen_bytes, seen_urls, pages = set(), set(), []
    for path in sorted(articles.rglob("*.html.gz")):
        digest = hashlib.sha1(path.read_bytes()).hexdigest()
        if digest in seen_bytes:
            continue
        seen_bytes.add(digest)
        rel = str(path.relative_to(root))
        kind = path.relative_to(articles).parts[0]
        url = _usable(_sidecar_url(path)) or _usable(manifest.get(rel))
        synthetic = url is None or url in seen_urls
        if synthetic:
            slug = hashlib.sha1(rel.encode()).hexdigest()[:12]
            url = source_url(f"https://{kind}.bench.invalid/{slug}/{path.name[:-len('.html.gz')][:60]}")
        seen_urls.add(url)
        pages.append(Page(str(path), url, kind, synthetic))
    return pages


def copy_url(url: str, k: int) -> str:
    """The K-th distinct URL of a page (K = 0: its own)."""
    if k == 0:
        return url
    return source_url(url + ("&" if "?" in url else "?") + f"nabcopy={k}")


def bench_pages(n: int, pool: list[Page] | None = None) -> list[Page]:
    """N pages: the pool in order, then again under ``?nabcopy=K`` URLs (distinct sources)."""
    pool = pool if pool is not None else real_pages()
    out = []
    for i in range(n):
        p = pool[i % len(pool)]
        k = i // len(pool)
        out.append(p if k == 0 else Page(p.path, copy_url(p.url, k), p.kind, p.synthetic))
    return out


if __name__ == "__main__":
    from collections import Counter

    pool = real_pages()
    print(len(pool), "pages;", sum(p.synthetic for p in pool), "synthetic URLs")
    print(Counter(p.kind for p in pool))
    print(len({p.url for p in bench_pages(3000, pool)}), "distinct URLs in 3000")
