"""Reading WARC files back (pure: warcio, no Scrapy): an index of response records by normalised URL.

``WarcIndex.build(paths)`` scans files and directories (``*.warc``, ``*.warc.gz``, recursively) in order;
``lookup(url)`` reads the record at its offset. When a URL was answered several times, a final answer
(2xx, 3xx except 304, 4xx except 408/429) wins over a transient one (5xx, 408, 429, 304), and among
equals the later record wins (files are read in the order given, a directory's files by name, which
starts with the UTC time of the file). ``revisit`` records are not resolved (this crawler writes none).

A request that got no response is indexed from its ``metadata`` record (``fetch-status``/``fetch-error``
warc-fields, see ``WarcWriter.write_failure``) as a transient answer: ``failure(url)`` gives (status, error),
and any response record for the URL wins over it.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.net.urls import normalize_url

logger = logging.getLogger(__name__)

SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class StoredResponse:
    """A response record: status, HTTP headers (pairs) and body as stored (still content-encoded)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    warc_file: str  # path of the WARC file as given to the reader
    offset: int
    date: str
    protocol: str = "HTTP/1.1"

    def header(self, name: str, default: str | None = None) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), default)

    def content(self) -> bytes:
        """The body with its Content-Encoding undone (gzip, deflate; br/zstd when their modules exist)."""
        return decode_content(self.body, self.header("Content-Encoding"))


@dataclass(frozen=True)
class IndexEntry:
    file: Path
    offset: int
    status: int
    date: str
    url: str
    failure: tuple[str, str] | None = None  # (status, error) of a request that got no response


def decode_content(body: bytes, encoding: str | None) -> bytes:
    """Undo a Content-Encoding list (last applied first); unknown or broken encodings give the bytes back."""
    for enc in reversed([e.strip().lower() for e in (encoding or "").split(",") if e.strip()]):
        try:
            if enc in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif enc == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif enc == "br":
                import brotli  # type: ignore[import-not-found]

                body = brotli.decompress(body)
            elif enc == "zstd":
                import zstandard  # type: ignore[import-not-found]

                body = zstandard.ZstdDecompressor().decompressobj().decompress(body)
            elif enc != "identity":
                return body
        except Exception:  # noqa: BLE001 - an undecodable body is returned as stored
            return body
    return body


def dechunk(body: bytes) -> bytes | None:
    """Decode a chunked transfer-encoding body (foreign WARCs keep it); None when it is not chunked."""
    out, pos = bytearray(), 0
    try:
        while True:
            end = body.index(b"\r\n", pos)
            size = int(body[pos:end].split(b";")[0].strip(), 16)
            pos = end + 2
            if size == 0:
                return bytes(out)
            out += body[pos : pos + size]
            pos += size + 2
    except ValueError:
        return None


def warc_files(paths) -> list[Path]:
    """The WARC files named by ``paths`` (files as given; directories searched recursively, by name)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted((f for f in p.rglob("*") if f.is_file() and f.name.endswith(SUFFIXES)),
                              key=lambda f: (f.name, str(f))))
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"no WARC file or directory at {p}")
    seen, unique = set(), []
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _status(record) -> int:
    try:
        return int(record.http_headers.get_statuscode())
    except (AttributeError, TypeError, ValueError):
        return 0


def read_record(file, offset: int) -> StoredResponse:
    """The response record at ``offset`` of ``file``."""
    with open(file, "rb") as fh:
        fh.seek(int(offset))
        record = next(iter(ArchiveIterator(fh)))
        if record.rec_type != "response" or record.http_headers is None:
            raise ValueError(f"{file}@{offset}: a {record.rec_type} record, not an HTTP response")
        body = record.raw_stream.read()
        headers = list(record.http_headers.headers)
        status = _status(record)
        url = record.rec_headers.get_header("WARC-Target-URI")
        date = record.rec_headers.get_header("WARC-Date") or ""
        protocol = record.http_headers.protocol or "HTTP/1.1"
    if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        plain = dechunk(body)
        if plain is not None:
            body = plain
            headers = [("X-Archive-Orig-" + k, v) if k.lower() in ("transfer-encoding", "content-length")
                       else (k, v) for k, v in headers]
    return StoredResponse(url=url, status=status, headers=headers, body=body, warc_file=str(file),
                          offset=int(offset), date=date, protocol=protocol)


def failure_fields(record) -> tuple[str, str] | None:
    """(fetch-status, fetch-error) of a failure ``metadata`` record; None for any other record."""
    if record.rec_type != "metadata" or "warc-fields" not in (record.rec_headers.get_header("Content-Type") or ""):
        return None
    fields = {}
    for line in record.content_stream().read(65536).decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return (fields["fetch-status"], fields.get("fetch-error", "")) if fields.get("fetch-status") else None


def _rank(status: int) -> int:
    return 0 if status in (0, 304, 408, 429) or status >= 500 else 1


@dataclass
class WarcIndex:
    """Response records by normalised URL."""

    entries: dict[str, IndexEntry] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    records: int = 0

    @classmethod
    def build(cls, paths) -> "WarcIndex":
        index = cls()
        for f in warc_files(paths):
            index.add_file(f)
        return index

    def add_file(self, path: Path) -> None:
        self.files.append(path)
        try:
            with open(path, "rb") as fh:
                it = ArchiveIterator(fh)
                for record in it:
                    failure = failure_fields(record)
                    if record.rec_type != "response" and failure is None:
                        continue
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if not uri:
                        continue
                    status = _status(record) if failure is None else 0
                    date = record.rec_headers.get_header("WARC-Date") or ""
                    entry = IndexEntry(path, it.get_record_offset(), status, date, uri, failure)
                    self.records += 1
                    key = normalize_url(uri)
                    old = self.entries.get(key)
                    if old is None or _rank(status) >= _rank(old.status):
                        self.entries[key] = entry
        except Exception as err:  # noqa: BLE001 - a truncated file (kill -9) keeps what was read
            msg = f"{path}: {type(err).__name__}: {err}"
            self.errors.append(msg)
            logger.warning("WARC index: %s (records before this point are indexed)", msg)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, url: str) -> bool:
        return normalize_url(url) in self.entries

    def entry(self, url: str) -> IndexEntry | None:
        return self.entries.get(normalize_url(url))

    def lookup(self, url: str) -> StoredResponse | None:
        """The response recorded for ``url`` (None: none, or the request got no response — see ``failure``)."""
        entry = self.entry(url)
        return read_record(entry.file, entry.offset) if entry and entry.failure is None else None

    def failure(self, url: str) -> tuple[str, str] | None:
        """(status, error) when the recorded outcome for ``url`` is a request that got no response."""
        entry = self.entry(url)
        return entry.failure if entry else None
