"""`newsarchive dedup` (crawler.archive.dedup): texts stored without a signature are signed and grouped."""

from click.testing import CliRunner

from crawler.archive.dedup import dedup
from crawler.cli.archive import dedup as dedup_cmd
from crawler.storage.schema import open_db

STORY = ("The council approved the river flood defence plan on Tuesday after a long debate about its cost and the "
         "houses it protects, and work on the first embankment is to start next spring, officials said. ") * 3
OTHER = ("Storms cut power to thousands of homes across the north overnight, and engineers worked through the "
         "morning to restore supplies before the schools opened, the network operator said. ") * 3


def archive(path):
    db = open_db(path)
    for i, (url, text) in enumerate([("https://a.example/1", STORY), ("https://b.example/2", "WIRE - " + STORY),
                                     ("https://c.example/3", OTHER)]):
        db.execute("INSERT INTO sources (id, url, cited_url, status, created_at, text, fetched_at) "
                   "VALUES (?, ?, ?, 'ok', '2020-01-01', ?, ?)", [i + 1, url, url, text, f"2020-01-0{i + 1}"])
    db.close()


def groups(path):
    db = open_db(path)
    rows = db.execute("SELECT id, duplicate_group, duplicate_of, minhash IS NOT NULL FROM sources ORDER BY id").fetchall()
    db.close()
    return rows


def test_unsigned_texts_are_signed_and_grouped(tmp_path):
    path = tmp_path / "a.db"
    archive(path)
    counts = dedup(str(path), workers=1)
    assert counts == {"signed": 3, "placed": 3, "groups": 1, "grouped": 2, "duplicates": 1}
    assert groups(path) == [(1, 1, None, 1), (2, 1, 1, 1), (3, None, None, 1)]
    assert dedup(str(path), workers=1)["signed"] == 0  # nothing left to sign; groups rebuilt the same
    assert groups(path) == [(1, 1, None, 1), (2, 1, 1, 1), (3, None, None, 1)]


def test_cli_reports_counts(tmp_path):
    path = tmp_path / "a.db"
    archive(path)
    result = CliRunner().invoke(dedup_cmd, ["--db", str(path), "--workers", "1", "--recompute"])
    assert result.exit_code == 0, result.output
    assert "3 texts signed; 1 duplicate group holding 2 sources (1 duplicates of a representative)" in result.output
    missing = CliRunner().invoke(dedup_cmd, ["--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no archive" in missing.output
