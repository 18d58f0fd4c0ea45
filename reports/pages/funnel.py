"""Funnel: cohorts through the stages, stage conversion and journey breaks, by month."""

from __future__ import annotations

import dataclasses

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table
from reports.rollup import find_kpi, rollup

COHORTS = """
select stage, min(stage_order) as stage_order,
    cast(sum(customers_reached) as bigint) as customers_reached,
    cast(sum(cohort_customers) as bigint) as cohort_customers
from kpi.kpi_stage_funnel
group by stage
order by stage_order
"""

STAGE_TOTALS = """
select stage, min(stage_order) as stage_order, min(next_stage) as next_stage,
    cast(sum(customers_converted) as bigint) as customers_converted,
    cast(sum(customers_with_outcome) as bigint) as customers_with_outcome,
    cast(sum(customers_in_window) as bigint) as customers_in_window,
    cast(sum(journey_breaks) as bigint) as journey_breaks
from kpi.kpi_journey_stages
group by stage
order by stage_order
"""

BY_COHORT = """
select cohort_month, stage, cohort_customers, customers_reached, cohort_share,
    step_conversion_rate
from kpi.kpi_stage_funnel
order by cohort_month desc, stage_order
"""

BY_MONTH = """
select entry_month, stage, customers_entered, customers_converted, journey_breaks,
    customers_in_window, stage_conversion_rate, conversion_status, mean_days_in_stage
from kpi.kpi_journey_stages
order by entry_month desc, stage_order
"""


def _funnel(cohorts: pd.DataFrame) -> go.Figure:
    reached = cohorts.dropna(subset=["customers_reached"])
    figure = go.Figure(
        go.Funnel(
            y=reached["stage"],
            x=reached["customers_reached"],
            textinfo="value+percent initial+percent previous",
            marker={"color": "#2680c2"},
        )
    )
    figure.update_layout(height=380)
    return figure


def _conversion_text(stages: pd.DataFrame) -> list[str]:
    """Each bar's figure as the caption's formula gives it: converted / (converted + breaks);
    "too early" while no customer's window has closed (a rate then would count only the early
    converters), "no data" when the next stage cannot be observed."""
    return [
        (
            "no data"
            if pd.isna(outcome)
            else f"too early ({waiting:,.0f} in their window)"
            if pd.isna(rate)
            else f"{rate:.1%} ({converted:,.0f} of {outcome:,.0f})"
        )
        for rate, converted, outcome, waiting in zip(
            stages["stage_conversion_rate"],
            stages["customers_converted"],
            stages["customers_with_outcome"],
            stages["customers_in_window"],
            strict=True,
        )
    ]


def _conversion(stages: pd.DataFrame) -> go.Figure:
    figure = make_subplots(rows=1, cols=2, subplot_titles=["Stage conversion", "Journey breaks"])
    labels = [f"{s} → {n}" for s, n in zip(stages["stage"], stages["next_stage"], strict=True)]
    figure.add_trace(
        go.Bar(
            x=labels,
            y=stages["stage_conversion_rate"],
            text=_conversion_text(stages),
            textposition="outside",
            marker_color="#2680c2",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(x=labels, y=stages["journey_breaks"], marker_color="#e12d39"), row=1, col=2
    )
    figure.update_yaxes(title_text="% converted", tickformat=".0%", range=[0, 1.1], row=1, col=1)
    figure.update_yaxes(title_text="customers", row=1, col=2)
    figure.update_layout(height=360, showlegend=False)
    return figure


def _monthly(conversion: pd.DataFrame) -> go.Figure:
    """Stage conversion per entry month and stage, with the customers it rests on."""
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Stage conversion by entry month", "Customers whose outcome is known"],
    )
    colours = ["#2680c2", "#f0b429", "#3ebd93", "#9446ed", "#e12d39"]
    for j, (stage, rows) in enumerate(conversion.groupby("stage", sort=False)):
        month = pd.to_datetime(rows["entry_month"]).dt.strftime("%Y-%m")
        colour = colours[j % len(colours)]
        figure.add_trace(
            go.Scatter(
                x=month,
                y=rows["value"],
                mode="lines+markers",
                name=stage,
                legendgroup=stage,
                line={"color": colour},
            ),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Bar(
                x=month,
                y=rows["weight"],
                name=stage,
                legendgroup=stage,
                showlegend=False,
                marker_color=colour,
            ),
            row=1,
            col=2,
        )
    figure.update_xaxes(type="category", title_text="month of entry")
    figure.update_yaxes(title_text="% converted", tickformat=".0%", row=1, col=1)
    figure.update_yaxes(title_text="customers", row=1, col=2)
    figure.update_layout(height=340)
    return figure


def build(ctx: ReportContext) -> Page:
    cohorts = ctx.frame(COHORTS)
    # every step here; the headline's row filter keeps one (consideration -> purchase)
    kpi = dataclasses.replace(
        find_kpi(ctx.kpis, "kpi_journey_stages", "stage_conversion_rate"), row_filter=None
    )
    stages = ctx.frame(STAGE_TOTALS).merge(
        rollup(ctx.con, kpi, by=["stage"])[["stage", "value"]], on="stage", how="left"
    )
    stages = stages.rename(columns={"value": "stage_conversion_rate"})
    monthly = rollup(ctx.con, kpi, by=["stage", "entry_month"])
    monthly = monthly.merge(stages[["stage", "stage_order"]], on="stage").sort_values(
        ["stage_order", "entry_month"]
    )
    cohort_size = int(cohorts["cohort_customers"].iloc[0]) if not cohorts.empty else 0
    missing = (
        f": no data yet from {', '.join(ctx.sources_without_data)}"
        if ctx.sources_without_data
        else ""
    )
    return Page(
        slug="funnel",
        title="Funnel",
        sections=[
            Section(
                "The funnel: how far each cohort got",
                chart(_funnel(cohorts), "funnel")
                if cohorts["customers_reached"].notna().any()
                else '<p class="no-data" id="no-data-funnel">No customer has entered the first '
                "stage yet.</p>",
                note=f"Cohorts: the {cohort_size:,} customers whose journey started in "
                f"{cohorts['stage'].iloc[0] if not cohorts.empty else 'the first stage'} "
                "(all months); a customer reaches a stage by entering it within the stage "
                "conversion window (dbt var stage_conversion_window_days) of reaching the "
                "stage before, so each stage holds at most the customers of the one before. "
                "Customers whose journey starts later (at consideration, or existing customers "
                "calling about an issue) are in no cohort; recent cohorts have had less time "
                "to go on "
                "(kpi.kpi_stage_funnel). Its percentages are of the cohort (of its first stage, "
                "and of the stage before): the stage conversion below differs for the same "
                "step, as it counts every customer entering a stage, in a cohort or not.",
            ),
            Section(
                "Stage conversion and journey breaks",
                chart(_conversion(stages), "stage-breaks"),
                note="Of every customer entering a stage (in any cohort or none): conversion = "
                "customers who entered the next stage within the window / (those customers + "
                "journey breaks), shown on each bar as rate (converted of converted + "
                "breaks), over the customers whose window has closed: those still inside it "
                "are left out, converted or not, and a stage none of whose windows has closed "
                "reads too early. A break is a customer who "
                "left the stage without reaching the next one within the window; with a "
                f"source missing, the stages it shows cannot be followed (no data, not 0){missing}"
                " (kpi.kpi_journey_stages).",
            ),
            Section(
                "Stage conversion by month",
                chart(_monthly(monthly), "stage-monthly")
                if monthly["value"].notna().any()
                else '<p class="no-data" id="no-data-stage-monthly">No stage has a known '
                "outcome yet.</p>",
                note="By the month customers first entered the stage, with the customers whose "
                "outcome is known (converted or broke) beside it.",
            ),
            Section(
                "By cohort month",
                table(
                    ctx.frame(BY_COHORT),
                    "funnel-by-cohort",
                    {"cohort_share": "{:.1%}", "step_conversion_rate": "{:.1%}"},
                ),
            ),
            Section(
                "By entry month",
                table(
                    ctx.frame(BY_MONTH),
                    "funnel-by-month",
                    {"stage_conversion_rate": "{:.1%}", "mean_days_in_stage": "{:.1f}"},
                ),
            ),
        ],
    )
