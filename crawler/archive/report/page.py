"""The coverage report: one self-contained HTML page (pure: the aggregates of crawler.storage.report in, HTML out).

Charts are Vega-Lite specs (crawler.archive.report.charts) drawn by the inlined Vega bundle; tables sort on a
click (crawler/archive/report/data/report.js); the stylesheet has print rules. The page loads nothing from the network.
"""

from __future__ import annotations

import calendar
import html
import json
from datetime import date, datetime
from pathlib import Path

from crawler.archive.report import charts as charts

DATA = Path(__file__).resolve().parent / "data"
NO_PLACES = "no located entities yet (run entity resolution)"
LAG_EDGES = (-30, -8, 8, 30)  # buckets: < -30, -30…-8, each day -7…7, 8…30, > 30
PER_EVENT_TOP = 10  # events citing this many sources or more share one bar
OUTLETS_CHARTED = 25
TALL_TABLE = 15  # rows shown before a table scrolls

GUIDES = {
    "months": "Each bar is a month's events; the strip below counts the month's days whose page was missing, "
              "failed or never crawled — bars there are gaps in coverage.",
    "per_event": "How many sources each event cites: the 0 bar is events no source-based study can use.",
    "status": "Sources by the year they were first cited: green read live, blue recovered from a web archive, "
              "warm colours failed (by reason), grey not fetched yet.",
    "outlets": "The outlets cited most, split by what became of their citations; the table below holds the top "
               "outlets with their rates (click a header to sort).",
    "lag": "Days from the event to the article's publication date: bars left of 0 were published before the "
           "event day, far-off bars are suspect dates (often an update time).",
    "provenance": "Which step of the date cascade gave each readable article's publication date, coloured by its "
                  "confidence; '(none)' found no date.",
    "versions": "Sources per extractor version: stored pages of older versions are what `newsarchive reextract` "
                "would upgrade to the current one.",
    "map": "Each circle is a place — the first located entity of its events — sized by their number; hover "
           "for the place and count.",
    "runs": "The latest runs, newest first: range of work, counts and how each ended.",
}


def outcome(status: str, recovered_from: str | None) -> str:
    """A source's outcome label: ok, recovered: Wayback / Common Crawl, pending, or failed: <status>."""
    if status == "ok":
        return {"wayback": "recovered: Wayback", "commoncrawl": "recovered: Common Crawl"}.get(
            recovered_from or "", "ok" if not recovered_from else f"recovered: {recovered_from}")
    return "pending" if status == "pending" else f"failed: {status}"


def month_rows(months: list[dict], first: str | None, last: str | None) -> list[dict]:
    """Every month from ``first`` to ``last`` (ISO days) with events, days stored, missing, failed and days of
    the span that no stored day covers (``not_crawled``)."""
    if not first or not last:
        return []
    lo, hi = date.fromisoformat(first), date.fromisoformat(last)
    stored = {m["month"]: m for m in months}
    out, y, m = [], lo.year, lo.month
    while (y, m) <= (hi.year, hi.month):
        key = f"{y:04d}-{m:02d}"
        span = min(hi, date(y, m, calendar.monthrange(y, m)[1])) - max(lo, date(y, m, 1))
        row = stored.get(key, {})
        days = row.get("days", 0)
        out.append({"month": key, "events": row.get("events", 0), "days": days, "missing": row.get("missing", 0),
                    "failed": row.get("failed", 0), "not_crawled": max(0, span.days + 1 - days)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def per_event_rows(rows: list[dict]) -> list[dict]:
    """Events by sources cited, ``PER_EVENT_TOP`` and more in one bucket."""
    out: dict[str, int] = {}
    for r in rows:
        key = str(r["sources"]) if r["sources"] < PER_EVENT_TOP else f"{PER_EVENT_TOP}+"
        out[key] = out.get(key, 0) + r["events"]
    return [{"sources": k, "events": v} for k, v in out.items()]


def lag_label(lag: int | None) -> str:
    a, b, c, d = LAG_EDGES
    if lag is None:
        return "unreadable"
    if lag < a:
        return f"< {a}"
    if lag <= b:
        return f"{a}…{b}"
    if lag < c:
        return str(lag)
    return f"{c}…{d}" if lag <= d else f"> {d}"


def lag_rows(rows: list[dict]) -> list[dict]:
    """Sources per publication-lag bucket, in axis order (every bucket present)."""
    a, b, c, d = LAG_EDGES
    order = [f"< {a}", f"{a}…{b}", *map(str, range(b + 1, c)), f"{c}…{d}", f"> {d}", "unreadable"]
    counts = dict.fromkeys(order, 0)
    for r in rows:
        counts[lag_label(r["lag"])] += r["sources"]
    if not counts["unreadable"]:
        del counts["unreadable"]
    return [{"lag": k, "sources": v} for k, v in counts.items()]


def status_rows(rows: list[dict]) -> tuple[list[dict], list[str], list[dict]]:
    """(chart rows: year, outcome, sources, rank; outcomes in legend order; table rows: one per year)."""
    merged: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["year"] or "unknown", outcome(r["status"], r["recovered_from"]))
        merged[key] = merged.get(key, 0) + r["sources"]
    totals: dict[str, int] = {}
    for (_, o), n in merged.items():
        totals[o] = totals.get(o, 0) + n
    fixed = ["ok", "recovered: Wayback", "recovered: Common Crawl"]
    cats = [c for c in fixed if c in totals] + sorted(
        (c for c in totals if c not in fixed and c != "pending"), key=lambda c: (-totals[c], c))
    cats += ["pending"] if "pending" in totals else []
    chart = [{"year": y, "outcome": o, "sources": n, "rank": cats.index(o)} for (y, o), n in sorted(merged.items())]
    table = {}
    for (y, o), n in merged.items():
        table.setdefault(y, {"year": y, "total": 0})
        table[y][o] = n
        table[y]["total"] += n
    return chart, cats, [table[y] for y in sorted(table)]


def outlet_rows(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(chart rows for the top ``OUTLETS_CHARTED``; table rows with rates: readable = (ok + recovered) of fetched
    citations, recovered = recovered of those whose live fetch failed)."""
    chart, table = [], []
    for rank, r in enumerate(rows):
        name = r["outlet"] or "[bare URL]"
        fetched = r["citations"] - r["pending"]
        dead = r["recovered"] + r["failed"]
        table.append({**r, "outlet": name, "readable": (r["ok"] + r["recovered"]) / fetched if fetched else None,
                      "recovery": r["recovered"] / dead if dead else None})
        if rank < OUTLETS_CHARTED:
            chart += [{"outlet": name, "outcome": k, "citations": r[k], "rank": rank, "order": i}
                      for i, k in enumerate(("ok", "recovered", "failed", "pending")) if r[k]]
    return chart, table


def provenance_rows(rows: list[dict], buckets: list[str]) -> tuple[list[dict], list[str], list[str]]:
    """(chart rows: date_source, confidence bucket, sources, order; every bucket label with "none" first; the
    buckets present). ``buckets``: the confidence bucket labels, lowest first."""
    labels = ["none", *buckets]
    out = [{"date_source": r["date_source"] or "(none)", "confidence": r["confidence"] or "none",
            "sources": r["sources"], "order": labels.index(r["confidence"] or "none")} for r in rows]
    present = [b for b in labels if any(o["confidence"] == b for o in out)]
    return out, labels, present


def version_rows(rows: list[dict], current: str) -> tuple[list[dict], list[dict], int]:
    """(chart rows: version, kind, sources; table rows; sources ``reextract`` would upgrade)."""
    chart, table, upgrade = [], [], 0
    for r in rows:
        name = r["version"] or "(none)"
        is_current = r["version"] == current
        older = 0 if is_current else r["stored"]
        upgrade += older
        table.append({"version": name, "current": "yes" if is_current else "", "sources": r["sources"],
                      "stored": r["stored"], "upgrade": older})
        for kind, n in (("current version" if is_current else "older: reextract upgrades", r["stored"]),
                        ("no stored page", r["sources"] - r["stored"])):
            if n:
                chart.append({"version": name, "kind": kind, "sources": n})
    return chart, table, upgrade


def duration(start: str | None, end: str | None) -> str:
    if not start or not end:
        return ""
    try:
        secs = int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())
    except ValueError:
        return ""
    h, rest = divmod(max(0, secs), 3600)
    return f"{h} h {rest // 60:02d} min" if h else f"{rest // 60} min {rest % 60:02d} s" if rest >= 60 else f"{rest} s"


# --- HTML -------------------------------------------------------------------------------------------------------

def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "n":
        return f"{value:,}"
    if kind == "p":
        return f"{100 * value:.1f} %"
    if kind == "ts":  # ISO time → "YYYY-MM-DD HH:MM:SS" (UTC as stored)
        return str(value).replace("T", " ")[:19]
    return str(value)


def table(columns: list[tuple[str, str, str]], rows: list[dict], *, caption: str = "", row_key: str = "") -> str:
    """A sortable table. ``columns``: (key, header, kind) with kind n (count), p (share 0…1), ts (ISO time) or
    t (text); each cell keeps its raw value in data-v for sorting and checks."""
    head = "".join(f'<th scope="col" class="{k}" tabindex="0">{_e(h)}</th>' for _, h, k in columns)
    body = []
    for r in rows:
        attr = f' data-row="{_e(r[row_key])}"' if row_key else ""
        cells = "".join(f'<td class="{k}" data-k="{_e(c)}" data-v="{_e(r.get(c))}">{_e(_fmt(r.get(c), k))}</td>'
                        for c, _, k in columns)
        body.append(f"<tr{attr}>{cells}</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    tall = " tall" if len(rows) > TALL_TABLE else ""  # scrolls on screen (header kept), printed whole
    return (f'<div class="table-wrap{tall}"><table class="sortable">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


class Page:
    """Collects the sections and the chart specs of one report."""

    def __init__(self):
        self.parts: list[str] = []
        self.specs: list[dict] = []

    def chart(self, spec: dict) -> str:
        self.specs.append(spec)
        n = len(self.specs)
        title = spec.get("title") or next((s["title"] for s in spec.get("vconcat", []) if s.get("title")), "")
        label = title.get("text", "") if isinstance(title, dict) else title
        return f'<div class="chart" id="chart-{n}" data-spec="spec-{n}" role="img" aria-label="{_e(label)}"></div>'

    def section(self, key: str, title: str, *body: str) -> None:
        self.parts.append(f'<section id="{key}"><h2>{_e(title)}</h2><p class="guide">{_e(GUIDES[key])}</p>'
                          + "".join(body) + "</section>")

    def spec_scripts(self) -> str:
        return "".join(f'<script type="application/json" id="spec-{i}">'
                       f'{json.dumps(s, ensure_ascii=False).replace("<", chr(92) + "u003c")}</script>'
                       for i, s in enumerate(self.specs, 1))


def _empty(text: str) -> str:
    return f'<p class="empty">{_e(text)}</p>'


def summary(ov: dict) -> str:
    """The headline counts (keys as in ``newsarchive status --json``) as a definition table."""
    rows = [("days", "days stored", ov["days"]), ("first_day", "first day", ov["first_day"]),
            ("last_day", "last day", ov["last_day"])]
    rows += [(f"days_by_status.{k}", f"days {k}", v) for k, v in ov["days_by_status"].items()]
    rows += [(k, k.replace("_", " "), ov[k]) for k in ("events", "entities", "sources", "event_sources")]
    rows += [(f"sources_by_status.{k}", f"sources {k}", v) for k, v in ov["sources_by_status"].items()]
    rows += [(f"sources_recovered.{k}", f"recovered from {k}", v) for k, v in ov["sources_recovered"].items()]
    cells = "".join(f'<tr><th scope="row">{_e(label)}</th><td data-key="{_e(key)}" data-v="{_e(v)}">'
                    f'{_e(_fmt(v, "n" if isinstance(v, int) else "t"))}</td></tr>' for key, label, v in rows)
    return f'<table class="summary"><tbody>{cells}</tbody></table>'


def build_page(data: dict, *, vega_js: str, land: dict, current_version: str, meta: dict) -> str:
    """The whole report page. ``data``: crawler.storage.report.collect(); ``meta``: database, generated (UTC
    time), software version; ``vega_js``: the Vega bundle to inline; ``land``: the world outline (TopoJSON)."""
    ov, rng, page = data["overview"], data["range"], Page()
    months = month_rows(data["months"], rng["start"] or ov["first_day"], rng["end"] or ov["last_day"])
    page.section("months", "Events per month", page.chart(charts.months_chart(months)) if months else
                 _empty("no days stored yet"), table(
        [("day", "day", "t"), ("status", "status", "t"), ("error", "error", "t")], data["days_not_ok"],
        caption="Days not stored ok" + (" (first 500)" if len(data["days_not_ok"]) >= 500 else ""))
                 if data["days_not_ok"] else "")
    per_event = per_event_rows(data["sources_per_event"])
    page.section("per_event", "Sources per event", page.chart(charts.bars(
        per_event, "sources", "events", title="Sources cited per event", x_title="sources cited",
        y_title="events", sort=[r["sources"] for r in per_event])) if per_event else _empty("no events yet"))
    chart, cats, years = status_rows(data["status_by_year"])
    recovered = table([("recovered_from", "archive", "t"), ("failure_status", "live failure", "t"),
                       ("sources", "sources", "n")], data["recovered"], caption="Recovered sources by live failure")
    page.section("status", "Source status by year", page.chart(charts.status_by_year_chart(chart, cats))
                 if chart else _empty("no sources yet"),
                 table([("year", "year", "t"), ("total", "sources", "n")] + [(c, c, "n") for c in cats], years,
                       caption="Sources by year of first citation and outcome") if years else "",
                 recovered if data["recovered"] else "")
    chart, outlets = outlet_rows(data["outlets"])
    page.section("outlets", "Top outlets", page.chart(charts.outlets_chart(chart)) if chart else
                 _empty("no citations yet"), table(
        [("outlet", "outlet", "t"), ("citations", "citations", "n"), ("sources", "sources", "n"),
         ("ok", "ok live", "n"), ("recovered", "recovered", "n"), ("failed", "failed", "n"),
         ("pending", "pending", "n"), ("readable", "readable", "p"), ("recovery", "recovered of dead", "p")],
        outlets, caption=f"Top {len(outlets)} outlets by citations") if outlets else "")
    lags = lag_rows(data["lag"])
    near = sum(r["sources"] for r in lags if r["lag"] in ("-1", "0", "1"))
    total = sum(r["sources"] for r in lags)
    page.section("lag", "Publication date minus event day", page.chart(charts.bars(
        lags, "lag", "sources", title="Publication day minus event day", x_title="days (publication − event)",
        y_title="sources", sort=[r["lag"] for r in lags])) + f'<p class="note">{near:,} of {total:,} dated '
        f'sources ({100 * near / total:.1f} %) were published within a day of their event.</p>'
        if total else _empty("no dated sources yet"))
    prov, labels, present = provenance_rows(data["provenance"], data["confidence_buckets"])
    page.section("provenance", "Date provenance and confidence",
                 page.chart(charts.provenance_chart(prov, labels, present)) if prov else _empty("no readable sources yet"),
                 table([("date_source", "date source", "t"), ("confidence", "confidence", "t"),
                        ("sources", "sources", "n")], prov, caption="Readable sources by date source and confidence")
                 if prov else "")
    chart, versions, upgrade = version_rows(data["versions"], current_version)
    page.section("versions", "Extraction versions", page.chart(charts.versions_chart(chart)) if chart else
                 _empty("no extracted sources yet"), f'<p class="note">Current version: <code>{_e(current_version)}'
                 f'</code>; <code>newsarchive reextract</code> would upgrade <strong data-key="reextract_upgrades">'
                 f'{upgrade:,}</strong> stored pages.</p>', table(
        [("version", "version", "t"), ("current", "current", "t"), ("sources", "sources", "n"),
         ("stored", "stored pages", "n"), ("upgrade", "to upgrade", "n")], versions) if versions else "")
    loc = data["locations"]
    if loc and loc["places"]:
        shown = len(loc["places"])
        page.section("map", "Where events happen", page.chart(charts.map_chart(loc["places"], land)),
                     f'<p class="note">{loc["events"]:,} events placed at {loc["place_count"]:,} places'
                     + (f"; the {shown:,} busiest are drawn" if shown < loc["place_count"] else "") + ".</p>",
                     table([("title", "place", "t"), ("events", "events", "n"), ("lat", "latitude", "t"),
                            ("lon", "longitude", "t")], [{**p, "lat": round(p["lat"], 2), "lon": round(p["lon"], 2)}
                                                         for p in loc["places"][:100]], caption="Busiest places"))
    else:
        page.section("map", "Where events happen", _empty(NO_PLACES))
    runs = [{**r, "duration": duration(r["started_at"], r["finished_at"])} for r in data["runs"]]
    page.section("runs", "Last runs", table(
        [("id", "run", "n"), ("command", "command", "t"), ("started_at", "started (UTC)", "ts"),
         ("duration", "duration", "t"), ("days", "days", "n"), ("days_missing", "missing", "n"),
         ("days_failed", "failed", "n"), ("events", "events", "n"), ("sources_fetched", "sources fetched", "n"),
         ("sources_ok", "ok", "n"), ("sources_failed", "failed", "n"), ("finish_reason", "finish reason", "t")],
        runs, row_key="id") if runs else _empty("no runs recorded"))
    span = f"{rng['start'] or '…'} to {rng['end'] or '…'}" if rng["start"] or rng["end"] else "whole archive"
    title = "newsarchive report: " + (f"{ov['first_day']} – {ov['last_day']}" if ov["days"] else "empty archive")
    vega_js = vega_js.replace("</script", "<\\/script")  # inlined: a literal end tag would close the element
    css = (DATA / "report.css").read_text(encoding="utf-8")
    js = (DATA / "report.js").read_text(encoding="utf-8")
    nav = "".join(f'<a href="#{k}">{t}</a>' for k, t in (
        ("months", "months"), ("per_event", "sources per event"), ("status", "status"), ("outlets", "outlets"),
        ("lag", "dates"), ("provenance", "provenance"), ("versions", "versions"), ("map", "map"), ("runs", "runs")))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{css}</style></head><body><header><h1>{_e(title)}</h1>"
            f'<p class="meta">{_e(meta.get("database"))} · {_e(span)} · generated {_e(meta.get("generated"))} '
            f'by newsarchive {_e(meta.get("software"))}</p><nav>{nav}</nav>{summary(ov)}</header>'
            f'<main>{"".join(page.parts)}</main>{page.spec_scripts()}'
            f"<script>{vega_js}</script><script>{js}</script></body></html>")


def write_report(database, out: str | Path, first: date | None = None, last: date | None = None, *,
                 label: str = "") -> dict:
    """Query the archive (crawler.storage.report), build the page and write it to ``out``; returns the
    aggregates. Raises report_charts.MissingLibrary without the plotting extra."""
    from datetime import UTC, datetime

    from crawler import __version__
    from crawler.archive.report import charts as report_charts
    from crawler.archive.report.page import build_page
    from crawler.extract.article import EXTRACTOR_VERSION
    from crawler.storage.report import collect

    report_charts.check_available()
    data = collect(database, first and first.isoformat(), last and last.isoformat())
    page = build_page(data, vega_js=report_charts.javascript_bundle(), land=report_charts.land(),
                      current_version=EXTRACTOR_VERSION,
                      meta={"database": label, "software": __version__,
                            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")})
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return data
