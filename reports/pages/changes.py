"""Changes: did a change the centre made help? Each change in seeds/change_log.csv with the KPIs
it should move, before and after, the difference with its 95 % interval, the
difference-in-differences against the untouched slices, and the verdict (kpi.kpi_change_impact)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from reports.context import ReportContext
from reports.html import Page, Section, chart, table, with_interval

IMPACT = """
select change_id, change_date, description, scope_dimension, scope_value, kpi, kind,
    better_direction, days_before, days_after, volume_before, volume_after, value_before,
    value_after, difference, difference_low, difference_high, p_value, untouched_difference,
    did_difference, did_difference_low, did_difference_high, did_p_value, verdict
from kpi.kpi_change_impact
order by change_date, change_id, kpi
"""
COLOURS = {"improved": "#147d64", "worse": "#c62828"}


def _difference(row, column: str) -> str:
    """A difference with its interval: a rate's in percentage points, other KPIs' in their unit."""
    frame = pd.DataFrame([row._asdict()])
    if row.kind == "rate":
        for side in ("", "_low", "_high"):
            frame[column + side] = frame[column + side] * 100
    return with_interval(frame, column, "{:+.1f} pts" if row.kind == "rate" else "{:+.1f}", "")[0]


def _effects(impact: pd.DataFrame) -> go.Figure:
    """The measured effect of each change on each KPI, as a share of its value before, with
    its interval: the difference-in-differences where there is one, else after - before."""
    rows = impact.dropna(subset=["kind"]).copy()
    did = rows["did_difference"].notna()
    for side in ("", "_low", "_high"):
        rows[f"effect{side}"] = rows[f"did_difference{side}"].where(did, rows[f"difference{side}"])
        rows[f"effect{side}"] = rows[f"effect{side}"] / rows["value_before"].abs()
    labels = [
        f"{c} · {k.split('.')[-1]}" for c, k in zip(rows["change_id"], rows["kpi"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=rows["effect"],
            orientation="h",
            marker_color=[COLOURS.get(v, "#9aa5b1") for v in rows["verdict"]],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (rows["effect_high"] - rows["effect"]).clip(lower=0),
                "arrayminus": (rows["effect"] - rows["effect_low"]).clip(lower=0),
            },
            hovertext=list(rows["verdict"]),
        )
    )
    figure.update_xaxes(
        title_text="effect, as a share of the KPI before (95 % interval)", tickformat="+.0%"
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(height=max(280, 60 + 40 * len(rows)), showlegend=False)
    return figure


def _table(impact: pd.DataFrame) -> pd.DataFrame:
    shown = impact[["change_id", "change_date", "description", "kpi", "verdict"]].astype(object)
    shown["scope"] = [
        "all" if d == "all" else f"{d} {v}"
        for d, v in zip(impact["scope_dimension"], impact["scope_value"], strict=True)
    ]
    values, differences, dids, days = [], [], [], []
    for row in impact.itertuples(index=False):
        value = "{:.1%}" if row.kind == "rate" else "{:.1f}"
        if pd.isna(row.value_before) or pd.isna(row.value_after):
            values.append("no data in the window or scope")
        else:
            values.append(f"{value.format(row.value_before)} -> {value.format(row.value_after)}")
        differences.append(
            _difference(row, "difference")
            + ("" if pd.isna(row.p_value) else f", p {row.p_value:.3f}")
        )
        dids.append(
            ""
            if pd.isna(row.did_difference)
            else _difference(row, "did_difference") + f", p {row.did_p_value:.3f}"
        )
        days.append(
            "" if pd.isna(row.days_before) else f"{row.days_before:.0f} / {row.days_after:.0f}"
        )
    shown["before -> after"] = values
    shown["difference (95 %)"] = differences
    shown["against untouched slices (95 %)"] = dids
    shown["days before / after"] = days
    return shown[
        [
            "change_id",
            "change_date",
            "description",
            "scope",
            "kpi",
            "before -> after",
            "difference (95 %)",
            "against untouched slices (95 %)",
            "days before / after",
            "verdict",
        ]
    ]


def build(ctx: ReportContext) -> Page:
    impact = ctx.frame(IMPACT)
    measured = impact.dropna(subset=["kind"]) if not impact.empty else impact
    return Page(
        slug="changes",
        title="Changes",
        sections=[
            Section(
                "Did the changes help?",
                chart(_effects(impact), "change-effects")
                if not measured.empty
                else '<p class="no-data" id="no-data-change-effects">No change in '
                "seeds/change_log.csv has data before and after it yet.</p>",
                note="Each change's effect on each KPI it names, relative to the KPI before: "
                "against the slices it did not touch (difference-in-differences) for a scoped "
                "change, else after against before; green improved, red worse, grey no "
                "detectable change (kpi.kpi_change_impact).",
            ),
            Section(
                "Each change, KPI by KPI",
                table(_table(impact), "change-impact"),
                note="The KPI in the change_window_days before the change date against as many "
                "days after it, leaving out change_settling_days (dbt vars). Rates: "
                "two-proportion test and Newcombe interval; means: Welch's test with days as "
                "units; NPS: adjusted-Wald interval. The verdict reads the difference against "
                "the untouched slices where there is one; below change_p_value a difference "
                "counts, in the KPI's better direction (kpi_targets). docs/changes.md.",
            ),
        ],
    )
