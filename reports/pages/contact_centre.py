"""Contact centre: ASA, AHT, abandonment and service level by day, channel and queue."""

from __future__ import annotations

import dataclasses
import re

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table
from reports.rollup import Kpi, find_kpi, rollup

MODEL = "kpi_contact_centre_daily"
METRICS = [
    ("average_speed_of_answer_seconds", "ASA (s)"),
    ("average_handle_time_seconds", "AHT (s)"),
    ("abandonment_rate", "Abandonment"),
    ("service_level", "Service level"),
]


def _per_channel(kpi: Kpi) -> tuple[Kpi, str | None]:
    """The KPI over every channel, and the channel its target is for: a target set for one
    channel (row_filter channel = 'voice' in seeds/kpi_targets.csv) is drawn for that channel
    alone, never as every channel's line (voice and chat AHT differ by nature)."""
    found = re.fullmatch(r"channel = '([a-z_]+)'", kpi.row_filter or "")
    return dataclasses.replace(kpi, row_filter=None), found.group(1) if found else None


def _daily(ctx: ReportContext) -> go.Figure:
    """ASA, AHT, abandonment and service level per day and channel, and the legs offered
    behind them."""
    figure = make_subplots(
        rows=3,
        cols=2,
        subplot_titles=[m[1] for m in METRICS] + ["Legs offered (the volume behind the rates)"],
        vertical_spacing=0.1,
    )
    since = ctx.days_back(90)
    channels = [
        r[0]
        for r in ctx.con.execute(f"select distinct channel from kpi.{MODEL} order by 1").fetchall()
    ]
    colours = ["#2680c2", "#f0b429", "#3ebd93", "#9446ed"]
    offered = ctx.frame(
        f"select date_day, channel, sum(offered) as offered from kpi.{MODEL}"
        " where date_day >= ? group by all order by date_day",
        [since],
    )
    for j, channel in enumerate(channels):
        colour = colours[j % len(colours)]
        for i, (column, _) in enumerate(METRICS):
            kpi, target_channel = _per_channel(find_kpi(ctx.kpis, MODEL, column))
            row, col = divmod(i, 2)
            series = rollup(ctx.con, kpi, by=["date_day"], since=since, equals={"channel": channel})
            figure.add_trace(
                go.Scatter(
                    x=series["date_day"],
                    y=series["value"],
                    mode="lines",
                    name=channel,
                    legendgroup=channel,
                    showlegend=i == 0,
                    line={"color": colour},
                ),
                row=row + 1,
                col=col + 1,
            )
            if target_channel == channel:
                figure.add_hline(
                    y=kpi.target,
                    line_dash="dot",
                    line_color=colour,
                    annotation_text=f"{channel} target",
                    row=row + 1,
                    col=col + 1,
                )
            elif j == 0 and target_channel is None:
                figure.add_hline(
                    y=kpi.target, line_dash="dot", line_color="#e12d39", row=row + 1, col=col + 1
                )
            if j == 0:
                figure.update_yaxes(
                    title_text=kpi.axis_title(),
                    tickformat=".0%" if kpi.unit == "ratio" else None,
                    row=row + 1,
                    col=col + 1,
                )
        mine = offered[offered["channel"] == channel]
        figure.add_trace(
            go.Bar(
                x=mine["date_day"],
                y=mine["offered"],
                name=channel,
                legendgroup=channel,
                showlegend=False,
                marker_color=colour,
            ),
            row=3,
            col=1,
        )
    figure.update_yaxes(title_text="legs offered", row=3, col=1)
    figure.update_layout(height=820, barmode="stack")
    return figure


def _by_queue(ctx: ReportContext) -> str:
    since = ctx.days_back(30)
    volumes = ctx.frame(
        f"select channel, queue_key as queue, "
        f" cast(sum(offered) as bigint) as offered, cast(sum(handled) as bigint) as handled"
        f" from kpi.{MODEL} where date_day >= ? group by all",
        [since],
    )
    frame = volumes
    for column, label in METRICS:
        kpi, _ = _per_channel(find_kpi(ctx.kpis, MODEL, column))
        values = rollup(ctx.con, kpi, by=["channel", "queue_key"], since=since)
        values = values.rename(columns={"queue_key": "queue", "value": label})
        frame = frame.merge(
            values[["channel", "queue", label]], on=["channel", "queue"], how="left"
        )
    frame = frame.sort_values(["channel", "offered"], ascending=[True, False])
    return table(
        frame,
        "queues",
        {
            "ASA (s)": "{:.0f}",
            "AHT (s)": "{:.0f}",
            "Abandonment": "{:.1%}",
            "Service level": "{:.1%}",
        },
    )


def build(ctx: ReportContext) -> Page:
    return Page(
        slug="contact-centre",
        title="Contact centre",
        sections=[
            Section(
                "By day and channel, last 90 days",
                chart(_daily(ctx), "contact-daily"),
                note="Queued voice and chat (kpi.kpi_contact_centre_daily); dotted lines are "
                "targets, in a channel's colour when the target is that channel's (AHT: voice).",
                needs=("contact_center",),
            ),
            Section(
                f"By queue, last 30 days up to {ctx.data_through}",
                _by_queue(ctx),
                needs=("contact_center",),
            ),
        ],
    )
