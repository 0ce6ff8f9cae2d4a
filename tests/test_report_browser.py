"""The report in a real browser: Debian's chromium driven by Playwright, every request leaving the file refused.

Checks what a reader gets: no console error, no request beyond the file, every chart drawn (an SVG with marks
and pixels that are not blank), tables that sort on a click, and a printable PDF.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.test_crawl_portal import run_cli
from tests.test_report import build_fixture

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]  # a second wall: a dead proxy


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed: pip install -e "
                                                                   "'.[browser]' (make test does)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: `make system-deps` installs Debian's chromium with apt-get as root")
    with playwright.sync_playwright() as p:
        # headless, --no-sandbox and a fresh temporary profile are Playwright's defaults; no browser download
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module", params=[True, False], ids=["located", "no-locations"])
def report(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    build_fixture(tmp / "a.db", located=request.param).conn.close()
    run_cli("report", "--db", str(tmp / "a.db"), "--out", str(tmp / "report.html"))
    return tmp / "report.html", request.param


@pytest.fixture
def page(browser, report):
    path, located = report
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    seen, errors = [], []
    url = path.resolve().as_uri()

    def refuse(route):
        seen.append(route.request.url)
        route.abort() if route.request.url != url else route.continue_()

    context.route("**/*", refuse)
    pg = context.new_page()
    pg.on("request", lambda r: seen.append(r.url))
    pg.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    pg.goto(url)
    pg.wait_for_function("[...document.querySelectorAll('.chart')].every(c => c.dataset.drawn || "
                         "c.textContent.startsWith('chart not drawn'))", timeout=60_000)
    pg.wait_for_timeout(300)
    yield pg, url, seen, errors, located
    context.close()


def test_every_chart_drawn_offline_without_errors(page):
    from PIL import Image, ImageStat

    pg, url, seen, errors, located = page
    assert errors == []
    assert [u for u in seen if u != url and not u.startswith(("data:", "blob:", "about:"))] == []
    charts = pg.evaluate("""[...document.querySelectorAll('.chart')].map(c => {
        const svg = c.querySelector('svg'), box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
        return {id: c.id, drawn: c.dataset.drawn || '', width: box.width, height: box.height,
                marks: svg ? svg.querySelectorAll('.role-mark > *').length : 0}; })""")
    assert len(charts) == (8 if located else 7)
    for chart in charts:
        assert chart["drawn"] == "1" and chart["width"] > 200 and chart["height"] > 100 and chart["marks"] > 0, chart
        shot = Image.open(io.BytesIO(pg.locator(f"#{chart['id']}").screenshot())).convert("L")
        assert ImageStat.Stat(shot).stddev[0] > 15, chart  # not a blank box
    if not located:
        assert "no located entities yet (run entity resolution)" in pg.locator("#map").inner_text()
    whole = Image.open(io.BytesIO(pg.screenshot(full_page=True))).convert("L")
    inked = sum(whole.histogram()[:200]) / (whole.width * whole.height)  # share of pixels darker than near-white
    assert ImageStat.Stat(whole).stddev[0] > 20 and inked > 0.05


def test_tables_sort_on_a_click(page):
    pg = page[0]
    header = pg.locator("#outlets thead th", has_text="citations")
    column = "[...document.querySelectorAll('#outlets tbody tr')].map(r => [r.cells[0].textContent, " \
             "Number(r.cells[1].dataset.v)])"
    before = pg.evaluate(column)
    header.click()
    ascending = pg.evaluate(column)
    assert [n for _, n in ascending] == sorted(n for _, n in before)
    header.click()
    descending = pg.evaluate(column)
    assert [n for _, n in descending] == sorted((n for _, n in before), reverse=True)
    pg.locator("#outlets thead th").first.click()  # the outlet names: text order
    assert pg.evaluate("(() => { const n = [...document.querySelectorAll('#outlets tbody tr')].map(r => "
                       "r.cells[0].textContent); return n.length > 2 && n.every((x, i) => !i || "
                       "n[i - 1].localeCompare(x) <= 0); })()")


def test_prints_to_a_pdf(page):
    import re

    pg = page[0]
    pg.emulate_media(media="print")
    pdf = pg.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 30_000
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 2
