"""A local stand-in for Common Crawl (tests and demos): collinfo, a CDX index per collection, WARC byte ranges.

``CommonCrawlFake(spec)`` builds, in memory, one gzipped WARC file holding a ``response`` record per captured
URL, and answers the three requests the crawl makes, as index.commoncrawl.org and data.commoncrawl.org do:

- ``<index base>/collinfo.json`` → ``[{"id": "CC-MAIN-YYYY-WW", "cdx-api": "<index base>/CC-MAIN-YYYY-WW-index"}]``
- ``<index base>/CC-MAIN-YYYY-WW-index?url=U&output=json`` → one JSON line per capture (filename, offset, length)
- ``<data base>/<filename>`` with ``Range: bytes=a-b`` → 206 and those bytes (one gzip member: one record)

``spec``: ``{url: [{"collection": "CC-MAIN-2014-10", "timestamp": "20140305120000", "file"|"body": …,
"status": 200}]}``.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from urllib.parse import parse_qs

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.net.urls import normalize_url

FILENAME = "crawl-data/fake/segments/1/warc/fake-00000.warc.gz"


class CommonCrawlFake:
    def __init__(self, spec: dict[str, list[dict]]):
        self.records: dict[str, list[dict]] = {}
        self.collections: set[str] = set()
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True)
        for url, captures in spec.items():
            for cap in captures:
                body = Path(cap["file"]).read_bytes() if "file" in cap else cap.get("body", "").encode()
                if cap.get("file", "").endswith(".gz"):
                    body = gzip.decompress(body)
                status = int(cap.get("status", 200))
                http = StatusAndHeaders(f"{status} OK", [("Content-Type", "text/html; charset=utf-8"),
                                                         ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
                offset = buf.tell()
                writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                              http_headers=http))
                self.collections.add(cap["collection"])
                self.records.setdefault(normalize_url(url), []).append({
                    "urlkey": url, "timestamp": cap["timestamp"], "url": url, "status": str(status),
                    "mime": "text/html", "filename": FILENAME, "offset": str(offset),
                    "length": str(buf.tell() - offset), "collection": cap["collection"]})
        self.warc = buf.getvalue()

    def collinfo(self, index_base: str) -> list[dict]:
        return [{"id": c, "name": c, "cdx-api": f"{index_base}/{c}-index"}
                for c in sorted(self.collections, reverse=True)]

    def index(self, collection: str, query: str) -> str:
        """JSON lines for ``url`` in ``collection`` (honouring ``filter=status:200``)."""
        q = parse_qs(query)
        rows = [r for r in self.records.get(normalize_url(q.get("url", [""])[0]), []) if r["collection"] == collection]
        if "status:200" in q.get("filter", []):
            rows = [r for r in rows if r["status"] == "200"]
        return "".join(json.dumps({k: v for k, v in r.items() if k != "collection"}) + "\n" for r in rows)

    def byte_range(self, filename: str, header: str | None) -> bytes | None:
        """The bytes a ``Range: bytes=a-b`` header asks for (None: no such file)."""
        if filename != FILENAME:
            return None
        if not header or not header.startswith("bytes="):
            return self.warc
        lo, _, hi = header[len("bytes="):].partition("-")
        return self.warc[int(lo): int(hi) + 1 if hi else None]
