"""Journey map: a stages x channels swimlane of touchpoints, and the emotion curve per stage."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart
from reports.rollup import find_kpi, rollup

SEGMENT_OF_TOUCHPOINT = """
select
    touchpoints.stage,
    touchpoints.channel,
    coalesce(customers.segment, 'anonymous') as segment,
    count(*) as touchpoints
from marts.fct_touchpoints as touchpoints
left join marts.dim_customer as customers
    on touchpoints.customer_key = customers.customer_key and customers.is_current
group by all
"""


def _order(ctx: ReportContext, table: str, key: str) -> list[str]:
    order = "stage_order" if table == "dim_journey_stage" else "sort_order"
    return [
        row[0]
        for row in ctx.con.execute(
            f"select {key} from marts.{table} where {key} not in ('unknown', 'none')"
            f" order by {order}"
        ).fetchall()
    ]


def _swimlane(ctx: ReportContext) -> go.Figure:
    frame = ctx.frame(SEGMENT_OF_TOUCHPOINT)
    stages = _order(ctx, "dim_journey_stage", "stage")
    channels = _order(ctx, "dim_channel", "channel")
    segments = ["all customers", *sorted(frame["segment"].unique())]
    figure = go.Figure()
    for i, segment in enumerate(segments):
        part = frame if i == 0 else frame[frame["segment"] == segment]
        grid = part.pivot_table(
            index="stage", columns="channel", values="touchpoints", aggfunc="sum", fill_value=0
        ).reindex(index=stages, columns=channels, fill_value=0)
        figure.add_trace(
            go.Heatmap(
                z=grid.values,
                x=channels,
                y=stages,
                colorscale="Blues",
                visible=i == 0,
                text=grid.values,
                texttemplate="%{text}",
                name=segment,
                hovertemplate="%{y} · %{x}: %{z} touchpoints<extra></extra>",
            )
        )
    buttons = [
        {
            "label": s,
            "method": "update",
            "args": [{"visible": [j == i for j in range(len(segments))]}],
        }
        for i, s in enumerate(segments)
    ]
    figure.update_layout(
        height=420,
        updatemenus=[{"buttons": buttons, "x": 1.0, "y": 1.15, "xanchor": "right"}],
        yaxis={"autorange": "reversed", "title": "stage"},
        xaxis={"title": "channel", "side": "top"},
    )
    return figure


def _min_support(ctx: ReportContext) -> int:
    """The responses a slice needs before the VoC page compares it (dbt var min_support, as
    published beside the slices)."""
    row = ctx.con.execute("select max(min_support) from kpi.kpi_voc_slices").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def hide_unsupported(series: pd.DataFrame, minimum: int) -> pd.DataFrame:
    """A point resting on fewer responses than `minimum` is not drawn (the VoC page shows it
    as too few responses): one promoter is not an NPS of 100."""
    shown = series.copy()
    shown.loc[shown["weight"] < minimum, "value"] = None
    return shown


def _emotion_curve(ctx: ReportContext) -> go.Figure:
    stages = _order(ctx, "dim_journey_stage", "stage")
    metrics = [("nps", "NPS"), ("csat", "CSAT top-2-box"), ("ces_easy_rate", "CES easy (5-7)")]
    figure = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=[m[1] for m in metrics] + ["Verbatim tone (share of responses)"],
    )
    segments = [
        "all",
        *[
            r[0]
            for r in ctx.con.execute(
                "select distinct segment from kpi.kpi_voc order by 1"
            ).fetchall()
        ],
    ]
    palette = ["#102a43", "#2680c2", "#f0b429", "#3ebd93", "#e12d39", "#9446ed", "#8d6e63"]
    minimum = _min_support(ctx)
    for col, (column, _) in enumerate(metrics, start=1):
        kpi = find_kpi(ctx.kpis, "kpi_voc", column)
        if kpi.unit == "ratio":
            figure.update_yaxes(tickformat=".0%", row=1, col=col)
        for i, segment in enumerate(segments):
            equals = None if segment == "all" else {"segment": segment}
            series = rollup(ctx.con, kpi, by=["stage"], equals=equals)
            series = hide_unsupported(series, minimum)
            series = series.set_index("stage").reindex(stages).reset_index()
            figure.add_trace(
                go.Scatter(
                    x=series["stage"],
                    y=series["value"],
                    mode="lines+markers",
                    name=segment,
                    legendgroup=segment,
                    showlegend=col == 1,
                    line={
                        "color": palette[i % len(palette)],
                        "width": 3 if segment == "all" else 1.5,
                    },
                ),
                row=1,
                col=col,
            )
    tone = ctx.frame(
        "select stage, emotion_signal, count(*) as responses from marts.fct_touchpoints"
        " where emotion_signal is not null group by all"
    )
    totals = tone.groupby("stage")["responses"].transform("sum")
    tone["share"] = tone["responses"] / totals
    colours = {"positive": "#3ebd93", "neutral": "#bcccdc", "negative": "#e12d39"}
    for signal, colour in colours.items():
        part = tone[tone["emotion_signal"] == signal].set_index("stage").reindex(stages)
        figure.add_trace(
            go.Bar(x=stages, y=part["share"], name=signal, marker_color=colour, legendgroup="tone"),
            row=1,
            col=4,
        )
    figure.update_yaxes(tickformat=".0%", row=1, col=4)
    figure.update_layout(barmode="stack", height=420)
    figure.update_xaxes(tickangle=-45)
    return figure


def build(ctx: ReportContext) -> Page:
    return Page(
        slug="journey",
        title="Journey map",
        sections=[
            Section(
                "Where customers go: touchpoints by stage and channel",
                chart(_swimlane(ctx), "swimlane"),
                note="All touchpoints in the published history (marts.fct_touchpoints); pick "
                "a segment in the menu (the customer's current segment).",
            ),
            Section(
                "How customers feel at each stage",
                chart(_emotion_curve(ctx), "emotion-curve"),
                note="NPS, CSAT and CES rolled up from kpi.kpi_voc per stage and segment; a "
                "point resting on fewer responses than the VoC page compares (dbt var "
                "min_support) is left out, as the VoC page shows it as too few; tone is the "
                "survey responses' emotion signal.",
                needs=("survey",),
            ),
        ],
    )
