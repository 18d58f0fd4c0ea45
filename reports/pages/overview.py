"""Overview: headline KPIs against their targets, over 30 and 90 days, with their trends."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, escape
from reports.rollup import Kpi, rollup, window_value


def format_value(kpi: Kpi, value: float | None) -> str:
    if value is None:
        return "n/a"
    if kpi.unit == "ratio":
        return f"{value:.1%}"
    if kpi.unit == "seconds":
        return f"{value:.0f} s"
    if kpi.unit == "hours":
        return f"{value:.1f} h"
    if kpi.unit == "score":
        return f"{value:.0f}"
    return f"{value:.2f}"


def _card(ctx: ReportContext, kpi: Kpi) -> str:
    last_30 = window_value(ctx.con, kpi, ctx.data_through, 30)
    last_90 = window_value(ctx.con, kpi, ctx.data_through, 90)
    met = kpi.meets(last_30)
    status = (
        "<span class=ok>on target</span>"
        if met
        else "<span class=bad>off target</span>"
        if met is False
        else "no data"
    )
    sign = "≥" if kpi.direction == "at_least" else "≤"
    context = kpi.context()
    trust = ""
    if context is not None:
        share = window_value(ctx.con, context, ctx.data_through, 30)
        trust = (
            f'<div class="detail context">{escape(format_value(context, share))} '
            f"{escape(kpi.context_label or '')}</div>"
        )
    return (
        f'<div class="card" data-kpi="{escape(kpi.model)}.{escape(kpi.column)}">'
        f'<div class="name">{escape(kpi.name)}</div>'
        f'<div class="value">{escape(format_value(kpi, last_30))}</div>'
        f'<div class="detail">last 30 days; 90 days: {escape(format_value(kpi, last_90))}</div>'
        f'<div class="detail">target {sign} {escape(format_value(kpi, kpi.target))} · {status}'
        f"</div>{trust}</div>"
    )


def _trends(ctx: ReportContext) -> go.Figure:
    columns = 3
    rows = math.ceil(len(ctx.kpis) / columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[k.name for k in ctx.kpis],
        vertical_spacing=0.35 / rows,
    )
    since = ctx.days_back(90)
    for i, kpi in enumerate(ctx.kpis):
        row, col = divmod(i, columns)
        series = rollup(ctx.con, kpi, by=[kpi.period_column], since=since)
        x = pd.to_datetime(series[kpi.period_column]).dt.strftime("%Y-%m-%d")
        few = len(series) < 4  # monthly KPIs: bars read better than a line of one or two points
        trace = (
            go.Bar(x=x, y=series["value"], marker_color="#2680c2", name=kpi.name)
            if few
            else go.Scatter(
                x=x,
                y=series["value"],
                mode="lines+markers",
                name=kpi.name,
                marker={"size": 3},
                line={"color": "#2680c2"},
            )
        )
        figure.add_trace(trace, row=row + 1, col=col + 1)
        if series["value"].isna().all():  # no data: say so rather than draw empty axes
            figure.add_annotation(
                text="no data",
                showarrow=False,
                xref="x domain" if i == 0 else f"x{i + 1} domain",
                yref="y domain" if i == 0 else f"y{i + 1} domain",
                x=0.5,
                y=0.5,
                font={"color": "#7b8794", "size": 14},
            )
            figure.update_xaxes(visible=False, row=row + 1, col=col + 1)
            figure.update_yaxes(visible=False, row=row + 1, col=col + 1)
            continue
        if few:  # one bar per period, labelled by its start, not a time axis
            figure.update_xaxes(type="category", row=row + 1, col=col + 1)
        figure.add_hline(
            y=kpi.target, line_dash="dot", line_color="#e12d39", row=row + 1, col=col + 1
        )
        if kpi.unit == "ratio":
            figure.update_yaxes(tickformat=".0%", row=row + 1, col=col + 1)
    figure.update_layout(height=230 * rows, showlegend=False)
    return figure


def build(ctx: ReportContext) -> Page:
    cards = "".join(_card(ctx, kpi) for kpi in ctx.kpis)
    return Page(
        slug="index",
        title="Overview",
        sections=[
            Section(
                "Headline KPIs",
                f'<div class="cards">{cards}</div>',
                note=(
                    f"Last 30 days up to {ctx.data_through}; targets from "
                    "kpi.kpi_headline_targets (seeds/kpi_targets.csv)."
                    + (
                        " No data yet from: "
                        + ", ".join(ctx.sources_without_data)
                        + " (KPIs built on them show no data, never 0)."
                        if ctx.sources_without_data
                        else ""
                    )
                ),
            ),
            Section(
                "Trends, last 90 days",
                chart(_trends(ctx), "kpi-trends"),
                note="Each KPI per day (weekly for voice of customer, monthly for churn and "
                "stage conversion); the dotted line is the target.",
            ),
        ],
    )
