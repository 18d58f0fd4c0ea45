"""Funnel: customers entering each stage, stage conversion and journey breaks."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table
from reports.rollup import find_kpi, rollup

STAGE_TOTALS = """
select
    stage,
    min(stage_order) as stage_order,
    min(next_stage) as next_stage,
    cast(sum(customers_entered) as bigint) as customers_entered,
    cast(sum(customers_converted) as bigint) as customers_converted,
    cast(sum(journey_breaks) as bigint) as journey_breaks
from kpi.kpi_journey_stages
group by stage
order by stage_order
"""


def build(ctx: ReportContext) -> Page:
    stages = ctx.frame(STAGE_TOTALS)
    conversion = rollup(
        ctx.con, find_kpi(ctx.kpis, "kpi_journey_stages", "stage_conversion_rate"), by=["stage"]
    )
    stages = stages.merge(conversion[["stage", "value"]], on="stage", how="left").rename(
        columns={"value": "stage_conversion_rate"}
    )
    funnel = go.Figure(
        go.Funnel(y=stages["stage"], x=stages["customers_entered"], textinfo="value")
    )
    funnel.update_layout(height=380)
    breaks = make_subplots(rows=1, cols=2, subplot_titles=["Stage conversion", "Journey breaks"])
    breaks.add_trace(
        go.Bar(
            x=stages["stage"],
            y=stages["stage_conversion_rate"],
            marker_color="#2680c2",
            name="conversion",
        ),
        row=1,
        col=1,
    )
    breaks.add_trace(
        go.Bar(
            x=stages["stage"], y=stages["journey_breaks"], marker_color="#e12d39", name="breaks"
        ),
        row=1,
        col=2,
    )
    breaks.update_yaxes(tickformat=".0%", row=1, col=1)
    breaks.update_layout(height=340, showlegend=False)
    by_month = ctx.frame(
        "select entry_month, stage, customers_entered, customers_converted, journey_breaks,"
        " stage_conversion_rate, mean_days_in_stage from kpi.kpi_journey_stages"
        " order by entry_month desc, stage_order"
    )
    return Page(
        slug="funnel",
        title="Funnel",
        sections=[
            Section(
                "Customers entering each stage",
                chart(funnel, "funnel"),
                note="All entry months in the published history (kpi.kpi_journey_stages).",
            ),
            Section(
                "Stage conversion and journey breaks",
                chart(breaks, "stage-breaks"),
                note="Conversion = customers entering the next stage within the window / "
                "customers whose window has passed or who converted (kpi_journey_stages); "
                "a break is a customer who left the stage without reaching "
                "the next one within the window; with a source missing, the stages it "
                "shows cannot be followed (no data, not 0)"
                + (
                    f": no data yet from {', '.join(ctx.sources_without_data)}"
                    if ctx.sources_without_data
                    else ""
                )
                + ".",
            ),
            Section(
                "By entry month",
                table(
                    by_month,
                    "funnel-by-month",
                    {"stage_conversion_rate": "{:.1%}", "mean_days_in_stage": "{:.1f}"},
                ),
            ),
        ],
    )
