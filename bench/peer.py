"""(c) The peer: trafilatura's own CLI downloading and extracting the same pages from the mirror.

``trafilatura -i urls.txt --parallel N --with-metadata --output-format json -o DIR --config-file bench.cfg``:
downloads run in N threads, extraction (text + metadata + htmldate's date) in the main process. Its config is
the default one with politeness and the SSRF guard off, as for our crawl: ``SLEEP_TIME = 0`` (default 5 s between
requests to one host — every mirror URL is on 127.0.0.1) and ``SSRF_PROTECTION = off`` (it refuses loopback).
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import TreeSampler, machine_busy_seconds, running_after

TRAFILATURA = Path(sys.executable).with_name("trafilatura")


@dataclass
class PeerResult:
    urls: int
    outputs: int  # documents written (pages trafilatura found an article in)
    parallel: int
    wall: float
    cpu: float
    cpu_mirror: float
    cpu_others: float
    fetched: int  # page requests the mirror answered
    returncode: int
    stderr_tail: str

    @property
    def pages_per_s(self) -> float:
        return self.urls / self.wall if self.wall else 0.0


def write_config(path: Path) -> Path:
    import trafilatura

    cfg = configparser.ConfigParser()
    cfg.read(Path(trafilatura.__file__).with_name("settings.cfg"))
    cfg["DEFAULT"]["SLEEP_TIME"] = "0"
    cfg["DEFAULT"]["SSRF_PROTECTION"] = "off"
    with open(path, "w", encoding="utf-8") as fh:
        cfg.write(fh)
    return path


def run_peer(urls: list[str], work: Path, mirror, parallel: int) -> PeerResult:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "trafilatura-out"
    shutil.rmtree(out, ignore_errors=True)
    url_file = work / "urls.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    cfg = write_config(work / "trafilatura.cfg")
    cmd = [str(TRAFILATURA), "-i", str(url_file), "--parallel", str(parallel), "--with-metadata",
           "--output-format", "json", "-o", str(out), "--config-file", str(cfg)]
    mark = mirror.mark()
    busy0, mirror0 = machine_busy_seconds(), mirror.cpu_seconds()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.sample()
    while running_after(proc, 0.5):
        sampler.sample()
    wall = time.perf_counter() - t0
    err = proc.stderr.read()
    mirror_cpu = mirror.cpu_seconds() - mirror0
    busy = machine_busy_seconds() - busy0
    fetched = sum(1 for e in mirror.requests(mark) if e.get("path", "").startswith("/mirror/"))
    outputs = sum(1 for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    return PeerResult(len(urls), outputs, parallel, wall, sampler.cpu_total, mirror_cpu,
                      max(0.0, busy - sampler.cpu_total - mirror_cpu), fetched, proc.returncode,
                      "\n".join(err.strip().splitlines()[-3:]))
