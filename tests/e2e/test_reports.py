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
    "funnel": [
        "chart-funnel",
        "chart-stage-breaks",
        "chart-stage-monthly|no-data-stage-monthly",
        "table-funnel-by-cohort",
        "table-funnel-by-month",
    ],
    "contact-centre": ["chart-contact-daily", "table-queues"],
    "effort": [
        "chart-contact-volume",
        "chart-contact-effort",
        "table-effort-by-reason",
        "table-repeat-rates",
        "table-repeat-paths",
        "table-self-service-failures",
        "table-self-service-failure-reasons",
        "table-contact-outlier-counts",
        "table-contact-outliers",
        "table-unanswered-emails",
        "table-oldest-unanswered-emails",
    ],
    # a comparison needs min_support responses a slice: this small sample may have too few, and
    # then the page says so instead of drawing empty axes
    "voc": [
        "chart-voc-dimensions|no-data-voc-dimensions",
        "table-voc-slices",
        "table-verbatims",
        "chart-voc-themes|no-data-voc-themes",
        "chart-theme-nps|no-data-theme-nps",
        "table-theme-impact",
        "table-emerging-themes",
        "table-verbatim-tone",
        "table-tone-disagreements",
    ],
    "moments": ["chart-moments|no-data-moments", "table-moments-ranked"],
    # the shared home's eight days end before the demo changes' after-windows
    "changes": ["chart-change-effects|no-data-change-effects", "table-change-impact"],
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
        for element in elements:  # `a|b`: either
            assert any(f'id="{e}"' in text for e in element.split("|")), (page, element)
        # the run published (no "blocked" banner), but the sample's data ends in September
        # 2026, months past published_max_age_days: every page says it is out of date
        assert "was blocked" not in text
        assert "Data out of date" in text and "published data: STALE" in text
        # one plotly.js beside the pages, referenced relatively: nothing is fetched
        assert '<script src="plotly.min.js"' in text and text.count("<script src=") == 1
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


# a chart draws data: at least one visible trace, and every visible trace has points (cells of
# a heatmap, nodes of a Sankey)
HAS_DATA = """(id) => {
    const traces = (document.getElementById(id)._fullData || []).filter((t) => t.visible === true);
    const points = (t) => t._length != null ? t._length
        : t.z ? t.z.length : t.node ? t.node.label.length : 0;
    return traces.length > 0 && traces.every((t) => points(t) > 0);
}"""


# every visible value axis says what it measures (issue 18: trend panels had no titles or units)
TITLED_AXES = """(id) => {
    const layout = document.getElementById(id)._fullLayout;
    return Object.keys(layout)
        .filter((k) => /^yaxis[0-9]*$/.test(k) && layout[k].visible)
        .filter((k) => !(layout[k].title && layout[k].title.text));
}"""
VALUE_AXIS_CHARTS = {
    "chart-kpi-trends",
    "chart-contact-daily",
    "chart-stage-breaks",
    "chart-stage-monthly",
    "chart-contact-effort",
    "chart-voc-dimensions",
}


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
                for choice in elements:
                    element = next(e for e in choice.split("|") if page.query_selector(f"#{e}"))
                    if element.startswith("chart-"):  # plotly drew an SVG into the div
                        page.wait_for_selector(f"#{element} .main-svg", timeout=15_000)
                        if not page.evaluate(HAS_DATA, element):  # issue 18: no empty axes
                            problems.append(f"{name}.html: {element} draws no data")
                        if element in VALUE_AXIS_CHARTS:
                            untitled = page.evaluate(TITLED_AXES, element)
                            if untitled:
                                problems.append(f"{name}.html: {element} {untitled} untitled")
                png = page.screenshot(full_page=True, path=tmp_path / f"{name}.png")
                assert _not_blank(png), f"{name}.html renders blank"
        finally:
            browser.close()
    assert problems == []


def test_pages_weigh_under_a_megabyte_beside_one_shared_plotly(reports: Path) -> None:
    """Issue 18: 4.8 MB a page (plotly.js inlined in each) became one shared script."""
    weights = {p.name: p.stat().st_size for p in reports.glob("*.html")}
    assert max(weights.values()) < 1_000_000, weights
    assert (reports / "plotly.min.js").stat().st_size > 1_000_000  # the one copy


def test_cjm_report_rebuilds_the_pages(published_run, tmp_path: Path) -> None:
    """`cjm report` rewrites the pages and their shared plotly.js; `--self-contained` writes
    single-file pages (plotly.js inlined) for mailing."""
    home, _ = published_run
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    for page in (copy / "reports").iterdir():
        page.unlink()
    result = run_cjm(copy, "report")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == str(copy / "reports/index.html")
    assert sorted(p.stem for p in (copy / "reports").glob("*.html")) == sorted(PAGES)
    assert (copy / "reports/plotly.min.js").exists()
    result = run_cjm(copy, "report", "--self-contained")
    assert result.returncode == 0, result.stderr[-3000:]
    text = (copy / "reports/moments.html").read_text()
    assert "<script src=" not in text and len(text) > 3_000_000


def test_no_moment_of_truth_is_ranked_below_the_minimum_support(published_run) -> None:
    """Issue 18: every rank rested on 1-2 responses; now a rank needs min_support a side."""
    import duckdb

    home, _ = published_run
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        ranked, below = con.execute(
            "select count(*) filter (where coalesce(nps_lift_rank, churn_harm_rank) is not null),"
            " count(*) filter (where (nps_lift_rank is not null or nps_harm_rank is not null)"
            " and nps_support < min_support"
            " or churn_harm_rank is not null and churn_support < min_support)"
            " from kpi.kpi_moments_of_truth"
        ).fetchone()
    assert ranked > 0 and below == 0
    text = (home / "reports/moments.html").read_text()
    assert "too few responses" in text


def test_the_funnel_only_narrows(published_run) -> None:
    """Issue 18: the funnel plotted customers entering each stage (consideration 2,241 wider
    than awareness 773); a cohort's count now never grows from one stage to the next."""
    import duckdb

    home, _ = published_run
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        cohorts, widening = con.execute(
            "select count(distinct cohort_month), count(*) filter (where customers_reached"
            " > lag_reached) from (select cohort_month, customers_reached, lag(customers_reached)"
            " over (partition by cohort_month order by stage_order) as lag_reached"
            " from kpi.kpi_stage_funnel)"
        ).fetchone()
    assert cohorts > 0 and widening == 0


def test_nps_by_channel_compares_channels(published_run) -> None:
    """Issue 18: NPS by channel was one bar, 'survey': post-contact surveys now ask NPS too and
    count in the channel of the contact they rate."""
    import duckdb

    home, _ = published_run
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        channels = {
            r[0]
            for r in con.execute(
                "select slice from kpi.kpi_voc_slices"
                " where dimension = 'channel' and nps_responses > 0"
            ).fetchall()
        }
    assert "survey" in channels and len(channels - {"survey"}) >= 1, channels
