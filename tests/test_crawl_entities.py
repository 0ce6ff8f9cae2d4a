"""End to end: entity resolution (and Wikidata) of crawled days against the API stand-in (subprocess, random
port): ceil(titles / 50) requests, continued answers, redirects and red links stored, nothing asked twice."""

from __future__ import annotations

import json
import shutil
import time
from math import ceil
from urllib.parse import parse_qs

import pytest

from crawler.portal.wikitext import parse_wikitext
from crawler.storage.schema import open_db
from tests.mockserver import MockServer
from tests.test_crawl_portal import REAL, ROOT, SAMPLES, run_cli

pytestmark = pytest.mark.e2e  # every test here starts a server or a subprocess

ENTITIES = ROOT / "crawler" / "devtools" / "sample_data" / "entities.json"
DAYS = ["2014-02-11", "2014-02-12", "2014-02-13", "2014-02-14", "2014-02-15"]


@pytest.fixture
def wiki_dir(tmp_path):
    d = tmp_path / "wiki"
    d.mkdir()
    for f in SAMPLES.glob("*.wiki"):
        shutil.copy(f, d / f.name)
    for f in REAL.glob("2014-02-13_rev*"):  # the real page when ../shared/realdata exists
        shutil.copy(f, d / f.name)
    return d


def resolution_requests(srv, since=0) -> list[dict]:
    """The stand-in's log entries of resolution requests, with their parsed query."""
    out = []
    for r in srv.requests()[since:]:
        q = parse_qs(r["query"])
        if r["path"].endswith("api.php") and "pageprops" in q.get("prop", [""])[0]:
            out.append(q)
    return out


def expected_titles(wiki_dir, days) -> set[str]:
    """Link targets and story names of the days' events (the stories of these pages are article titles)."""
    titles = set()
    for f in wiki_dir.glob("*.wiki"):
        if f.name[:10] in days:
            for ev in parse_wikitext(f.read_text(encoding="utf-8")):
                titles.update(e.title for e in ev.entities)
                titles.update(ev.stories)
    return titles


def test_resolution_batches_redirects_red_links_and_no_second_asking(wiki_dir, tmp_path):
    started = time.monotonic()
    db_path = tmp_path / "a.db"
    common = ["--db", str(db_path), "--no-sources"]
    with MockServer("--entities", str(ENTITIES), "--coordinates-limit", "4", wiki=[wiki_dir],
                    log=tmp_path / "log.jsonl") as srv:
        # the first two days
        proc = run_cli("crawl", "--from", DAYS[0], "--to", DAYS[1], "--wiki-api", srv.api, *common)
        first = resolution_requests(srv)
        asked = [t for q in first if "cocontinue" not in q for t in q["titles"][0].split("|")]
        want = expected_titles(wiki_dir, DAYS[:2])
        assert sorted(asked) == sorted(want)  # each title once
        assert len([q for q in first if "cocontinue" not in q]) == ceil(len(want) / 50)
        assert any("cocontinue" in q for q in first)  # more than 4 located pages: the answer continued
        assert "entities:" in proc.stdout and "resolved (1 red links)" in proc.stdout, proc.stdout

        db = open_db(db_path)
        rows = {r["title"]: r for r in db.query("SELECT * FROM entities")}
        spec = json.loads(ENTITIES.read_text(encoding="utf-8"))
        for title in want:
            assert rows[title]["resolved_at"] is not None, title
            known = spec["pages"].get(title, {})
            assert rows[title]["qid"] == known.get("qid"), title
            assert rows[title]["lat"] == known.get("coordinates", {}).get("lat"), title  # every continued part
        shoygu = rows["Sergey Shoygu"]
        assert (shoygu["canonical_title"], shoygu["resolve_status"]) == ("Sergei Shoigu", "ok")
        assert rows["Sergei Shoigu"]["id"] == shoygu["canonical_id"]
        red = rows["Kenya–Tanzania Fibre Link"]
        assert (red["missing"], red["resolve_status"], red["qid"]) == (1, "missing", None)
        assert "Cairo" not in rows  # linked only on days not crawled yet
        db.close()

        # `update` crawls the other days and resolves only their new titles
        mark = len(srv.requests())
        run_cli("update", "--today", DAYS[-1], "--revisit", "0", "--wiki-api", srv.api, *common)
        second = resolution_requests(srv, mark)
        asked = [t for q in second if "cocontinue" not in q for t in q["titles"][0].split("|")]
        new = expected_titles(wiki_dir, DAYS[2:]) - want
        assert sorted(asked) == sorted(new)
        assert len([q for q in second if "cocontinue" not in q]) == ceil(len(new) / 50)

        # the whole range again: every title is fresh, nothing is asked
        mark = len(srv.requests())
        db = open_db(db_path)
        before = sorted(tuple(r.values()) for r in db.query("SELECT * FROM entities"))
        db.close()
        proc = run_cli("crawl", "--from", DAYS[0], "--to", DAYS[-1], "--wiki-api", srv.api, *common)
        assert resolution_requests(srv, mark) == [] and "entities:" not in proc.stdout
        db = open_db(db_path)
        assert sorted(tuple(r.values()) for r in db.query("SELECT * FROM entities")) == before
        db.close()

    status = json.loads(run_cli("status", "--db", str(db_path), "--json").stdout)["entity_resolution"]
    everything = expected_titles(wiki_dir, DAYS)
    redirect_targets = {"Sergei Shoigu", "2014 Egyptian presidential election"} | (
        {"Winter storms of 2013–2014 in the United Kingdom", "Suicide attack", "United States dollar",
         "Same-sex marriage", "Territorial disputes in the South China Sea"} if REAL.exists() else set())
    assert status["missing"] == 1 and status["unresolved"] == 0
    assert status["total"] == len(everything | redirect_targets) == status["resolved"] + 1
    human = run_cli("status", "--db", str(db_path)).stdout
    assert "entities" in human and "red links" in human and "with QID" in human
    print(f"entity e2e: {len(everything)} titles, {time.monotonic() - started:.1f} s")


def test_wikidata_items_types_and_countries(wiki_dir, tmp_path):
    db_path = tmp_path / "a.db"
    with MockServer("--entities", str(ENTITIES), wiki=[wiki_dir], log=tmp_path / "log.jsonl") as srv:
        proc = run_cli("crawl", "--date", "2014-02-15", "--db", str(db_path), "--no-sources", "--wiki-api", srv.api,
                       "--wikidata", "-s", f"NEWSARCHIVE_WIKIDATA_API={srv.url('/wikidata/api.php')}",
                       "-s", "NEWSARCHIVE_WIKIDATA_DELAY=0")
        wd = [parse_qs(r["query"]) for r in srv.requests() if r["path"] == "/wikidata/api.php"]
    assert "2 Wikidata requests" in proc.stdout, proc.stdout
    assert [(q["ids"], q["props"]) for q in wd] == [(["Q85"], ["labels|descriptions|claims"]),
                                                    (["Q5119|Q515|Q79"], ["labels"])]
    db = open_db(db_path)
    cairo = db["wikidata_items"].get("Q85")
    assert (cairo["label"], cairo["description"], cairo["country_qid"], cairo["status"]) == \
        ("Cairo", "capital city of Egypt", "Q79", "ok")
    assert db.execute("SELECT t.type_qid, l.label FROM wikidata_types t JOIN wikidata_labels l ON "
                      "l.qid = t.type_qid WHERE t.qid = 'Q85' ORDER BY t.position").fetchall() == [
        ("Q5119", "capital city"), ("Q515", "city")]
    assert db["wikidata_labels"].get("Q79")["label"] == "Egypt"


def test_bad_answers_are_recorded_and_the_days_events_kept(tmp_path):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "2020-05-05_rev5.wiki").write_text(
        "{{Current events|year=2020|month=05|day=5|content=\n;Disasters and accidents\n"
        "*A storm hits [[Faraway Town]] near [[Odd Item]] and [[Cairo]]. [http://a.example/1 (A)]\n}}",
        encoding="utf-8")
    spec = {"pages": {"Faraway Town": {"qid": "Q1", "coordinates": {"lat": 123.0, "lon": 10.0}},
                      "Odd Item": {"qid": "P31"}, "Cairo": {"qid": "Q85"}}}
    (tmp_path / "entities.json").write_text(json.dumps(spec), encoding="utf-8")
    db_path = tmp_path / "a.db"
    with MockServer("--entities", str(tmp_path / "entities.json"), wiki=[wiki]) as srv:
        proc = run_cli("crawl", "--date", "2020-05-05", "--db", str(db_path), "--no-sources", "--wiki-api", srv.api)
    assert "1 days (0 missing, 0 failed" in proc.stdout
    db = open_db(db_path)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1
    got = {r["title"]: r for r in db.query("SELECT * FROM entities")}
    assert (got["Faraway Town"]["resolve_status"], got["Faraway Town"]["qid"], got["Faraway Town"]["lat"]) == \
        ("bad_coordinates", "Q1", None)
    assert got["Faraway Town"]["resolve_error"].startswith("malformed coordinates")
    assert (got["Odd Item"]["resolve_status"], got["Odd Item"]["qid"]) == ("bad_qid", None)
    assert got["Cairo"]["qid"] == "Q85"
    status = json.loads(run_cli("status", "--db", str(db_path), "--json").stdout)["entity_resolution"]
    assert status["by_status"] == {"bad_coordinates": 1, "bad_qid": 1, "ok": 1}


def test_titles_of_many_days_fill_whole_batches(tmp_path):
    """12 days × 11 new titles (10 links and a story name): the titles of all days go 50 a request, so
    ceil(132 / 50) = 3 requests, the last one partial."""
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    want = set()
    for day in range(1, 13):
        links = [f"Place {day}-{j}" for j in range(10)]
        want.update(links + [f"Story {day}"])
        (wiki / f"2019-03-{day:02d}_rev{day}.wiki").write_text(
            f"{{{{Current events|year=2019|month=03|day={day}|content=\n;Politics and elections\n*Story {day}:\n"
            + "".join(f"**Event in [[{t}]]. [http://a.example/{day}/{j} (A)]\n" for j, t in enumerate(links))
            + "}}", encoding="utf-8")
    with MockServer(wiki=[wiki], log=tmp_path / "log.jsonl") as srv:
        run_cli("crawl", "--from", "2019-03-01", "--to", "2019-03-12", "--db", str(tmp_path / "a.db"), "--no-sources",
                "--wiki-api", srv.api)
        asked = [q["titles"][0].split("|") for q in resolution_requests(srv)]
    assert len(want) == 132 and sorted(t for batch in asked for t in batch) == sorted(want)
    assert sorted(len(batch) for batch in asked) == [32, 50, 50]
