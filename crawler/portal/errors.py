"""The error raised when a Current events day page cannot be read."""

from __future__ import annotations

from datetime import date


class PortalParseError(ValueError):
    """Unreadable day page: carries the day (if known) and the 1-based line in the page (if known)."""

    def __init__(self, message: str, day: date | None = None, line: int | None = None):
        self.message = message
        self.day = day
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.day.isoformat() if self.day else "unknown day"
        if self.line is not None:
            where += f" line {self.line}"
        return f"{where}: {self.message}"


class MarkupError(ValueError):
    """Unreadable markup inside one bullet (no position yet: the page parser adds day and line)."""
