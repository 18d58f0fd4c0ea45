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
    """Each headline KPI by period (line or bars) with the volume behind it (grey bars on the
    right axis: the summed denominator, e.g. legs offered or responses)."""
    columns = 3
    rows = math.ceil(len(ctx.kpis) / columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[k.name for k in ctx.kpis],
        vertical_spacing=0.4 / rows,
        horizontal_spacing=0.1,
        specs=[[{"secondary_y": True}] * columns for _ in range(rows)],
    )
    for i, kpi in enumerate(ctx.kpis):
        row, col = (n + 1 for n in divmod(i, columns))
        monthly = "month" in kpi.period_column  # a year of months, 90 days of days
        series = rollup(
            ctx.con, kpi, by=[kpi.period_column], since=ctx.days_back(365 if monthly else 90)
        )
        x = pd.to_datetime(series[kpi.period_column]).dt.strftime(
            "%Y-%m" if monthly else "%Y-%m-%d"
        )
        if series["value"].isna().all():  # no data: say so rather than draw empty axes
            # placed on the page (paper), in the middle of its own panel: the browser creates
            # no axes for a panel without a trace, and a label referring to them would land on
            # the first panel that has data (and stretch its axes to 1970)
            panel = figure.get_subplot(row, col)
            figure.add_annotation(
                text="no data",
                showarrow=False,
                xref="paper",
                yref="paper",
                x=sum(panel.xaxis.domain) / 2,
                y=sum(panel.yaxis.domain) / 2,
                font={"color": "#7b8794", "size": 14},
            )
            figure.update_xaxes(visible=False, row=row, col=col)
            figure.update_yaxes(visible=False, row=row, col=col)
            figure.update_yaxes(visible=False, row=row, col=col, secondary_y=True)
            continue
        # the volume on the primary axis (drawn first, on the right), the KPI on the secondary
        # (drawn over the bars, on the left): a single month's point stays visible
        figure.add_trace(
            go.Bar(
                x=x,
                y=series["weight"],
                marker_color="#d9e2ec",
                name=f"{kpi.name}: {kpi.denominator}",
                hovertemplate=f"%{{x}}: %{{y:,.0f}} {escape(kpi.denominator)}<extra></extra>",
            ),
            row=row,
            col=col,
            secondary_y=False,
        )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=series["value"],
                mode="lines+markers",
                name=kpi.name,
                marker={"size": 4 if len(series) > 3 else 9},
                line={"color": "#2680c2"},
            ),
            row=row,
            col=col,
            secondary_y=True,
        )
        if monthly:  # one point per month, labelled by the month, not a time axis
            figure.update_xaxes(type="category", row=row, col=col)
        figure.add_hline(
            y=kpi.target, line_dash="dot", line_color="#e12d39", row=row, col=col, secondary_y=True
        )
        small = kpi.unit == "ratio" and series["value"].max() < 0.1
        figure.update_yaxes(
            title_text=kpi.axis_title(),
            tickformat=(".1%" if small else ".0%") if kpi.unit == "ratio" else None,
            side="left",
            tickmode="auto",  # its own ticks, not the volume axis's
            row=row,
            col=col,
            secondary_y=True,
        )
        figure.update_yaxes(
            title_text=kpi.denominator.replace("_", " "),
            showgrid=False,
            color="#9aa5b1",
            side="right",
            row=row,
            col=col,
            secondary_y=False,
        )
    figure.update_layout(height=260 * rows, showlegend=False)
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
                note="Each KPI per day (weekly for voice of customer; by month for churn and "
                "stage conversion, over up to a year), with the volume behind it as grey bars "
                "on the right axis (its denominator: legs offered, responses, customers); the "
                "dotted line is the target.",
            ),
        ],
    )
