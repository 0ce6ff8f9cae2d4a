"""WARC/1.1 writer for crawl exchanges (pure: warcio, no Scrapy).

Files are ``<prefix>-<UTC timestamp>-<serial>.warc.gz``, one gzip member per record (seekable), opened
lazily, rotated once they reach ``max_size`` (an exchange is never split), each starting with a
``warcinfo`` record. Every exchange is a ``response`` record followed by its ``request`` record
(``WARC-Concurrent-To`` the response); warcio computes the block and payload digests (sha1). Each record
is flushed as it is written, so a kill -9 loses at most the record being written.

Header adjustments (the record must describe the bytes it holds):

* ``Transfer-Encoding`` is renamed ``X-Archive-Orig-Transfer-Encoding`` (the HTTP client has de-chunked)
  and a ``Content-Length`` is added.
* ``decoded=True`` (the body was already content-decoded) renames ``Content-Encoding`` to
  ``X-Archive-Orig-Content-Encoding``; otherwise the encoded body is stored with its header, as sent.
* a ``Content-Length`` that differs from the stored body becomes ``X-Archive-Orig-Content-Length`` and
  the real length is written.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from crawler import __version__

ORIG = "X-Archive-Orig-"
WARC_1_1_SPEC = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def header_pairs(headers) -> list[tuple[str, str]]:
    """(name, value) str pairs from a dict, a list of pairs or None (bytes decoded as latin-1)."""
    if not headers:
        return []
    items = headers.items() if hasattr(headers, "items") else headers
    out = []
    for name, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            out.append((_text(name), _text(v)))
    return out


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def archive_headers(headers, body_length: int, decoded: bool = False) -> list[tuple[str, str]]:
    """Response headers made consistent with a stored body of ``body_length`` bytes (see module doc)."""
    out: list[tuple[str, str]] = []
    lengths, dechunked = [], False
    for name, value in header_pairs(headers):
        low = name.lower()
        if low == "transfer-encoding" or (decoded and low == "content-encoding"):
            out.append((ORIG + name, value))
            dechunked = dechunked or low == "transfer-encoding"
        elif low == "content-length":
            lengths.append(value)
        else:
            out.append((name, value))
    if lengths and (len(lengths) > 1 or lengths[0].strip() != str(body_length)):
        out.extend((ORIG + "Content-Length", v) for v in lengths)
    if lengths or dechunked:
        out.append(("Content-Length", str(body_length)))
    return out


def warc_date(when) -> str:
    """WARC-Date (UTC, microseconds) from a datetime, an ISO string or None (now)."""
    if when is None:
        when = datetime.now(timezone.utc)
    elif isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return datetime_to_iso_date(when.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def _http_version(protocol: str | None) -> str:
    return protocol if protocol in ("HTTP/1.0", "HTTP/1.1") else "HTTP/1.1"


class WarcWriter:
    """``write_exchange(...) -> (file name, offset of the response record)``; use as a context manager."""

    def __init__(self, directory, *, prefix: str = "newsarchive", max_size: int = 1_000_000_000,
                 info: dict | None = None):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max(1, int(max_size))
        self.info = dict(info or {})
        self.files: list[Path] = []
        self.records = 0
        self._fh = None
        self._writer: WARCWriter | None = None
        self._warcinfo_id: str | None = None
        self._serial = 0

    # -- files ---------------------------------------------------------------------------------------
    @property
    def current(self) -> Path | None:
        return self.files[-1] if self._fh is not None else None

    def warcinfo_fields(self) -> dict:
        fields = {"software": f"newsarchive {__version__} (warcio)", "format": "WARC File Format 1.1",
                  "conformsTo": WARC_1_1_SPEC}
        for key, value in self.info.items():
            if isinstance(value, (dict, list, tuple)):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
            if value not in (None, ""):
                fields[key] = value
        return fields

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
            path = self.directory / f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            try:
                self._fh = open(path, "xb")
                break
            except FileExistsError:
                continue
        self.files.append(path)
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="WARC/1.1")
        record = self._writer.create_warcinfo_record(path.name, self.warcinfo_fields())
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._writer.write_record(record)
        self.records += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh, self._writer = None, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- records -------------------------------------------------------------------------------------
    def write_exchange(self, url: str, method: str, request_headers, status: int, reason: str | None,
                       response_headers, body: bytes, fetched_at=None, *, request_body: bytes = b"",
                       ip_address: str | None = None, protocol: str | None = "HTTP/1.1",
                       decoded: bool = False) -> tuple[str, int]:
        """Append a response record and its request record; returns (file name, response offset)."""
        if self._fh is None:
            self._open()
        w = self._writer
        version = _http_version(protocol)
        date = warc_date(fetched_at)
        common = {"WARC-Date": date, "WARC-Warcinfo-ID": self._warcinfo_id}
        if ip_address:
            common["WARC-IP-Address"] = str(ip_address)
        body = bytes(body or b"")
        reason = reason or _phrase(status)
        resp_http = StatusAndHeaders(f"{int(status)} {reason}".strip(),
                                     archive_headers(response_headers, len(body), decoded), protocol=version)
        response = w.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                        http_headers=resp_http, warc_headers_dict=dict(common))
        return self._append(response, self._request_record(url, method, request_headers, request_body, version,
                                                           common, response))

    def _append(self, first, request) -> tuple[str, int]:
        """Write a response/metadata record and its request record; (file name, offset of the first)."""
        name, offset = self.files[-1].name, self._fh.tell()
        self._writer.write_record(first)
        self._writer.write_record(request)
        self.records += 2
        if self._fh.tell() >= self.max_size:
            self.close()
        return name, offset

    def _request_record(self, url, method, headers, body, version, common, concurrent_to):
        """The request record of an exchange, WARC-Concurrent-To its response (or failure) record."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = header_pairs(headers)
        if not any(n.lower() == "host" for n, _ in req_headers):
            req_headers.insert(0, ("Host", parts.netloc))
        req_http = StatusAndHeaders(f"{method.upper()} {target} {version}", req_headers, is_http_request=True)
        return self._writer.create_warc_record(
            url, "request", payload=BytesIO(body or b""), length=len(body or b""), http_headers=req_http,
            warc_headers_dict={**common, "WARC-Concurrent-To": concurrent_to.rec_headers.get_header("WARC-Record-ID")})

    def write_failure(self, url: str, method: str, request_headers, status: str, error: str, fetched_at=None, *,
                      request_body: bytes = b"", protocol: str | None = "HTTP/1.1") -> tuple[str, int]:
        """A request that got no response (timeout, DNS error, refused…): its ``request`` record and a
        ``metadata`` record (application/warc-fields: ``fetch-status``, ``fetch-error``) on the same target
        URI, so that replay can fail it the same way. Returns (file name, offset of the metadata record)."""
        if self._fh is None:
            self._open()
        w = self._writer
        common = {"WARC-Date": warc_date(fetched_at), "WARC-Warcinfo-ID": self._warcinfo_id}
        fields = f"fetch-status: {_field(status)}\r\nfetch-error: {_field(error)}\r\n".encode("utf-8")
        meta = w.create_warc_record(url, "metadata", payload=BytesIO(fields), length=len(fields),
                                    warc_content_type="application/warc-fields", warc_headers_dict=dict(common))
        return self._append(meta, self._request_record(url, method, request_headers, request_body,
                                                       _http_version(protocol), common, meta))


def _field(value) -> str:
    """A warc-fields value on one line."""
    return " ".join(str(value).split())


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return ""
