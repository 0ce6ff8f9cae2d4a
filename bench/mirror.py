"""The loopback mirror: the wiki API on ``crawler.devtools.devserver`` and the cited pages on ``bench.static_mirror``
(preloaded, served from memory), two subprocesses appending to one request log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.procs import cpu_seconds
from crawler.net.urls import mirror_url

ROOT = Path(__file__).resolve().parents[1]


class Mirror:
    """``with Mirror(site, log) as m: m.api, m.base, m.url(original), m.cpu_seconds()``"""

    def __init__(self, wiki: Path, url_map: Path, log: Path):
        self.commands = [
            [sys.executable, "-m", "crawler.devtools.devserver", "--port", "0", "--wiki", str(wiki), "--log", str(log)],
            [sys.executable, "-m", "bench.static_mirror", "--url-map", str(url_map), "--log", str(log)],
        ]
        self.log = log
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []

    def __enter__(self) -> "Mirror":
        self.log.unlink(missing_ok=True)
        for command in self.commands:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
            self.procs.append(proc)
            line = proc.stdout.readline()
            if not line.startswith("PORT "):
                self.__exit__()
                raise SystemExit(f"the mirror did not start ({command[2]}): {line!r}")
            self.ports.append(int(line.split()[1]))
        return self

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    @property
    def base(self) -> str:
        """Where the pages are (the static mirror)."""
        return f"http://127.0.0.1:{self.ports[1]}"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}/w/api.php"

    def cpu_seconds(self) -> float:
        """CPU both servers have used so far."""
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def url(self, original: str) -> str:
        """Where the mirror serves a cited URL (``/mirror/<scheme>/<host>/<path>``)."""
        return mirror_url(self.base, original)

    def mark(self) -> int:
        """Current length of the request log (count requests of one phase from here)."""
        return len(self.requests())

    def requests(self, since: int = 0) -> list[dict]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()[since:]
        return [json.loads(line) for line in lines if line.strip()]


def count_requests(entries: list[dict]) -> dict[str, int]:
    """Portal API requests, mirrored page requests, robots.txt and other requests in a slice of the log."""
    out = {"api": 0, "pages": 0, "robots": 0, "other": 0}
    for e in entries:
        path = e.get("path", "")
        if path.endswith("/api.php"):
            out["api"] += 1
        elif path.endswith("/robots.txt"):
            out["robots"] += 1
        elif path.startswith("/mirror/") or e.get("proxy"):
            out["pages"] += 1
        else:
            out["other"] += 1
    return out
