"""Moments of truth: touchpoint types ranked by their difference in later NPS and churn."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table

RANKED = """
select
    nps_impact_rank, churn_impact_rank, touchpoint_type, outcome,
    customers_with, customers_without, nps_responses_with, nps_responses_without,
    nps_with, nps_without, nps_difference,
    churn_rate_with, churn_rate_without, churn_rate_difference
from kpi.kpi_moments_of_truth
order by nps_impact_rank nulls last, churn_impact_rank nulls last
"""


def build(ctx: ReportContext) -> Page:
    ranked = ctx.frame(RANKED)
    ranked["moment"] = ranked["touchpoint_type"] + " · " + ranked["outcome"]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Later NPS difference", "Churn rate difference"],
        horizontal_spacing=0.25,
    )
    by_nps = ranked.dropna(subset=["nps_difference"]).sort_values("nps_difference")
    figure.add_trace(
        go.Bar(
            y=by_nps["moment"],
            x=by_nps["nps_difference"],
            orientation="h",
            marker_color=["#e12d39" if v < 0 else "#3ebd93" for v in by_nps["nps_difference"]],
        ),
        row=1,
        col=1,
    )
    by_churn = ranked.dropna(subset=["churn_rate_difference"]).sort_values(
        "churn_rate_difference", ascending=False
    )
    figure.add_trace(
        go.Bar(
            y=by_churn["moment"],
            x=by_churn["churn_rate_difference"],
            orientation="h",
            marker_color=[
                "#e12d39" if v > 0 else "#3ebd93" for v in by_churn["churn_rate_difference"]
            ],
        ),
        row=1,
        col=2,
    )
    figure.update_xaxes(tickformat=".1%", row=1, col=2)
    figure.update_layout(height=max(380, 22 * len(ranked)), showlegend=False)
    return Page(
        slug="moments",
        title="Moments of truth",
        sections=[
            Section(
                "Which touchpoints move loyalty",
                chart(figure, "moments"),
                note="Customers who had the touchpoint with that outcome versus those who did "
                "not: later NPS and churn (kpi.kpi_moments_of_truth).",
                needs=("survey", "crm"),
            ),
            Section(
                "Ranked, with counts",
                table(
                    ranked.drop(columns=["moment"]),
                    "moments-ranked",
                    {
                        "nps_with": "{:.1f}",
                        "nps_without": "{:.1f}",
                        "nps_difference": "{:+.1f}",
                        "churn_rate_with": "{:.1%}",
                        "churn_rate_without": "{:.1%}",
                        "churn_rate_difference": "{:+.1%}",
                    },
                ),
                needs=("survey", "crm"),
            ),
        ],
    )
