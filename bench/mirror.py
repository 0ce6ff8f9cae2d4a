"""The loopback mirror: ``crawler.devserver`` as a subprocess (wiki API + /mirror/ pages), with its request log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.mirror import mirror_url

ROOT = Path(__file__).resolve().parents[1]


class Mirror:
    """``with Mirror(site, log) as m: m.api, m.base, m.url(original)``"""

    def __init__(self, wiki: Path, url_map: Path, log: Path):
        self.args = [sys.executable, "-m", "crawler.devserver", "--port", "0", "--wiki", str(wiki),
                     "--url-map", str(url_map), "--log", str(log)]
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    def __enter__(self) -> "Mirror":
        self.log.unlink(missing_ok=True)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise SystemExit(f"the mirror did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.base}/w/api.php"

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
