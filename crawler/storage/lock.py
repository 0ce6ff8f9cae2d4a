"""One writer at a time per archive: an advisory lock file beside the database (released even on kill -9)."""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from pathlib import Path


class ArchiveBusy(Exception):
    """Another newsarchive command holds the archive."""


class ArchiveLock:
    """``with ArchiveLock(db_path, "crawl"):`` — raises ArchiveBusy at once when another run holds it."""

    def __init__(self, db_path: str | Path, command: str):
        self.path = Path(str(db_path) + ".lock")
        self.command = command
        self.fd: int | None = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            try:
                info = json.loads(holder)
                who = f"`{info['command']}` (pid {info['pid']}, since {info['since']})"
            except (ValueError, KeyError):
                who = "another newsarchive command"
            raise ArchiveBusy(f"{who} is writing this archive; wait for it or use another --db") from None
        os.ftruncate(fd, 0)
        info = {"command": self.command, "pid": os.getpid(),
                "since": datetime.now(timezone.utc).replace(microsecond=0).isoformat()}
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        return False
