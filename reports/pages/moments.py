"""Moments of truth: touchpoint types ranked by the lower bound of their effect on later NPS
and churn, with support and 95 % intervals; a moment below the minimum support is shown as too
few responses and never ranked (kpi.kpi_moments_of_truth holds every number)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table, with_interval

MOMENTS = """
select
    touchpoint_type || ' · ' || outcome as moment,
    nps_lift_rank, nps_harm_rank, churn_harm_rank,
    nps_support, has_nps_support, churn_support, has_churn_support, min_support,
    nps_responses_with, nps_responses_without, nps_with, nps_without,
    nps_difference, nps_difference_low, nps_difference_high,
    customers_with, customers_without, churn_rate_with, churn_rate_without,
    churn_rate_difference, churn_rate_difference_low, churn_rate_difference_high
from kpi.kpi_moments_of_truth
order by nps_lift_rank nulls last, churn_harm_rank nulls last, moment
"""

TOO_FEW = "too few responses"


def _bars(moments: pd.DataFrame, value: str, supported: str) -> pd.DataFrame:
    """The moments with support, sorted by their value (the bars a reader compares)."""
    return moments[moments[supported]].sort_values(value)


def _figure(moments: pd.DataFrame) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Later NPS difference (points)", "Churn rate difference"],
        horizontal_spacing=0.3,
    )
    for col, (value, supported, fmt) in enumerate(
        [
            ("nps_difference", "has_nps_support", "{:+.1f}"),
            ("churn_rate_difference", "has_churn_support", "{:+.1%}"),
        ],
        start=1,
    ):
        bars = _bars(moments, value, supported)
        figure.add_trace(
            go.Bar(
                y=bars["moment"],
                x=bars[value],
                orientation="h",
                error_x={
                    "type": "data",
                    "symmetric": False,
                    # the adjusted-Wald interval is centred a little towards 0: a small
                    # sample's point can sit just outside it
                    "array": (bars[f"{value}_high"] - bars[value]).clip(lower=0),
                    "arrayminus": (bars[value] - bars[f"{value}_low"]).clip(lower=0),
                },
                marker_color="#2680c2",
                hovertext=[
                    f"{fmt.format(v)} (95 %: {fmt.format(lo)} to {fmt.format(hi)}), support {s}"
                    for v, lo, hi, s in zip(
                        bars[value],
                        bars[f"{value}_low"],
                        bars[f"{value}_high"],
                        bars["nps_support" if col == 1 else "churn_support"],
                        strict=True,
                    )
                ],
            ),
            row=1,
            col=col,
        )
    figure.update_xaxes(title_text="NPS with - NPS without (points, 95 % interval)", row=1, col=1)
    figure.update_xaxes(
        title_text="churn with - churn without (95 % interval)", tickformat=".0%", row=1, col=2
    )
    shown = max(moments["has_nps_support"].sum(), moments["has_churn_support"].sum())
    figure.update_layout(height=max(320, 60 + 28 * int(shown)), showlegend=False)
    return figure


def _ranked_table(moments: pd.DataFrame) -> pd.DataFrame:
    shown = moments.drop(columns=["has_nps_support", "has_churn_support", "min_support"])
    shown = shown.astype(object)
    for rank, supported in (
        ("nps_lift_rank", "has_nps_support"),
        ("nps_harm_rank", "has_nps_support"),
        ("churn_harm_rank", "has_churn_support"),
    ):
        shown[rank] = [
            int(r) if ok else TOO_FEW
            for r, ok in zip(moments[rank], moments[supported], strict=True)
        ]
    for value, fmt in (("nps_difference", "{:+.1f}"), ("churn_rate_difference", "{:+.1%}")):
        shown[f"{value} (95 %)"] = with_interval(moments, value, fmt, "")
        shown = shown.drop(columns=[value, f"{value}_low", f"{value}_high"])
    return shown


def build(ctx: ReportContext) -> Page:
    moments = ctx.frame(MOMENTS)
    minimum = int(moments["min_support"].iloc[0]) if not moments.empty else "enough"
    unranked = int((~moments["has_nps_support"]).sum())
    return Page(
        slug="moments",
        title="Moments of truth",
        sections=[
            Section(
                "Which touchpoints move loyalty",
                chart(_figure(moments), "moments")
                if not moments.empty
                and moments[["has_nps_support", "has_churn_support"]].any().any()
                else f'<p class="no-data" id="no-data-moments">No moment has {minimum} responses'
                " on each side yet: too few responses to compare.</p>",
                note="Customers who had the touchpoint with that outcome versus those who did "
                "not: later NPS and churn, each difference with its 95 % interval (bars: moments "
                f"with at least {minimum} responses, or customers for churn, on each side; "
                f"{unranked} moments have too few for NPS). Contacts about cancelling are left "
                "out: they are the churn, not a moment before it. The comparison does not control "
                "for the contact's reason: a difference goes with the moment, it does not prove "
                "the moment caused it. kpi.kpi_moments_of_truth.",
                needs=("survey", "crm"),
            ),
            Section(
                "Ranked by the lower bound of the effect, with support",
                table(
                    _ranked_table(moments),
                    "moments-ranked",
                    {
                        "nps_with": "{:.1f}",
                        "nps_without": "{:.1f}",
                        "churn_rate_with": "{:.1%}",
                        "churn_rate_without": "{:.1%}",
                    },
                ),
                note="nps_lift_rank: moments most surely going with higher later NPS first (by "
                "the interval's lower bound); nps_harm_rank: most surely lower (by its upper "
                "bound); churn_harm_rank: most surely more churn. Support: the fewer responses "
                f"(customers) of the two sides; below {minimum} a moment is not ranked.",
                needs=("survey", "crm"),
            ),
        ],
    )
