"""The plotting-library comparison behind `newsarchive report`: one page of six charts per candidate.

Each candidate draws the same synthetic aggregates (fixed seed): 264 monthly bars, a 12-bucket histogram, a
stacked bar of 22 years x 8 statuses, the top 25 outlets, a 63-bucket lag histogram and a world map (Natural
Earth 1:110m land + 1,500 sized points) into one self-contained HTML file, with its JavaScript inlined.

    python bench/report_libs.py --lib altair|bokeh|plotly|matplotlib --out DIR [--land crawler/archive/report/data/land-110m.json]
    .venv/bin/python bench/report_libs.py --check DIR/*.html

Run the first once per candidate, each from a virtualenv that has only that library (bench/results.md lists the
commands); it prints one JSON line: page bytes, gzip bytes, CPU seconds (imports included), peak RSS and the
http(s) URLs in src=/href= attributes. `--check` (the project's venv: Playwright and Debian's chromium) opens
each page with every request leaving the file refused and prints the requests tried, the console errors and the
SVG/canvas elements drawn (shadow roots included).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

LAND = Path(__file__).resolve().parents[1] / "crawler" / "archive" / "data" / "land-110m.json"
STATUSES = ["ok", "wayback", "commoncrawl", "http_error", "timeout", "dns_error", "soft_404", "pending"]


def data(seed: int = 23) -> dict:
    rnd = random.Random(seed)
    months = [f"{y}-{m:02d}" for y in range(2004, 2026) for m in range(1, 13)]
    return {
        "months": [{"month": m, "events": rnd.randint(200, 900), "missing": rnd.choice([0] * 9 + [1, 2])}
                   for m in months],
        "per_event": [{"sources": i, "events": int(40000 * 0.55 ** i)} for i in range(12)],
        "status_year": [{"year": str(y), "status": s, "sources": rnd.randint(10, 6000)}
                        for y in range(2004, 2026) for s in STATUSES],
        "outlets": [{"outlet": f"Outlet {i}", "citations": int(9000 / (i + 1)), "ok": rnd.random()}
                    for i in range(25)],
        "lag": [{"lag": d, "sources": int(30000 * 0.7 ** abs(d - 1))} for d in range(-31, 32)],
        "points": [{"lon": rnd.uniform(-170, 170), "lat": rnd.uniform(-55, 70), "events": rnd.randint(1, 500),
                    "name": f"Place {i}"} for i in range(1500)],
    }


def topo_rings(topo: dict) -> list[list[tuple[float, float]]]:
    """Decode a quantised TopoJSON's polygons into lon/lat rings (for the libraries that cannot read it)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    rings = []
    for geom in topo["objects"]["land"]["geometries"]:
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for poly in polys:
            for ring in poly:
                pts = []
                for i in ring:
                    seg = arcs[i] if i >= 0 else arcs[~i][::-1]
                    pts.extend(seg if not pts else seg[1:])
                rings.append(pts)
    return rings


def build_altair(d: dict, topo: dict) -> str:
    import altair as alt
    import vl_convert as vlc

    charts = [
        alt.Chart(alt.Data(values=d["months"])).mark_bar().encode(x="yearmonth(month):T", y="events:Q"),
        alt.Chart(alt.Data(values=d["per_event"])).mark_bar().encode(x="sources:O", y="events:Q"),
        alt.Chart(alt.Data(values=d["status_year"])).mark_bar().encode(x="year:O", y="sources:Q", color="status:N"),
        alt.Chart(alt.Data(values=d["outlets"])).mark_bar().encode(y=alt.Y("outlet:N", sort="-x"), x="citations:Q"),
        alt.Chart(alt.Data(values=d["lag"])).mark_bar().encode(x="lag:O", y="sources:Q"),
        alt.layer(
            alt.Chart(alt.Data(values=topo, format=alt.DataFormat(type="topojson", feature="land")))
            .mark_geoshape(fill="#ddd"),
            alt.Chart(alt.Data(values=d["points"])).mark_circle().encode(
                longitude="lon:Q", latitude="lat:Q", size="events:Q", tooltip=["name:N", "events:Q"]),
        ).project("equalEarth"),
    ]
    embeds = "".join(f"vegaEmbed('#c{i}', {json.dumps(c.to_dict())}, {{renderer: 'svg', actions: false}});"
                     for i, c in enumerate(charts))
    divs = "".join(f'<div id="c{i}"></div>' for i in range(len(charts)))
    return (f"<!doctype html><html><head><meta charset=utf-8><script>{vlc.javascript_bundle()}</script></head>"
            f"<body>{divs}<script>{embeds}</script></body></html>")


def build_bokeh(d: dict, topo: dict) -> str:
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.models import HoverTool
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    months = [r["month"] for r in d["months"]]
    f1 = figure(x_range=months, height=250, width=900)
    f1.vbar(x=months, top=[r["events"] for r in d["months"]], width=0.8)
    f2 = figure(height=250, width=500)
    f2.vbar(x=[r["sources"] for r in d["per_event"]], top=[r["events"] for r in d["per_event"]], width=0.8)
    years = sorted({r["year"] for r in d["status_year"]})
    table = {"year": years} | {s: [next(r["sources"] for r in d["status_year"] if r["year"] == y and
                                        r["status"] == s) for y in years] for s in STATUSES}
    f3 = figure(x_range=years, height=300, width=900)
    palette = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6"]
    f3.vbar_stack(STATUSES, x="year", source=table, width=0.8, color=palette)
    outlets = [r["outlet"] for r in d["outlets"]][::-1]
    f4 = figure(y_range=outlets, height=500, width=600)
    f4.hbar(y=outlets, right=[r["citations"] for r in d["outlets"]][::-1], height=0.8)
    f5 = figure(height=250, width=900)
    f5.vbar(x=[r["lag"] for r in d["lag"]], top=[r["sources"] for r in d["lag"]], width=0.8)
    f6 = figure(height=450, width=900, x_range=(-180, 180), y_range=(-60, 85))
    rings = topo_rings(topo)
    f6.patches([[p[0] for p in r] for r in rings], [[p[1] for p in r] for r in rings], color="#ddd")
    pts = d["points"]
    f6.scatter([p["lon"] for p in pts], [p["lat"] for p in pts], size=[3 + p["events"] ** 0.5 / 2 for p in pts])
    f6.add_tools(HoverTool())
    return file_html(column(f1, f2, f3, f4, f5, f6), INLINE, "bench")


def build_plotly(d: dict, topo: dict) -> str:
    import plotly.graph_objects as go

    figs = [
        go.Figure(go.Bar(x=[r["month"] for r in d["months"]], y=[r["events"] for r in d["months"]])),
        go.Figure(go.Bar(x=[r["sources"] for r in d["per_event"]], y=[r["events"] for r in d["per_event"]])),
        go.Figure([go.Bar(name=s, x=[r["year"] for r in d["status_year"] if r["status"] == s],
                          y=[r["sources"] for r in d["status_year"] if r["status"] == s]) for s in STATUSES],
                  layout={"barmode": "stack"}),
        go.Figure(go.Bar(orientation="h", y=[r["outlet"] for r in d["outlets"]],
                         x=[r["citations"] for r in d["outlets"]])),
        go.Figure(go.Bar(x=[r["lag"] for r in d["lag"]], y=[r["sources"] for r in d["lag"]])),
    ]
    lon, lat = [], []
    for ring in topo_rings(topo):
        lon += [p[0] for p in ring] + [None]
        lat += [p[1] for p in ring] + [None]
    pts = d["points"]
    figs.append(go.Figure([
        go.Scattergeo(lon=lon, lat=lat, mode="lines", fill="toself", line={"width": 0.5}),
        go.Scattergeo(lon=[p["lon"] for p in pts], lat=[p["lat"] for p in pts], text=[p["name"] for p in pts],
                      marker={"size": [3 + p["events"] ** 0.5 / 2 for p in pts]}, mode="markers")],
        layout={"geo": {"showland": False, "showcoastlines": False, "projection": {"type": "equal earth"}}}))
    parts = [f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figs)]
    return "<!doctype html><html><head><meta charset=utf-8></head><body>" + "".join(parts) + "</body></html>"


def build_matplotlib(d: dict, topo: dict) -> str:
    import io

    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    svgs = []

    def emit(fig):
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        plt.close(fig)
        svgs.append(buf.getvalue().split("?>", 1)[-1])

    fig, ax = plt.subplots(figsize=(10, 3))
    ax.bar(range(len(d["months"])), [r["events"] for r in d["months"]])
    emit(fig)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar([r["sources"] for r in d["per_event"]], [r["events"] for r in d["per_event"]])
    emit(fig)
    fig, ax = plt.subplots(figsize=(10, 3.5))
    years = sorted({r["year"] for r in d["status_year"]})
    bottom = [0] * len(years)
    for s in STATUSES:
        vals = [next(r["sources"] for r in d["status_year"] if r["year"] == y and r["status"] == s) for y in years]
        ax.bar(years, vals, bottom=bottom, label=s)
        bottom = [a + b for a, b in zip(bottom, vals)]
    ax.legend()
    emit(fig)
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.barh([r["outlet"] for r in d["outlets"]][::-1], [r["citations"] for r in d["outlets"]][::-1])
    emit(fig)
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.bar([r["lag"] for r in d["lag"]], [r["sources"] for r in d["lag"]])
    emit(fig)
    fig, ax = plt.subplots(figsize=(10, 5))
    for ring in topo_rings(topo):
        ax.fill([p[0] for p in ring], [p[1] for p in ring], color="#ddd")
    pts = d["points"]
    ax.scatter([p["lon"] for p in pts], [p["lat"] for p in pts], s=[p["events"] / 10 for p in pts])
    emit(fig)
    return "<!doctype html><html><head><meta charset=utf-8></head><body>" + "".join(svgs) + "</body></html>"


BUILDERS = {"altair": build_altair, "bokeh": build_bokeh, "plotly": build_plotly, "matplotlib": build_matplotlib}


def external_refs(html: str) -> list[str]:
    """http(s) URLs in src=/href= attributes: what the page would fetch or link by itself."""
    return sorted(set(re.findall(r"""(?:src|href)\s*=\s*["'](https?://[^"']+)""", html)))


COUNT_DRAWN = """() => { let svg = 0, canvas = 0;
    const walk = root => root.querySelectorAll('*').forEach(el => {
        if (el.tagName === 'svg') svg++; if (el.tagName === 'CANVAS') canvas++; if (el.shadowRoot) walk(el.shadowRoot); });
    walk(document); return {svg, canvas}; }"""


def _refuser(url: str, tried: list):
    """A route handler letting ``url`` through and refusing (and recording) every other request."""
    def refuse(route):
        if route.request.url == url:
            return route.continue_()
        tried.append(route.request.url)
        return route.abort()
    return refuse


def _console_errors(errors: list):
    def note(event):
        if getattr(event, "type", "error") == "error":
            errors.append(str(getattr(event, "text", event))[:120])
    return note


def check(pages: list[Path]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--disable-gpu", "--disable-quic"])
        for page_path in pages:
            url, tried, errors = page_path.resolve().as_uri(), [], []
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", _refuser(url, tried))
            page = context.new_page()
            page.on("console", _console_errors(errors))
            page.on("pageerror", _console_errors(errors))
            t0 = time.monotonic()
            page.goto(url, wait_until="networkidle")
            page.wait_for_timeout(1500)
            print(json.dumps({"page": page_path.name, "requests_tried": tried, "console_errors": errors,
                              "drawn": page.evaluate(COUNT_DRAWN), "load_s": round(time.monotonic() - t0, 1)}))
            context.close()
        browser.close()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", choices=sorted(BUILDERS))
    p.add_argument("--out", type=Path)
    p.add_argument("--land", type=Path, default=LAND)
    p.add_argument("--check", nargs="+", type=Path, help="open these pages in chromium instead")
    args = p.parse_args(argv)
    if args.check:
        check(args.check)
        return 0
    if not args.lib or not args.out:
        p.error("--lib and --out are required (or --check PAGE…)")
    cpu0 = time.process_time()
    html = BUILDERS[args.lib](data(), json.loads(args.land.read_text(encoding="utf-8")))
    cpu = time.process_time() - cpu0
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.lib}.html"
    path.write_text(html, encoding="utf-8")
    raw = html.encode("utf-8")
    import importlib.metadata as md

    print(json.dumps({"lib": args.lib, "version": md.version({"altair": "altair"}.get(args.lib, args.lib)),
                      "page_bytes": len(raw), "gzip_bytes": len(gzip.compress(raw)), "cpu_s": round(cpu, 2),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "external_refs": external_refs(html), "path": str(path)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
