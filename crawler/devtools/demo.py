"""``make demo``: crawl sample day pages from a local stand-in of the MediaWiki API, offline.

Serves the repo's own sample pages (``crawler/devtools/sample_data``) and, when ``../shared/realdata`` exists, the
real 2014-02-13 page, then crawls 2014-02-11…2014-02-15 into output/archive.db and prints what it stored: events with
their entities resolved (canonical title, Wikidata id, red links, from ``sample_data/entities.json``), sources;
then renders the archive pages, exports the events and writes the coverage report (output/report.html).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

from crawler import settings as defaults
from crawler.devtools.devserver import build_parser, make_server

SAMPLES = Path(__file__).resolve().parent / "sample_data"
REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"


def url_map_from_manifest(out: Path) -> Path:
    """The sample articles' manifest as a dev-server --url-map (pages, redirects, robots.txt)."""
    manifest = json.loads((SAMPLES / "articles" / "manifest.json").read_text(encoding="utf-8"))
    mapping = {url: {"body": text, "content_type": "text/plain"} for url, text in manifest.get("robots", {}).items()}
    for page in manifest["pages"]:
        spec = {k: page[k] for k in ("status", "content_type", "gzip", "last_modified") if k in page}
        if "location" in page:
            spec["redirect"] = page["location"]
        if "file" in page:
            spec["file"] = str(SAMPLES / "articles" / page["file"])
        mapping[page["url"]] = spec
    out.write_text(json.dumps(mapping), encoding="utf-8")
    return out


def entity_label(e: dict) -> str:
    """``Sergey Shoygu → Sergei Shoigu (no Wikidata id)``, ``Cairo (Q85)``, ``X (red link)``."""
    name = e["title"] if e["canonical_title"] in (None, e["title"]) else f"{e['title']} → {e['canonical_title']}"
    if e["missing"]:
        return f"{name} (red link)"
    return f"{name} ({e['qid']})" if e["qid"] else f"{name} (no Wikidata id)"


def start_server(wiki_dirs: list[Path], url_map: Path | None = None):
    argv = [a for d in wiki_dirs for a in ("--wiki", str(d))] + ["--entities", str(SAMPLES / "entities.json")]
    if url_map:
        argv += ["--url-map", str(url_map)]
    server = make_server(build_parser().parse_args(argv))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default=defaults.NEWSARCHIVE_DB)
    args = p.parse_args(argv)

    from crawler.runner import CrawlOptions, run_crawl
    from crawler.storage.days import day_events
    from crawler.storage.entities import entity_summary
    from crawler.storage.schema import open_db

    wiki_dirs = [SAMPLES / "portal"]
    real = REALDATA / "portal" / "wikitext"
    with tempfile.TemporaryDirectory() as tmp:
        if real.exists():
            for src in real.glob("2014-02-13_*.wiki"):
                (Path(tmp) / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
            wiki_dirs.append(Path(tmp))
            print(f"using the real 2014-02-13 page from {real}")
        else:
            print(f"{REALDATA} not found: 2014-02-13 will be a missing day")
        server = start_server(wiki_dirs, url_map_from_manifest(Path(tmp) / "map.json"))
        base = f"http://127.0.0.1:{server.server_address[1]}"
        api = f"{base}/w/api.php"
        print(f"local MediaWiki API at {api}; cited sources served by a local mirror")
        # sources cited by the real page have no sample article: the mirror answers 404 for them
        opts = CrawlOptions(start=date(2014, 2, 11), end=date(2014, 2, 15), db=args.db, wiki_api=api,
                            command="demo", wayback_url="",
                            settings=(("NEWSARCHIVE_MIRROR", base), ("AUTOTHROTTLE_ENABLED", "0"),
                                      ("DOWNLOAD_DELAY", "0"), ("RETRY_TIMES", "0"),
                                      ("NEWSARCHIVE_COMMONCRAWL_URL", "")))
        outcome = run_crawl(opts)
        server.shutdown()
    db = open_db(args.db)
    print(f"\nfinish: {outcome.finish_reason}; counts: {outcome.counts}\n")
    for row in db.query("SELECT day, status, revision_id, event_count FROM days ORDER BY day"):
        print(f"{row['day']}  {row['status']:<8} rev {row['revision_id'] or '-':<11} {row['event_count']} events")
        for ev in day_events(db, row["day"])[:3]:
            story = " > ".join(ev["stories"])
            print(f"    [{ev['category'] or '-'}] {story + ': ' if story else ''}{ev['text'][:90]}")
            print(f"      entities: {', '.join(entity_label(e) for e in ev['entities'])}")
            print(f"      sources:  {', '.join((s['outlet'] or '[bare]') + ' (' + s['status'] + ')' for s in ev['sources'])}")
    ent = entity_summary(db)
    print(f"\nentities (as linked, and the pages redirects lead to): {ent['resolved']} resolved "
          f"({ent['with_qid']} with a Wikidata id, {ent['located']} with coordinates), {ent['missing']} red link(s), "
          f"{ent['unresolved']} unresolved — {outcome.counts['entity_requests']} resolution requests")
    print()
    for row in db.query("SELECT status, COUNT(*) AS n FROM sources GROUP BY status ORDER BY n DESC"):
        print(f"sources {row['status']}: {row['n']}")
    for row in db.query("SELECT title, published, date_source, word_count FROM sources WHERE status = 'ok' "
                        "ORDER BY published LIMIT 5"):
        print(f"  {row['published']} ({row['date_source']}) {row['title']} — {row['word_count']} words")
    from crawler.archive.datasets.export import export
    from crawler.archive.markdown.render import render_archive

    out = Path(args.db).parent
    rendered = render_archive(db, out / "news")
    exported = export(db, "jsonl", out / "events.jsonl")
    print(f"\narchive pages: {rendered.written} written, {rendered.unchanged} unchanged, {rendered.removed} removed "
          f"→ {out / 'news'}")
    print(f"dataset: {exported.events} events with {exported.sources} sources → {exported.path} "
          f"(data card: {exported.datacard})")
    # Related lists rank canonical entities: "Sergey Shoygu" (2014-02-12) and "Sergey Shoigu" (the real
    # 2014-02-13 page) are one page, Sergei Shoigu
    for page in sorted((out / "news" / "2014" / "02" / "12").glob("egypt-russia-relations-*.md")):
        related = page.read_text(encoding="utf-8").partition("### Related:\n\n")[2].splitlines()
        print(f"related to {page.name[:60]}…: " + ("; ".join(
            line.split("](")[0].lstrip("0123456789. [")[:50] + "… " + line.rpartition(") ")[2]
            for line in related[:2]) or "none"))
    located = [r for r in map(json.loads, Path(exported.path).read_text(encoding="utf-8").splitlines())
               if r["location"]]
    print(f"events with a location (the linked place of smallest extent): {len(located)} of {exported.events}")
    for r in located[:3]:
        place = r["location"]
        print(f"  {r['text'][:60]}… → {place['title']} ({place['qid'] or 'no Wikidata id'}) "
              f"at {place['lat']}, {place['lon']}")
    from crawler.archive.report.page import write_report
    from crawler.archive.report.charts import MissingLibrary

    try:
        write_report(db, out / "report.html", label=args.db)
        print(f"coverage report: {out / 'report.html'}")
    except MissingLibrary as err:
        print(f"coverage report not written: {err}")
    print(f"\nstored in {args.db}; try: .venv/bin/newsarchive status --db {args.db}")
    return 0 if outcome.finish_reason == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
