"""Every column of the live schema and every CLI command is documented."""

import re
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import main
from crawler.storage.schema import open_db

ROOT = Path(__file__).resolve().parents[1]


def test_every_column_documented(tmp_path):
    doc = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    db = open_db(tmp_path / "a.db")
    missing = []
    for table in db.table_names():
        if table.startswith("_") or "_fts" in table:
            continue
        section = re.search(rf"## `{table}`(.*?)(?=\n## |\Z)", doc, re.S)
        if not section:
            missing.append(table)
            continue
        for col in db[table].columns_dict:
            if f"`{col}`" not in section.group(1):
                missing.append(f"{table}.{col}")
    assert not missing, f"undocumented in docs/schema.md: {missing}"


def test_every_command_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = [name for name in main.commands if f"newsarchive {name}" not in readme]
    assert not undocumented, undocumented


def test_every_command_has_help():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
