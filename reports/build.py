"""Build CJM_HOME/reports/*.html from the published warehouse (never from build.duckdb, but for
the freshness of the sources on the banner: orchestration/freshness.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from pathlib import Path

from orchestration import freshness
from orchestration.run_state import BlockedRun
from orchestration.settings import Settings
from orchestration.warehouse import connect
from reports.context import ReportContext
from reports.html import (
    PLOTLY_JS,
    Page,
    Section,
    anchor,
    freshness_banner,
    no_data,
    plotly_js,
    render,
    stale_banner,
)
from reports.pages import (
    changes,
    contact_centre,
    effort,
    funnel,
    journey,
    moments,
    overview,
    paths,
    quality,
    voc,
)
from reports.rollup import headline_kpis

PAGE_BUILDERS = [
    overview,
    journey,
    paths,
    funnel,
    contact_centre,
    effort,
    voc,
    moments,
    changes,
    quality,
]


def build_reports(
    settings: Settings, blocked: BlockedRun | None, self_contained: bool = False
) -> Path:
    """Write every page; return the path of index.html.

    `blocked`: the latest run when it was blocked (`orchestration.run_state.blocked_run`); it adds
    the stale banner to every page. The pages share one plotly.js written beside them, unless
    `self_contained` (each page inlines it: single files for mailing).
    """
    generated_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if blocked:
        banner = stale_banner(
            blocked.stale_since, blocked.run_id, blocked.started, blocked.failures
        )
    else:
        stale = freshness.stale(freshness.judge(settings))
        banner = freshness_banner(stale) if stale else None
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    if not self_contained:
        _write_plotly_js(settings.reports_dir)
    if not settings.published_db.exists():
        page = Page("index", "Overview", [Section("Nothing published yet", "<p>Run cjm run.</p>")])
        _write(settings.reports_dir, page, render(page, [page], "", banner, generated_at))
        return settings.reports_dir / "index.html"
    con = connect(settings, settings.published_db, read_only=True)
    try:
        published_at, run_id, data_through = con.execute(
            "select published_at, run_id, data_through from meta.publish_log"
            " order by published_at desc limit 1"
        ).fetchone()
        ctx = ReportContext(
            con=con,
            kpis=headline_kpis(con),
            # no dated facts yet (a CRM alone): windows end on the publication's day
            data_through=data_through or published_at.date(),
            published_at=str(published_at),
            run_id=run_id,
            blocked=blocked,
            sources_without_data=_sources_without_data(con),
        )
        pages = [_say_what_is_missing(builder.build(ctx), ctx) for builder in PAGE_BUILDERS]
    finally:
        con.close()
    through = f"data through {data_through}" if data_through else "no dated facts yet"
    subtitle = f"Published {published_at} UTC by run {run_id[:8]} · {through}"
    for page in pages:
        text = render(page, pages, subtitle, banner, generated_at, self_contained)
        _write(settings.reports_dir, page, text)
    return settings.reports_dir / "index.html"


def _write_plotly_js(folder: Path) -> None:
    """plotly.js beside the pages, rewritten only when the installed plotly's differs."""
    target = folder / PLOTLY_JS
    script = plotly_js()
    if target.exists() and target.read_text(encoding="utf-8") == script:
        return
    partial = folder / f".{PLOTLY_JS}.tmp"
    partial.write_text(script, encoding="utf-8")
    os.replace(partial, target)


def _sources_without_data(con) -> tuple[str, ...]:
    """Kinds of data (contact_center, web, survey, crm) no landing source delivered
    (marts.dim_source: a vendor export feeds its kind; none in an older file)."""
    has_table = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts'"
        " and table_name = 'dim_source'"
    ).fetchone()[0]
    if not has_table:
        return ()
    rows = con.execute(
        "select feeds from marts.dim_source group by feeds having not bool_or(has_data) order by 1"
    )
    return tuple(source for (source,) in rows.fetchall())


def _say_what_is_missing(page: Page, ctx: ReportContext) -> Page:
    """Sections whose sources delivered nothing say so, instead of drawing empty axes."""
    sections = []
    for section in page.sections:
        missing = ctx.missing(section.needs)
        if missing:
            section = dataclasses.replace(section, body=no_data(anchor(section.title), missing))
        sections.append(section)
    return dataclasses.replace(page, sections=sections)


def build_reports_for_latest_run(settings: Settings, self_contained: bool = False) -> Path:
    """The pages with the latest Dagster run's state: a stale banner when it was blocked.

    When the pages cannot be rebuilt (the published file unreadable, a page failing), the
    banner still goes onto the pages already there, then the error is raised: a blocked run is
    never shown as current.
    """
    from orchestration.run_state import blocked_run

    blocked = blocked_run(settings)
    try:
        return build_reports(settings, blocked=blocked, self_contained=self_contained)
    except Exception:
        if blocked is not None:
            add_banner(
                settings.reports_dir,
                stale_banner(
                    blocked.stale_since, blocked.run_id, blocked.started, blocked.failures
                ),
            )
        raise


_BANNER = re.compile(r'<div class="banner" id="stale-banner">.*?</div>', re.DOTALL)


def add_banner(folder: Path, banner: str) -> list[Path]:
    """Put `banner` on every page already in `folder` (replacing an older one), without
    reading the warehouse; return the pages changed."""
    changed = []
    for path in sorted(folder.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        if _BANNER.search(text):
            text = _BANNER.sub(lambda _: banner, text, count=1)
        elif "</nav>" in text:
            text = text.replace("</nav>", "</nav>" + banner, 1)
        else:
            continue
        partial = path.with_name(f".{path.name}.tmp")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        changed.append(path)
    return changed


def _write(folder: Path, page: Page, text: str) -> None:
    final = folder / f"{page.slug}.html"
    partial = folder / f".{page.slug}.html.tmp"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, final)
