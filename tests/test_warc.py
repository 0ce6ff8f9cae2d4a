"""WARC capture and offline replay: writer/reader units, the demo WARC, capture → replay round trips."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import zlib
from datetime import date
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.net.failures import FAILURE_STATUS, classify_failure
from crawler.storage.blobs import unpack
from crawler.storage.schema import open_db
from crawler.scrapy.middlewares.warc_replay import NotInReplay, ReplayedFailure
from crawler.warc.reader import WarcIndex, read_record, warc_files
from crawler.warc.bodies import find_warc, source_body
from crawler.storage.warc import add_warc_columns
from crawler.warc.writer import WarcWriter
from tests.mockserver import MockServer
from tests.sitegen import article_html, build_site
from tests.test_crawl_portal import ROOT, run_cli
from tests.test_update_resume import FAST, content

HTML = b"<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello archive.</p></body></html>"


def warcio_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warcio.cli", *args], capture_output=True, text=True,
                          timeout=60)


def records(path: Path) -> list:
    """(type, WARC headers dict, HTTP statusline, payload bytes) of every record of a WARC file."""
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            http = rec.http_headers.statusline if rec.http_headers else None
            out.append((rec.rec_type, dict(rec.rec_headers.headers), http, rec.raw_stream.read()))
    return out


def write_sample(directory: Path, **kw) -> WarcWriter:
    with WarcWriter(directory, info={"operator": "tests@example.org", "settings": {"A": 1}}, **kw) as w:
        w.write_exchange("http://ex.org/a?utm_source=feed&id=1", "GET", {"User-Agent": "t"}, 200, None,
                         [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked"),
                          ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], HTML, "2014-02-11T10:00:00+00:00",
                         ip_address="192.0.2.7")
        w.write_exchange("http://ex.org/z", "GET", [(b"Accept", b"*/*")], 200, None,
                         {"Content-Encoding": "gzip", "Content-Length": "999"}, gzip.compress(HTML))
        w.write_exchange("http://ex.org/d", "GET", {}, 200, "OK", {"Content-Encoding": "gzip"}, HTML,
                         decoded=True)
        w.write_exchange("http://ex.org/missing", "GET", {}, 404, None, {"Content-Type": "text/html"},
                         b"gone")
    return w


# --- writer / reader -----------------------------------------------------------------------------------

@pytest.mark.e2e
def test_records_are_valid_warc_1_1_with_digests(tmp_path):
    w = write_sample(tmp_path)
    [path] = w.files
    assert re.fullmatch(r"newsarchive-\d{20}-00001\.warc\.gz", path.name)
    check = warcio_cli("check", "-v", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 9  # warcinfo + 4 × (response, request)
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri,offset", str(path))
    assert index.returncode == 0 and len(index.stdout.splitlines()) == 9

    recs = records(path)
    kind, head, _, payload = recs[0]
    assert kind == "warcinfo" and head["WARC-Filename"] == path.name
    assert b"software: newsarchive " in payload and b"operator: tests@example.org" in payload
    assert b'settings: {"A": 1}' in payload
    resp, req = recs[1], recs[2]
    assert resp[0] == "response" and req[0] == "request"
    assert resp[1]["WARC-Target-URI"] == req[1]["WARC-Target-URI"] == "http://ex.org/a?utm_source=feed&id=1"
    assert req[1]["WARC-Concurrent-To"] == resp[1]["WARC-Record-ID"]
    assert resp[1]["WARC-Date"] == req[1]["WARC-Date"] == "2014-02-11T10:00:00Z"
    assert resp[1]["WARC-IP-Address"] == "192.0.2.7"
    assert resp[1]["WARC-Payload-Digest"].startswith("sha1:")
    assert resp[1]["WARC-Block-Digest"].startswith("sha1:")
    assert resp[1]["WARC-Warcinfo-ID"] == recs[0][1]["WARC-Record-ID"]
    assert all(r[1].get("WARC-Payload-Digest") for r in recs[1:])
    with gzip.open(path, "rb") as fh:
        assert fh.read(9) == b"WARC/1.1\r"


def test_reader_lookup_headers_and_encodings(tmp_path):
    write_sample(tmp_path)
    index = WarcIndex.build([tmp_path])
    assert len(index) == 4 and index.records == 4 and not index.errors
    a = index.lookup("http://EX.org/a?id=1&utm_medium=x")  # normalised: tracking dropped, host lower-case
    assert a.status == 200 and a.body == HTML and a.date == "2014-02-11T10:00:00Z"
    assert a.header("X-Archive-Orig-Transfer-Encoding") == "chunked" and a.header("Transfer-Encoding") is None
    assert [v for k, v in a.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert a.header("Content-Length") == str(len(HTML))
    z = index.lookup("http://ex.org/z")  # stored encoded, as sent; Content-Length made true
    assert z.header("Content-Encoding") == "gzip" and z.body[:2] == b"\x1f\x8b" and z.content() == HTML
    assert z.header("X-Archive-Orig-Content-Length") == "999"
    assert z.header("Content-Length") == str(len(z.body))
    d = index.lookup("http://ex.org/d")  # already decoded by the client
    assert d.header("Content-Encoding") is None and d.header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert d.content() == HTML
    assert index.lookup("http://ex.org/missing").status == 404
    assert index.lookup("http://ex.org/other") is None and "http://ex.org/z" in index
    again = read_record(a.warc_file, a.offset)
    assert again == a


def test_final_answers_win_over_transient_ones(tmp_path):
    with WarcWriter(tmp_path) as w:
        w.write_exchange("http://ex.org/p", "GET", {}, 503, None, {}, b"busy")
        w.write_exchange("http://ex.org/p", "GET", {}, 200, None, {}, b"first")
        w.write_exchange("http://ex.org/p", "GET", {}, 200, None, {}, b"second")
        w.write_exchange("http://ex.org/p", "GET", {}, 503, None, {}, b"busy again")
        w.write_exchange("http://ex.org/q", "GET", {}, 503, None, {}, b"only busy")
    index = WarcIndex.build([tmp_path])
    assert index.lookup("http://ex.org/p").body == b"second"
    assert index.lookup("http://ex.org/q").status == 503


@pytest.mark.e2e
def test_failures_without_response_are_recorded_and_lose_to_responses(tmp_path):
    with WarcWriter(tmp_path) as w:
        w.write_failure("http://ex.org/t", "GET", {"User-Agent": "na"}, "timeout", "TimeoutError: took\nlonger")
        w.write_exchange("http://ex.org/p", "GET", {}, 200, None, {}, b"answered")
        w.write_failure("http://ex.org/p", "GET", {}, "dns_error", "DNSLookupError: no such host")
        w.write_exchange("http://ex.org/r", "GET", {}, 503, None, {}, b"busy")
        w.write_failure("http://ex.org/r", "GET", {}, "connection_refused", "ConnectionRefusedError: refused")
    assert warcio_cli("check", *map(str, w.files)).returncode == 0
    kinds = [r[0] for r in records(w.files[0])]
    assert kinds[1:3] == ["metadata", "request"]
    index = WarcIndex.build([tmp_path])
    assert index.failure("http://ex.org/t") == ("timeout", "TimeoutError: took longer")
    assert index.lookup("http://ex.org/t") is None and "http://ex.org/t" in index
    assert index.failure("http://ex.org/p") is None and index.lookup("http://ex.org/p").body == b"answered"
    assert index.failure("http://ex.org/r") == ("connection_refused", "ConnectionRefusedError: refused")
    replayed = ReplayedFailure(*index.failure("http://ex.org/t"))
    assert classify_failure(replayed) == ("timeout", "TimeoutError: took longer")


@pytest.mark.e2e
def test_rotation_by_size_keeps_exchanges_whole(tmp_path):
    with WarcWriter(tmp_path, prefix="rot", max_size=3000) as w:
        for i in range(12):
            name, offset = w.write_exchange(f"http://ex.org/{i}", "GET", {}, 200, None, {}, HTML * 3)
            assert name == w.files[-1].name and offset > 0
    assert len(w.files) >= 3 and all(f.name.startswith("rot-") for f in w.files)
    assert [f.name for f in warc_files([tmp_path])] == sorted(f.name for f in w.files)
    for f in w.files:
        kinds = [r[0] for r in records(f)]
        assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
        assert kinds[1:] == ["response", "request"] * ((len(kinds) - 1) // 2)
    assert warcio_cli("check", *map(str, w.files)).returncode == 0
    assert len(WarcIndex.build([tmp_path])) == 12


def test_truncated_file_keeps_complete_records(tmp_path):
    w = write_sample(tmp_path)
    path = w.files[0]
    data = path.read_bytes()
    path.write_bytes(data[:-40])  # a kill -9 in the middle of the last record
    index = WarcIndex.build([path])
    assert "http://ex.org/z" in index and "http://ex.org/d" in index


def test_not_in_replay_is_classified(tmp_path):
    exc = NotInReplay("http://ex.org/robots-and-more")
    status, message = classify_failure(exc)
    assert status != "robots_denied" and "not in the replayed WARC" in message
    assert FAILURE_STATUS["NotInReplay"] == status == "not_in_replay"


def test_warc_columns_and_body_from_warc(tmp_path):
    w = write_sample(tmp_path / "warc")
    entry = WarcIndex.build([tmp_path / "warc"]).entry("http://ex.org/z")
    db = open_db(tmp_path / "a.db")
    add_warc_columns(db)
    add_warc_columns(db)  # idempotent
    assert {"warc_file", "warc_offset"} <= set(db["sources"].columns_dict)
    assert "warc_file" in db["days"].columns_dict
    db.execute("INSERT INTO sources (id, url, cited_url, status, created_at, html, warc_file, warc_offset) "
               "VALUES (1, 'http://ex.org/z', 'http://ex.org/z', 'ok', 'now', ?, ?, ?)",
               [zlib.compress(b"db copy"), w.files[0].name, entry.offset])
    assert source_body(db, 1, [tmp_path / "warc"]) == (HTML, "warc")
    assert find_warc(w.files[0].name, [tmp_path]) == w.files[0]
    assert source_body(db, 1, []) == (b"db copy", "db")  # file not found: the database copy
    assert source_body(db, 2) == (None, "none")


@pytest.mark.e2e
def test_demo_warc_replays_without_network(tmp_path):
    out, db_path = tmp_path / "warc", tmp_path / "demo.db"
    proc = subprocess.run([sys.executable, "-m", "crawler.devtools.build_demo_warc", "--out", str(out),
                           "--crawl", str(db_path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert warcio_cli("check", *map(str, warc_files([out]))).returncode == 0
    manifest = json.loads((ROOT / "crawler/devtools/sample_data/articles/manifest.json").read_text())
    index = WarcIndex.build([out])
    assert all(p["url"] in index for p in manifest["pages"])
    db = open_db(db_path)
    days = {r["day"]: r["status"] for r in db.query("SELECT day, status FROM days")}
    assert days == {"2014-02-11": "ok", "2014-02-12": "ok", "2014-02-13": "missing", "2014-02-14": "missing",
                    "2014-02-15": "ok"}
    src = {r["url"]: r for r in db.query("SELECT * FROM sources")}
    assert len(src) == 11 and sum(r["status"] == "ok" for r in src.values()) == 10
    assert src["http://news.example-wire.org/2014/02/12/red-warning.html"]["http_status"] == 404
    renzi = src["http://www.example-daily.co.uk/world/europe/renzi-government/"]
    assert renzi["final_url"].startswith("https://") and renzi["title"].startswith("Renzi accepts")
    assert src["http://tech.example-news.net/cables/east-africa-link"]["published"] == "2014-02-11"


# --- capture → replay round trip (subprocess crawls against the mock server) ----------------------------

EXTRA_DAY = """{{Current events|year=2015|month=03|day=4|content=
<!-- All news items below this line -->
;Science and technology
*A story that moved to https. [http://moved.example.com/old-path (Moved Times)]
*A story sent gzip-encoded. [http://zipped.example.com/story (Zip Post)]
*A dead link. [http://news1.example.com/gone (Example Wire)]
*A host whose robots.txt forbids crawlers. [http://private.example.net/story (Private)]
*A story the replay archive lacks. [http://dropped.example.com/story (Dropped Daily)]
*A server that hangs up without answering. [http://slow.example.com/story (Slow Post)]
<!-- All news items above this line -->}}
"""
DROPPED = "http://dropped.example.com/story"
SLOW = "http://slow.example.com/story"  # the server closes the connection without answering: no response record
# no Wayback / Common Crawl lookups for the dead link: they would leave the mock server for the internet
HERMETIC = ["-s", "NEWSARCHIVE_ARCHIVE_FALLBACK=0"]


def round_trip_site(tmp_path) -> dict:
    site = build_site(tmp_path / "site", date(2015, 3, 1), days=3, events_per_day=3, shared_every=2)
    (site["wiki"] / "2015-03-04_rev2000.wiki").write_text(EXTRA_DAY, encoding="utf-8")
    arts = tmp_path / "site" / "articles"
    url_map = json.loads(site["map"].read_text())
    for name in ("moved", "zipped", "dropped"):
        (arts / f"{name}.html").write_text(article_html(f"The {name} story", date(2015, 3, 4), len(name)))
    (arts / "zipped.html.gzip").write_bytes(gzip.compress((arts / "zipped.html").read_bytes()))
    url_map.update({
        "http://moved.example.com/old-path": {"redirect": "https://moved.example.com/new-path",
                                              "status": 301},
        "https://moved.example.com/new-path": {"file": str(arts / "moved.html")},
        "http://zipped.example.com/story": {"file": str(arts / "zipped.html.gzip"),
                                            "headers": {"Content-Encoding": "gzip"}},
        "http://private.example.net/robots.txt": {"body": "User-agent: *\nDisallow: /\n",
                                                  "content_type": "text/plain"},
        DROPPED: {"file": str(arts / "dropped.html")},
        SLOW: {"drop": True},
    })
    site["map"].write_text(json.dumps(url_map))
    return site


def copy_without(src: Path, dst: Path, url: str) -> None:
    """Copy the WARC files of ``src`` into ``dst`` without the records of ``url`` (byte ranges of members)."""
    dst.mkdir()
    for f in warc_files([src]):
        keep = bytearray()
        data = f.read_bytes()
        with open(f, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                target = rec.rec_headers.get_header("WARC-Target-URI")
                offset, length = it.get_record_offset(), it.get_record_length()
                if target != url:
                    keep += data[offset : offset + length]
        (dst / f.name).write_bytes(bytes(keep))


def replay_log(db_path: Path) -> str:
    return sorted((db_path.parent / "logs").glob("crawl-*.log"))[-1].read_text()


def capture_then_replay(tmp_path, use_cli_options: bool):
    site = round_trip_site(tmp_path)
    warc_dir, replay_dir = tmp_path / "warc", tmp_path / "replay"
    live, replayed = tmp_path / "live" / "a.db", tmp_path / "replayed" / "a.db"
    days = ["--from", "2015-03-01", "--to", "2015-03-04"]
    if use_cli_options:
        capture_args, replay_args = ["--warc", str(warc_dir)], ["--replay", str(replay_dir)]
    else:  # the settings alone, as `scrapy crawl portal -s …` takes them: the rest derives from them
        capture_args = ["-s", f"NEWSARCHIVE_WARC_DIR={warc_dir}"]
        replay_args = ["-s", f"NEWSARCHIVE_REPLAY={replay_dir}"]
    with MockServer("--url-map", str(site["map"]), wiki=[site["wiki"]]) as srv:
        api = srv.api
        run_cli("crawl", *days, "--db", str(live), "--wiki-api", api,
                "-s", f"NEWSARCHIVE_MIRROR={srv.url('')}", *FAST, *HERMETIC, *capture_args)
    copy_without(warc_dir, replay_dir, DROPPED)
    # the mock server is stopped: any network request would fail with connection_refused
    proc = run_cli("crawl", *days, "--db", str(replayed), "--wiki-api", api, *FAST, *HERMETIC, *replay_args)
    return site, warc_dir, live, replayed, api, proc


def check_round_trip(warc_dir, live, replayed, api):
    files = warc_files([warc_dir])
    assert files and warcio_cli("check", *map(str, files)).returncode == 0
    index = WarcIndex.build(files)
    assert index.entry("http://moved.example.com/old-path").status == 301  # each redirect hop
    assert index.entry("https://moved.example.com/new-path").status == 200
    assert index.entry("http://news1.example.com/gone").status == 404
    assert index.entry("http://private.example.net/robots.txt").status == 200
    assert "http://private.example.net/story" not in index  # robots.txt forbade it: never fetched
    assert index.failure(SLOW)[0] == "connection_lost" and index.lookup(SLOW) is None  # sent, no answer
    zipped = index.lookup("http://zipped.example.com/story")
    assert zipped.header("Content-Encoding") == "gzip" and zipped.body[:2] == b"\x1f\x8b"
    assert any(e.url.startswith(api + "?") for e in index.entries.values())
    assert not any("/mirror/" in e.url for e in index.entries.values())  # original URLs, not the mirror's

    a, b = content(live), content(replayed)
    for table in a:
        if table == "sources":
            continue
        assert a[table] == b[table], f"{table} differs between capture and replay"
    src_a = {dict(r)["url"]: dict(r) for r in a["sources"]}
    src_b = {dict(r)["url"]: dict(r) for r in b["sources"]}
    assert set(src_a) == set(src_b) and len(src_a) == 3 * 3 + 1 + 6
    dropped_a, dropped_b = src_a.pop(DROPPED), src_b.pop(DROPPED)
    def same(r):  # times (…_at) and WARC pointers differ between the two runs
        return {k: v for k, v in r.items() if not k.endswith("_at") and k not in ("warc_file", "warc_offset")}
    # the dropped page repeats the explainer's text (both generated with seed 7): near-duplicates in the capture;
    # in the replay the dropped page has no article, so the explainer is in no group
    explainer = "http://news0.example.com/shared/explainer.html"
    assert src_a[explainer]["duplicate_group"] == dropped_a["duplicate_group"] is not None
    assert src_b[explainer]["duplicate_group"] is None
    for src in (src_a, src_b):
        src[explainer] = {k: v for k, v in src[explainer].items() if not k.startswith("duplicate_")}
    assert {u: same(r) for u, r in src_a.items()} == {u: same(r) for u, r in src_b.items()}
    assert dropped_a["status"] == "ok"
    expected = "not_in_replay" if "NotInReplay" in FAILURE_STATUS else "fetch_error"
    assert dropped_b["status"] == expected and "not in the replayed WARC" in dropped_b["error"]
    statuses = {u: r["status"] for u, r in src_b.items()}
    assert statuses["http://private.example.net/story"] == "robots_denied"
    assert statuses["http://news1.example.com/gone"] == "http_error"
    assert statuses[SLOW] == src_a[SLOW]["status"] == "connection_lost"  # replayed, not not_in_replay
    assert src_b[SLOW]["error"] == src_a[SLOW]["error"]
    assert src_b["http://moved.example.com/old-path"]["final_url"] == "https://moved.example.com/new-path"
    log = replay_log(replayed)
    stats = log[log.rindex("Dumping Scrapy stats"):]
    assert "'downloader/request_count'" not in stats  # nothing reached the download handlers
    assert "'newsarchive/replay/hits'" in stats
    assert f"not in the replayed WARC files: {DROPPED}" in log


@pytest.mark.e2e
def test_capture_then_replay_with_settings(tmp_path):
    _, warc_dir, live, replayed, api, _ = capture_then_replay(tmp_path, use_cli_options=False)
    check_round_trip(warc_dir, live, replayed, api)


@pytest.mark.e2e
def test_capture_then_replay_with_cli_options(tmp_path):
    _, warc_dir, live, replayed, api, _ = capture_then_replay(tmp_path, use_cli_options=True)
    check_round_trip(warc_dir, live, replayed, api)
    # integrated: every fetched source points at its record, whose body is the stored one
    for db_path, dirs in ((live, [warc_dir]), (replayed, [tmp_path / "replay"])):
        db = open_db(db_path)
        rows = list(db.query("SELECT id, url, html, warc_file, warc_offset FROM sources WHERE status = 'ok'"))
        assert rows and all(r["warc_file"] and r["warc_offset"] is not None for r in rows)
        for r in rows:
            assert source_body(db, r["id"], dirs) == (unpack(r["html"]), "warc")
        assert all(r["warc_file"] for r in db.query("SELECT warc_file FROM days WHERE status = 'ok'"))
        db.close()
