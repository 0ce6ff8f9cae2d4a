"""Terminal output with rich: the crawl progress bar and the status tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from crawler.items import DayPage, SourceFetch


class CrawlProgress:
    """Days done / total with events and sources counters and an ETA (only on a terminal)."""

    def __init__(self, total_days: int, enabled: bool = True):
        self.enabled = enabled
        self.total = total_days
        self.events = 0
        self.sources = 0
        self.first_error: str | None = None
        self._progress = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            self._progress = Progress(
                TextColumn("[bold]days"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[events]} events · {task.fields[sources]} sources"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=False)
            self._progress.start()
            self._task = self._progress.add_task("crawl", total=self.total, events=0, sources=0)
        return self

    def __exit__(self, *exc):
        if self._progress:
            self._progress.stop()
        return False

    def on_item(self, item) -> None:
        if isinstance(item, DayPage):
            self.events += len(item.events)
            if item.error and self.first_error is None:
                self.first_error = item.error
            if self._progress:
                self._progress.update(self._task, advance=1, events=self.events)
        elif isinstance(item, SourceFetch):
            self.sources += 1
            if self._progress:
                self._progress.update(self._task, sources=self.sources)


def print_status(summary: dict, db_path: str) -> None:
    """Human-readable ``newsarchive status``."""
    console = Console()
    console.print(f"[bold]{db_path}[/bold]: {summary['days']} days "
                  f"({summary['first_day'] or '–'} … {summary['last_day'] or '–'}), "
                  f"{summary['events']} events, {summary['entities']} entities, "
                  f"{summary['sources']} sources ({summary['event_sources']} citations)")
    if summary["days_by_status"]:
        console.print("days by status: " + ", ".join(f"{k} {v}" for k, v in summary["days_by_status"].items()))
    if summary["days_by_year"]:
        t = Table("year", "days", "events", title="coverage")
        for year, row in summary["days_by_year"].items():
            t.add_row(year, str(row["days"]), str(row["events"] or 0))
        console.print(t)
    ent = summary.get("entity_resolution")
    if ent and ent["total"]:
        t = Table("resolved", "red links", "unresolved", "with QID", "located", title="entities")
        t.add_row(*(str(ent[k]) for k in ("resolved", "missing", "unresolved", "with_qid", "located")))
        console.print(t)
        failed = {k: v for k, v in ent["by_status"].items() if k not in ("ok", "missing")}
        if failed:
            console.print("entity resolution problems: " + ", ".join(f"{k} {v}" for k, v in failed.items()))
    wikidata = (summary.get("wikidata") or {}).get("items_by_status")
    if wikidata:
        console.print("Wikidata items: " + ", ".join(f"{k} {v}" for k, v in wikidata.items()) +
                      f"; with types: {summary['wikidata']['typed']}")
    if summary["sources_by_status"]:
        t = Table("status", "sources", title="sources")
        for k, v in summary["sources_by_status"].items():
            t.add_row(k, str(v))
        console.print(t)
    if summary.get("sources_recovered"):
        console.print("recovered from web archives: " +
                      ", ".join(f"{k} {v}" for k, v in summary["sources_recovered"].items()))
    if summary["last_runs"]:
        t = Table("run", "command", "started", "finished", "reason", "days", "events", "src ok", "src failed",
                  title="last runs")
        for r in summary["last_runs"]:
            t.add_row(str(r["id"]), r["command"], r["started_at"], r["finished_at"] or "–",
                      r["finish_reason"] or "running?", str(r["days"]), str(r["events"]),
                      str(r["sources_ok"]), str(r["sources_failed"]))
        console.print(t)
