"""The report's charts as Vega-Lite specs, built with Vega-Altair (pure: plain rows in, spec dicts out).

Every chart has a title and titled axes; its data is inlined in the spec, so the page needs no network. The
world outline is Natural Earth's 1:110m land (world-atlas 2.0.2, crawler/archive/report/data/land-110m.json).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

LAND = Path(__file__).resolve().parent / "data" / "land-110m.json"
WIDTH = 680  # fits a laptop column and an A4 page
GOOD, ARCHIVE, ARCHIVE2, PENDING = "#4c9a5a", "#4c78a8", "#9ecae9", "#bab0ac"
CONFIDENCE_COLORS = ["#d9d9d9", "#fdae6b", "#c6dbef", "#6baed6", "#08519c"]  # none, then low → high
FAILED = ["#e45756", "#f58518", "#b279a2", "#d6616b", "#ff9da6", "#9d755d", "#eeca3b", "#8c6d31", "#e7969c",
          "#ad494a", "#843c39", "#d62728", "#ff7f0e", "#bcbd22"]


class MissingLibrary(ImportError):
    """The plotting extra is not installed."""


INSTALL_HINT = "the report needs its plotting libraries: pip install -e '.[report]' (Vega-Altair, vl-convert)"


def _alt():
    try:
        import altair as alt
    except ImportError:
        raise MissingLibrary(INSTALL_HINT) from None
    return alt


def check_available() -> None:
    """Raise MissingLibrary (with the install line) unless Altair and vl-convert import."""
    _alt()
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        raise MissingLibrary(INSTALL_HINT) from None


@lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script (from vl-convert: no CDN)."""
    check_available()
    import vl_convert

    return vl_convert.javascript_bundle()


def count_axis(rows: list[dict], key: str, value: str) -> dict:
    """A count axis with whole-number ticks only: the values 0…max listed when the largest stack (sum of
    ``value`` per ``key``) is small, where Vega would put ticks at halves."""
    totals: dict = {}
    for r in rows:
        totals[r[key]] = totals.get(r[key], 0) + r[value]
    top = max(totals.values(), default=0)
    return {"values": list(range(top + 1)), "format": "d"} if top <= 8 else {"format": ",d", "tickMinStep": 1}


def land() -> dict:
    return json.loads(LAND.read_text(encoding="utf-8"))


def months_chart(rows: list[dict]) -> dict:
    """Events per month over a strip of the month's days that are not stored ok. ``rows``: month (YYYY-MM),
    events, days, missing, failed, not_crawled."""
    alt = _alt()
    values = [{**r, "date": r["month"] + "-01"} for r in rows]
    base = alt.Chart(alt.Data(values=values))
    axis = alt.Axis(format="%Y", labelAngle=0) if len(values) > 24 else alt.Axis(format="%b %Y", labelAngle=0,
                                                                                 tickCount="month")
    x = alt.X("utcyearmonth(date):T", title="month", axis=axis)
    tip = [alt.Tooltip("utcyearmonth(date):T", title="month", format="%B %Y"),
           alt.Tooltip("events:Q", format=","), alt.Tooltip("days:Q", title="days stored"),
           alt.Tooltip("missing:Q", title="days missing"), alt.Tooltip("failed:Q", title="days failed"),
           alt.Tooltip("not_crawled:Q", title="days not crawled")]
    y = alt.Y("events:Q", title="events", axis=count_axis(values, "month", "events"))
    top = base.mark_bar(color=ARCHIVE).encode(x=x, y=y, tooltip=tip).properties(
        width=WIDTH, height=200, title="Events per month")
    gaps = [{"date": r["date"], "kind": kind, "days": r[key]} for r in values
            for kind, key in (("missing", "missing"), ("failed", "failed"), ("not crawled", "not_crawled"))
            if r[key]]
    strip = alt.Chart(alt.Data(values=gaps or [{"date": values[0]["date"] if values else "2000-01-01",
                                                 "kind": "missing", "days": 0}])).mark_bar().encode(
        x=x, y=alt.Y("sum(days):Q", title="days not ok", axis=count_axis(gaps, "date", "days")),
        color=alt.Color("kind:N", title="day", scale=alt.Scale(domain=["missing", "failed", "not crawled"],
                                                                range=["#f58518", "#e45756", PENDING])),
        tooltip=[alt.Tooltip("utcyearmonth(date):T", title="month", format="%B %Y"), "kind:N", "days:Q"],
    ).properties(width=WIDTH, height=70)
    return alt.vconcat(top, strip).resolve_scale(x="shared").to_dict()


def bars(rows: list[dict], x: str, y: str, *, title: str, x_title: str, y_title: str, color: str = ARCHIVE,
         sort: list | None = None, height: int = 220) -> dict:
    """A plain bar chart of ``rows`` (x ordinal in the given order, y a count)."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar(color=color).encode(
        x=alt.X(f"{x}:O", title=x_title, sort=sort or None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=count_axis(rows, x, y)),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=",")],
    ).properties(width=WIDTH, height=height, title=title).to_dict()


def status_colors(categories: list[str]) -> list[str]:
    """A colour per outcome, in the given order: ok green, archives blue, pending grey, each failure its own
    warm colour."""
    fixed = {"ok": GOOD, "recovered: Wayback": ARCHIVE, "recovered: Common Crawl": ARCHIVE2,
             "pending": PENDING}
    failures = [c for c in categories if c not in fixed]
    return [fixed.get(c) or FAILED[failures.index(c) % len(FAILED)] for c in categories]


def status_by_year_chart(rows: list[dict], categories: list[str]) -> dict:
    """Stacked sources per year by outcome. ``rows``: year, outcome, sources."""
    alt = _alt()
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("year:O", title="year of first citation", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(sources):Q", title="sources", axis=count_axis(rows, "year", "sources")),
        color=alt.Color("outcome:N", title="outcome", scale=alt.Scale(domain=categories,
                                                                      range=status_colors(categories))),
        order=alt.Order("rank:Q"),
        tooltip=["year:O", "outcome:N", alt.Tooltip("sum(sources):Q", title="sources", format=",")],
    ).properties(width=WIDTH - 150, height=260, title="Sources by year and outcome").to_dict()


def outlets_chart(rows: list[dict]) -> dict:
    """The top outlets' citations stacked by outcome. ``rows``: outlet, outcome, citations, rank."""
    alt = _alt()
    domain = ["ok", "recovered", "failed", "pending"]
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("outlet:N", title="outlet (as cited)", sort=alt.EncodingSortField("rank", op="min")),
        x=alt.X("sum(citations):Q", title="citations", axis=count_axis(rows, "outlet", "citations")),
        color=alt.Color("outcome:N", title="outcome", scale=alt.Scale(
            domain=domain, range=[GOOD, ARCHIVE, FAILED[0], PENDING])),
        order=alt.Order("order:Q"),
        tooltip=["outlet:N", "outcome:N", alt.Tooltip("sum(citations):Q", title="citations", format=",")],
    ).properties(width=WIDTH - 250, height=alt.Step(14), title="Top outlets by citations").to_dict()


def provenance_chart(rows: list[dict], buckets: list[str], present: list[str]) -> dict:
    """Sources by date source, stacked by confidence bucket. ``rows``: date_source, confidence, sources;
    ``buckets``: every bucket label, lowest first ("none" first); ``present``: those in ``rows``."""
    alt = _alt()
    palette = dict(zip(buckets, CONFIDENCE_COLORS[-len(buckets):]))
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("date_source:N", title="date source", sort="-x"),
        x=alt.X("sum(sources):Q", title="ok sources", axis=count_axis(rows, "date_source", "sources")),
        color=alt.Color("confidence:N", title="confidence", scale=alt.Scale(
            domain=present, range=[palette[b] for b in present])),
        order=alt.Order("order:Q"),
        tooltip=["date_source:N", "confidence:N", alt.Tooltip("sum(sources):Q", title="sources", format=",")],
    ).properties(width=WIDTH - 250, height=alt.Step(18), title="Where publication dates come from").to_dict()


def versions_chart(rows: list[dict]) -> dict:
    """Sources per extractor version by what ``reextract`` would do. ``rows``: version, kind, sources."""
    alt = _alt()
    domain = ["current version", "older: reextract upgrades", "no stored page"]
    return alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("version:N", title="extractor version"),
        x=alt.X("sum(sources):Q", title="sources", axis=count_axis(rows, "version", "sources")),
        color=alt.Color("kind:N", title="", scale=alt.Scale(domain=domain, range=[GOOD, "#f58518", PENDING])),
        tooltip=["version:N", "kind:N", alt.Tooltip("sum(sources):Q", title="sources", format=",")],
    ).properties(width=WIDTH - 250, height=alt.Step(22), title="Extractor versions in the archive").to_dict()


def map_chart(places: list[dict], outline: dict) -> dict:
    """Places (title, lat, lon, events) as circles sized by events over the land outline (Equal Earth)."""
    alt = _alt()
    land_layer = alt.Chart(alt.Data(values=outline, format=alt.DataFormat(type="topojson", feature="land"))) \
        .mark_geoshape(fill="#e6e6e6", stroke="#b5b5b5", strokeWidth=0.5)
    points = alt.Chart(alt.Data(values=places)).mark_circle(color="#d6616b", opacity=0.6, stroke="#843c39",
                                                             strokeWidth=0.4).encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("events:Q", title="events", scale=alt.Scale(range=[8, 600]),
                      legend=alt.Legend(tickMinStep=1, format=",d")),
        tooltip=[alt.Tooltip("title:N", title="place"), alt.Tooltip("events:Q", format=",")])
    return alt.layer(land_layer, points).project("equalEarth").properties(
        width=WIDTH, height=360,
        title="Events by place (longitude × latitude, Equal Earth projection)").to_dict()
