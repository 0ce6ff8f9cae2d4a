"""Build a demo WARC from the repo's fixtures, then (optionally) crawl it offline with ``--replay``.

The MediaWiki API answers for a day range come from ``crawler.devtools.devserver`` serving
``crawler/devtools/sample_data/portal/*.wiki`` and are recorded under the real API URL (batched exactly as the
spider asks: NEWSARCHIVE_TITLES_PER_REQUEST titles, maxlag NEWSARCHIVE_MAXLAG); the cited pages come
from ``crawler/devtools/sample_data/articles/manifest.json`` (200s, some gzip-encoded, a 301 to https, a 404,
two robots.txt; other hosts' robots.txt are absent, so replay answers allow-all).

    python -m crawler.devtools.build_demo_warc --out output/demo-warc [--crawl output/demo-replay.db]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import threading
import urllib.request
from datetime import date, datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from crawler import __version__, settings as defaults
from crawler.devtools.devserver import build_parser, make_server
from crawler.net.politeness import user_agent
from crawler.portal.api import revisions_url
from crawler.portal.titles import day_title, iter_days
from crawler.warc.writer import WarcWriter

SAMPLES = Path(__file__).resolve().parent / "sample_data"
DEFAULT_API = "https://en.wikipedia.org/w/api.php"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def request_headers(contact: str) -> list[tuple[str, str]]:
    return [("Accept", ACCEPT), ("Accept-Language", "en"), ("User-Agent", user_agent(contact, __version__)),
            ("Accept-Encoding", "gzip, deflate")]


def api_exchanges(api: str, first: date, last: date, per_request: int, maxlag: int):
    """(url, status, headers, body) of every API request the spider makes for first…last."""
    server = make_server(build_parser().parse_args(["--wiki", str(SAMPLES / "portal")]))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        days = list(iter_days(first, last))
        for i in range(0, len(days), per_request):
            titles = [day_title(d) for d in days[i : i + per_request]]
            cont = None
            while True:
                url = revisions_url(api, titles, maxlag, cont)
                parts = urlsplit(url)
                with urllib.request.urlopen(f"{local}{parts.path}?{parts.query}", timeout=10) as resp:
                    body, status, headers = resp.read(), resp.status, resp.getheaders()
                yield url, status, headers, body
                cont = json.loads(body).get("continue")
                if not cont:
                    break
                cont = {k: str(v) for k, v in cont.items()}
    finally:
        server.shutdown()
        server.server_close()


def page_exchanges(manifest: dict, now: datetime):
    """(url, status, headers, body) of the manifest's pages and robots.txt files."""
    http_date = format_datetime(now, usegmt=True)
    for url, text in manifest.get("robots", {}).items():
        body = text.encode()
        headers = [("Date", http_date), ("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        yield url, 200, headers, body
    for page in manifest["pages"]:
        headers = [("Date", http_date), ("Server", "demo")]
        body = (SAMPLES / "articles" / page["file"]).read_bytes() if page.get("file") else b""
        if page.get("location"):
            headers.append(("Location", page["location"]))
            body = b'<html><body>Moved <a href="' + page["location"].encode() + b'">here</a></body></html>'
            headers.append(("Content-Type", "text/html; charset=utf-8"))
        else:
            headers.append(("Content-Type", page.get("content_type", "text/html; charset=utf-8")))
        if page.get("last_modified"):
            headers.append(("Last-Modified", page["last_modified"]))
        if page.get("gzip"):
            body = gzip.compress(body, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
            headers.append(("Vary", "Accept-Encoding"))
        headers.append(("Content-Length", str(len(body))))
        yield page["url"], int(page["status"]), headers, body


def build(out: Path, first: date, last: date, api: str = DEFAULT_API, contact: str | None = None,
          per_request: int | None = None, maxlag: int | None = None) -> list[Path]:
    """Write the demo WARC file(s) into ``out``; returns their paths."""
    contact = contact or defaults.NEWSARCHIVE_CONTACT
    per_request = per_request or defaults.NEWSARCHIVE_TITLES_PER_REQUEST
    maxlag = defaults.NEWSARCHIVE_MAXLAG if maxlag is None else maxlag
    manifest = json.loads((SAMPLES / "articles" / "manifest.json").read_text(encoding="utf-8"))
    now = datetime.now(timezone.utc)
    info = {"operator": contact, "http-header-user-agent": user_agent(contact, __version__),
            "robots": "obey", "isPartOf": "newsarchive-demo",
            "description": f"newsarchive demo built from the repository's fixtures (sample portal days "
                          f"{first.isoformat()} to {last.isoformat()} answered by crawler.devtools.devserver, "
                          "sample article pages written for the demo); not a capture of the live web",
            "newsarchive-settings": {"NEWSARCHIVE_WIKI_API": api, "NEWSARCHIVE_MAXLAG": maxlag,
                                     "NEWSARCHIVE_TITLES_PER_REQUEST": per_request}}
    headers = request_headers(contact)
    with WarcWriter(out, prefix="newsarchive-demo", info=info) as writer:
        for url, status, resp_headers, body in api_exchanges(api, first, last, per_request, maxlag):
            writer.write_exchange(url, "GET", headers, status, None, resp_headers, body, now)
        for url, status, resp_headers, body in page_exchanges(manifest, now):
            writer.write_exchange(url, "GET", headers, status, None, resp_headers, body, now)
    return writer.files


def replay_crawl(paths, db: str, first: date, last: date, api: str):
    """Crawl first…last from the WARC files only (no network) into ``db``."""
    from crawler.runner import CrawlOptions, run_crawl

    opts = CrawlOptions(start=first, end=last, db=db, wiki_api=api, replay=tuple(str(p) for p in paths),
                        log_level="WARNING", command="demo")
    return run_crawl(opts)


def summary(db_path: str) -> str:
    from crawler.storage.schema import open_db

    db = open_db(db_path)
    lines = []
    for row in db.query("SELECT day, status, event_count FROM days ORDER BY day"):
        lines.append(f"{row['day']}  {row['status']:<8} {row['event_count']} events")
    for row in db.query("SELECT status, http_status, url, title FROM sources ORDER BY url"):
        lines.append(f"  {row['status']:<14} {row['http_status'] or '-':<4} {row['url']}"
                     + (f"\n{'':21}{row['title']}" if row["title"] else ""))
    db.close()
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="output/demo-warc", help="directory for the WARC file")
    p.add_argument("--from", dest="first", default="2014-02-11")
    p.add_argument("--to", dest="last", default="2014-02-15")
    p.add_argument("--api", default=DEFAULT_API, help="API URL recorded in the WARC (and crawled in replay)")
    p.add_argument("--crawl", metavar="DB", help="then crawl the range from the WARC only, into DB")
    args = p.parse_args(argv)
    first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    out = Path(args.out)
    for old in out.glob("newsarchive-demo-*.warc.gz") if out.is_dir() else ():
        old.unlink()
    files = build(out, first, last, api=args.api)
    print("\n".join(f"wrote {f}" for f in files))
    if not args.crawl:
        print(f"replay it: newsarchive crawl --from {first} --to {last} --db output/demo-replay.db "
              f"--replay {out}")
        return 0
    outcome = replay_crawl([out], args.crawl, first, last, args.api)
    print(f"\nreplay crawl: {outcome.finish_reason}; {outcome.counts}\n")
    print(summary(args.crawl))
    return 0 if outcome.finish_reason == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
