"""Run crawler.devtools.devserver as a subprocess on 127.0.0.1 with a random port (like Scrapy's tests/mockserver)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


class MockServer:
    """``with MockServer(wiki=[dir], log=path) as srv: srv.url('/w/api.php')``"""

    def __init__(self, *extra: str, wiki: list[Path] = (), articles: Path | None = None, log: Path | None = None):
        self.args = [sys.executable, "-m", "crawler.devtools.devserver", "--port", "0"]
        for d in wiki:
            self.args += ["--wiki", str(d)]
        if articles:
            self.args += ["--articles", str(articles)]
        self.log = log
        if log:
            self.args += ["--log", str(log)]
        self.args += list(extra)
        self.proc = None
        self.port = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, text=True,
                                     cwd=Path(__file__).resolve().parents[1])
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"mock server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def api(self) -> str:
        return self.url("/w/api.php")

    def requests(self) -> list[dict]:
        if not self.log or not Path(self.log).exists():
            return []
        return [json.loads(line) for line in Path(self.log).read_text().splitlines() if line.strip()]
