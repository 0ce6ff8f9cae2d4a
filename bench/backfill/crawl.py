"""One crawl of the simulated web through the command line (``newsarchive crawl``), with fresh servers.

``SimServers`` starts the wiki API stand-in (``crawler.devtools.devserver`` over the generated day pages) and the
simulated web (``bench.backfill.server``); ``run_crawl`` runs the crawl against them, samples its process tree
(RSS, CPU) and returns what the servers logged. The crawl's politeness settings are sent divided by the
time-scale factor: its defaults from ``crawler.settings`` and every ``-s NAME=VALUE`` whose name is a delay
(``*_DELAY``, ``AUTOTHROTTLE_MAX_DELAY``, ``NEWSARCHIVE_RETRY_AFTER_MAX``) — values given in simulated
seconds.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import TreeSampler, cpu_seconds, machine_busy_seconds, running_after

ROOT = Path(__file__).resolve().parents[2]
NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")
SCALED_DEFAULTS = ("DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY",
                   "NEWSARCHIVE_WAYBACK_DELAY", "NEWSARCHIVE_RETRY_AFTER_MAX", "NEWSARCHIVE_RETRY_AFTER_DEFAULT",
                   "NEWSARCHIVE_CRAWL_DELAY_MAX")


def is_time_setting(name: str) -> bool:
    return name in SCALED_DEFAULTS or name.endswith("_DELAY") or name.endswith("_DELAY_MAX")


def settings_pairs(args: list[str]) -> list[tuple[str, str]]:
    """The ``-s NAME=VALUE`` pairs of a crawl argument list."""
    out = []
    for flag, value in zip(args, args[1:]):
        if flag in ("-s", "--set") and "=" in value:
            name, _, v = value.partition("=")
            out.append((name.strip(), v.strip()))
    return out


def scaled_args(args: list[str],
                scale: float) -> tuple[list[str], dict[str, str], dict[str, tuple[str, str]]]:
    """(arguments to send, unscaled overrides, {name: (simulated, sent)}) — the crawler's delay defaults and
    every delay given in ``args`` divided by ``scale``; other arguments pass unchanged."""
    from crawler import settings as defaults

    overrides = dict(settings_pairs(args))
    scaled = {name: str(getattr(defaults, name)) for name in SCALED_DEFAULTS}
    scaled.update({n: v for n, v in overrides.items() if is_time_setting(n)})
    sent, shown = [], {}
    i = 0
    while i < len(args):
        name = args[i + 1].partition("=")[0].strip() if i + 1 < len(args) else ""
        if args[i] in ("-s", "--set") and name in scaled:
            i += 2
            continue
        sent.append(args[i])
        i += 1
    for name, value in scaled.items():
        try:
            v = float(value) / scale
        except ValueError:
            sent += ["-s", f"{name}={value}"]
            continue
        sent += ["-s", f"{name}={v:.6g}"]
        shown[name] = (value, f"{v:.6g}")
    return sent, overrides, shown


class SimServers:
    """``with SimServers(world, log_dir, scale) as s: s.api, s.mirror, s.archive, s.entries()``"""

    def __init__(self, world, log_dir: Path, scale: float, cdx_per_minute: float, block: bool = True,
                 web: list[str] = ()):
        self.log, self.api_log = log_dir / "requests.jsonl", log_dir / "api.jsonl"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.web_cmd = [sys.executable, "-m", "bench.backfill.server", "--world", str(world.spec), "--scale",
                        str(scale), "--log", str(self.log), "--cdx-per-minute", str(cdx_per_minute)]
        if not block:
            self.web_cmd.append("--no-block")
        self.web_cmd += list(web)
        self.api_cmd = [sys.executable, "-m", "crawler.devtools.devserver", "--port", "0", "--wiki", str(world.wiki),
                        "--log", str(self.api_log)]
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> "SimServers":
        for path in (self.log, self.api_log):
            path.unlink(missing_ok=True)
        try:
            web = self._start(self.web_cmd, "PORTS ")
            self.mirror = f"http://127.0.0.1:{web.split()[1]}"
            self.archive = f"http://127.0.0.1:{web.split()[2]}"
            self.api = f"http://127.0.0.1:{self._start(self.api_cmd, 'PORT ').split()[1]}/w/api.php"
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self, cmd: list[str], prefix: str) -> str:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.procs.append(proc)
        line = proc.stdout.readline()
        if not line.startswith(prefix):
            raise SystemExit(f"the simulated web did not start ({cmd[2]}): {line!r}")
        return line

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def entries(self) -> list[dict]:
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def api_requests(self) -> int:
        if not self.api_log.exists():
            return 0
        return sum(1 for line in self.api_log.read_text(encoding="utf-8").splitlines() if "api.php" in line)


@dataclass
class CrawlRun:
    wall: float  # measured seconds, launch → exit
    returncode: int
    output: str
    capped: bool
    peak_rss: int
    rss: list[tuple[float, int]]  # (seconds since launch, RSS of the tree)
    cpu_tree: float
    cpu_servers: float
    cpu_other: float  # CPU the rest of the machine used meanwhile
    entries: list[dict] = field(default_factory=list)
    api_requests: int = 0
    command: list[str] = field(default_factory=list)


def _stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM sources WHERE status != 'pending'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return -1


def run_crawl(world, work: Path, args: list[str], scale: float, cdx_per_minute: float, block: bool = True,
              max_seconds: float = 3600, progress: bool = True, web: list[str] = ()) -> CrawlRun:
    """Crawl ``world`` (fresh database and servers in ``work``) with the extra crawl ``args`` (simulated
    seconds)."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "archive.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    sent, _, _ = scaled_args(args, scale)
    with SimServers(world, work, scale, cdx_per_minute, block, web) as sim:
        cmd = [str(NEWSARCHIVE), "crawl", "--from", world.first.isoformat(), "--to", world.last.isoformat(),
               "--db", str(db), "--wiki-api", sim.api, "--wayback-url", sim.archive, "--quiet",
               "-s", f"NEWSARCHIVE_MIRROR={sim.mirror}", "-s", "NEWSARCHIVE_COMMONCRAWL_URL=",
               "-s", "NEWSARCHIVE_COMMONCRAWL_DATA_URL=", *sent]
        busy0, servers0 = machine_busy_seconds(), sim.cpu_seconds()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        sampler = TreeSampler(proc.pid)
        rss: list[tuple[float, int]] = []
        capped, last_print = False, 0.0
        try:
            while running_after(proc, 1.0):
                now = time.perf_counter() - t0
                rss.append((now, sampler.sample()))
                if progress and now - last_print >= 60:
                    last_print = now
                    print(f"    {now:6.0f} s  {max(0, _stored(db)):>6} sources stored  rss "
                          f"{sampler.peak_rss / 2**20:.0f} MiB peak", flush=True)
                if now > max_seconds and not capped:
                    capped = True
                    print(f"    stopped at the {max_seconds / 60:.0f} min cap (SIGINT)", flush=True)
                    proc.send_signal(signal.SIGINT)
                if capped and now > max_seconds + 60:
                    proc.kill()
        except BaseException:  # interrupted: the crawl goes too (its own children follow it)
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            raise
        wall = time.perf_counter() - t0
        output = proc.stdout.read()
        servers = sim.cpu_seconds() - servers0
        busy = machine_busy_seconds() - busy0
    return CrawlRun(wall, proc.returncode, output, capped, sampler.peak_rss, rss, sampler.cpu_total, servers,
                    max(0.0, busy - sampler.cpu_total - servers), sim.entries(), sim.api_requests(), cmd)
