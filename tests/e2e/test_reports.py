"""The HTML reports of a published run: every page and chart, opened in a real browser.

The browser is Debian's chromium (`make test` installs it), driven headless by Playwright from
file://, with no network.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import run_cjm

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "index": ["chart-kpi-trends"],
    "journey": ["chart-swimlane", "chart-emotion-curve"],
    "paths": ["chart-paths-sankey", "table-paths-to-resolution", "table-paths-to-churn"],
    "funnel": ["chart-funnel", "chart-stage-breaks", "table-funnel-by-month"],
    "contact-centre": ["chart-contact-daily", "table-queues"],
    "voc": ["chart-voc-dimensions", "table-verbatims"],
    "moments": ["chart-moments", "table-moments-ranked"],
    "quality": ["table-publications", "table-checks-by-asset", "table-checks", "table-ledger"],
}


@pytest.fixture(scope="module")
def reports(published_run) -> Path:
    home, result = published_run
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(home / "reports/index.html") in result.stderr  # the run says where they are
    return home / "reports"


def test_every_page_exists_with_its_charts_and_no_network_reference(reports: Path) -> None:
    assert sorted(p.stem for p in reports.glob("*.html")) == sorted(PAGES)
    for page, elements in PAGES.items():
        text = (reports / f"{page}.html").read_text()
        for element in elements:
            assert f'id="{element}"' in text, (page, element)
        assert "stale-banner" not in text  # the run published: nothing stale
        assert "<script src=" not in text  # plotly.js is inlined, nothing is fetched
        for href in ("index.html", "journey.html", "quality.html"):
            assert f'href="{href}"' in text


def test_overview_shows_every_headline_kpi_and_the_publication(reports: Path, published_run):
    home, _ = published_run
    import duckdb

    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        kpis = con.execute("select kpi_model || '.' || kpi_column from kpi.kpi_headline_targets")
        expected = {row[0] for row in kpis.fetchall()}
        published_at = con.execute("select max(published_at) from meta.publish_log").fetchone()[0]
    text = (reports / "index.html").read_text()
    for kpi in expected:
        assert f'data-kpi="{kpi}"' in text
    assert f"Published {published_at} UTC" in text


def _not_blank(png: bytes) -> bool:
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 200))
    colours = image.getcolors(maxcolors=200 * 200) or []
    background = max(colours)[0] / (200 * 200)
    return len(colours) > 50 and background < 0.9


def test_pages_render_in_chromium_without_console_errors(reports: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make test` (it installs it)"
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on(
                "request",
                lambda r: (
                    None
                    if r.url.startswith(("file://", "data:", "blob:"))
                    else problems.append(f"network request: {r.url}")
                ),
            )
            for name, elements in PAGES.items():
                page.goto((reports / f"{name}.html").as_uri())
                for element in elements:
                    if element.startswith("chart-"):  # plotly drew an SVG into the div
                        page.wait_for_selector(f"#{element} .main-svg", timeout=15_000)
                png = page.screenshot(full_page=True, path=tmp_path / f"{name}.png")
                assert _not_blank(png), f"{name}.html renders blank"
        finally:
            browser.close()
    assert problems == []


def test_cjm_report_rebuilds_the_pages(published_run, tmp_path: Path) -> None:
    home, _ = published_run
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    for page in (copy / "reports").glob("*.html"):
        page.unlink()
    result = run_cjm(copy, "report")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == str(copy / "reports/index.html")
    assert sorted(p.stem for p in (copy / "reports").glob("*.html")) == sorted(PAGES)
