"""Page layout: navigation, the stale-data banner, sections with charts and tables.

plotly.js is written once beside the pages (PLOTLY_JS) and each page's head references it
relatively, so the pages open from file:// with no network; a self-contained page (for mailing)
inlines it instead.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cache

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2933;
       background: #f5f7fa; }
header { background: #102a43; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #bcccdc; font-size: 13px; }
nav { background: #243b53; padding: 0 20px; }
nav a { color: #d9e2ec; display: inline-block; padding: 10px 8px; text-decoration: none;
        font-size: 14px; }
nav a.current { color: #fff; border-bottom: 3px solid #f0b429; }
main { padding: 16px 28px 40px; max-width: 1280px; }
section { background: #fff; border-radius: 6px; padding: 12px 18px; margin: 14px 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
section h2 { font-size: 17px; margin: 4px 0 6px; }
section p.note { color: #52606d; font-size: 13px; margin: 0 0 8px; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table.data { border-collapse: collapse; font-size: 13px; width: 100%; }
table.data th { text-align: left; background: #f0f4f8; padding: 5px 8px; }
table.data td { border-top: 1px solid #e4e7eb; padding: 4px 8px; vertical-align: top; }
.banner { background: #fce8e6; color: #8a1c1c; border: 2px solid #d64545; padding: 10px 28px;
          font-weight: 600; }
.banner ul { margin: 6px 0 0; font-weight: normal; font-size: 13px; }
.no-data { background: #fffbea; border-left: 4px solid #f0b429; padding: 8px 12px; }
.ok { color: #147d64; font-weight: 600; } .bad { color: #c62828; font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: #f0f4f8; border-radius: 6px; padding: 8px 12px; min-width: 190px; }
.card .name { font-size: 12px; color: #52606d; } .card .value { font-size: 22px; }
.card .detail { font-size: 12px; color: #52606d; }
"""


@dataclass(frozen=True)
class Section:
    title: str
    body: str  # HTML, already escaped
    note: str = ""
    needs: tuple[str, ...] = ()  # landing sources its figures come from


def no_data(name: str, missing: list[str]) -> str:
    """What a section shows instead of empty axes when a source it needs delivered nothing."""
    names = ", ".join(f"<b>{escape(source)}</b>" for source in missing)
    plural = "s have" if len(missing) > 1 else " has"
    return (
        f'<p class="no-data" id="no-data-{escape(name)}">No data: this needs the {names} '
        f"source{plural} delivered nothing yet (see the Data quality page, marts.dim_source).</p>"
    )


@dataclass(frozen=True)
class Page:
    slug: str  # file name without .html
    title: str
    sections: list[Section] = field(default_factory=list)


PLOTLY_JS = "plotly.min.js"  # beside the pages


@cache
def plotly_js() -> str:
    return get_plotlyjs()


def chart(figure: go.Figure, name: str) -> str:
    """A figure as a div (the page inlines plotly.js once)."""
    figure.update_layout(
        template="plotly_white", margin={"l": 50, "r": 20, "t": 40, "b": 40}, font={"size": 12}
    )
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{name}",
        config={"displaylogo": False, "responsive": True},
    )


def table(frame: pd.DataFrame, name: str, formats: dict[str, str] | None = None) -> str:
    """A DataFrame as an escaped HTML table; `formats` maps columns to format strings."""
    if frame.empty:
        return f'<p class=note id="table-{name}">No rows.</p>'
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            values = frame[column]
            dates_only = bool((values.dropna() == values.dropna().dt.normalize()).all())
            frame[column] = values.dt.strftime("%Y-%m-%d" if dates_only else "%Y-%m-%d %H:%M:%S")
    shown = frame.astype(object).where(frame.notna(), "")
    for column, fmt in (formats or {}).items():
        shown[column] = shown[column].map(lambda v, f=fmt: "" if v == "" else f.format(v))
    # pandas writes a newline in a cell as a literal \n: mark it, then break the line in HTML
    shown = shown.map(
        lambda v: v.replace("\r\n", "\n").replace("\n", _LINE_BREAK) if isinstance(v, str) else v
    )
    html_table = shown.to_html(
        index=False, escape=True, na_rep="", classes="data", table_id=f"table-{name}", border=0
    ).replace(_LINE_BREAK, "<br>")
    return f'<div class="table-wrap">{html_table}</div>'  # a wide table scrolls inside its card


def with_interval(
    frame: pd.DataFrame, column: str, fmt: str, too_few: str, supported: str | None = None
) -> list[str]:
    """`column` of each row as "value (low to high)" from its `<column>_low` / `<column>_high`
    (the 95 % interval), or `too_few` where the row lacks the minimum support (`supported`,
    a boolean column) or an interval."""
    ok = frame[supported] if supported else pd.Series(True, index=frame.index)
    return [
        f"{fmt.format(v)} ({fmt.format(lo)} to {fmt.format(hi)})"
        if bool(s) and not pd.isna(lo)
        else too_few
        for v, lo, hi, s in zip(
            frame[column], frame[f"{column}_low"], frame[f"{column}_high"], ok, strict=True
        )
    ]


_LINE_BREAK = "\u2063"  # INVISIBLE SEPARATOR: survives pandas' escaping, never in the data


def escape(text: object) -> str:
    return html.escape(str(text))


def render(
    page: Page,
    pages: list[Page],
    subtitle: str,
    banner: str | None,
    generated_at: str,
    self_contained: bool = False,
) -> str:
    nav = "".join(
        f'<a href="{p.slug}.html"{" class=current" if p.slug == page.slug else ""}>'
        f"{escape(p.title)}</a>"
        for p in pages
    )
    sections = "".join(
        f'<section id="{escape(anchor(s.title))}"><h2>{escape(s.title)}</h2>'
        f"{f'<p class=note>{escape(s.note)}</p>' if s.note else ''}{s.body}</section>"
        for s in page.sections
    )
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(page.title)} · cjm-warehouse</title>"
        f"<style>{CSS}</style>"
        + (f"<script>{plotly_js()}</script>" if self_contained else _plotly_reference())
        + "</head><body>"
        f"<header><h1>{escape(page.title)}</h1><p>{escape(subtitle)}</p></header>"
        f"<nav>{nav}</nav>{banner or ''}<main>{sections}"
        f"<p class=note>Report built {escape(generated_at)} UTC from the published warehouse.</p>"
        "</main></body></html>\n"
    )


def _plotly_reference() -> str:
    return f'<script src="{PLOTLY_JS}" charset="utf-8"></script>'


def stale_banner(stale_since: str | None, run_id: str, started: str, failures: list[str]) -> str:
    since = f"stale since {stale_since} UTC" if stale_since else "not published yet"
    items = "".join(f"<li>{escape(line)}</li>" for line in failures[:12])
    return (
        f'<div class="banner" id="stale-banner">Data {escape(since)}: the latest run '
        f"{escape(run_id[:8])} (started {escape(started)} UTC) was blocked by failed checks, so "
        f"these pages show the last good publication.<ul>{items}</ul></div>"
    )


def freshness_banner(findings: list) -> str:
    """The banner of stale data (orchestration.freshness findings): a feed that stopped, or
    published data older than its bound."""
    items = "".join(f"<li>{escape(finding.line())}</li>" for finding in findings[:12])
    return (
        '<div class="banner" id="stale-banner">Data out of date: these pages show the last '
        f"publication, and it is older than it should be.<ul>{items}</ul></div>"
    )


def anchor(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
