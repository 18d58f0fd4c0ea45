"""The themes sections of the Voice of customer page: which themes customers raise at each stage
and in each language, what a theme does to NPS, which themes are emerging, and where a verbatim's
words disagree with its score."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Section, chart, table, with_interval

TOO_FEW = "too few responses"

BY_SLICE = """
select dimension, slice, theme, cast(sum(theme_verbatims) as bigint) as theme_verbatims
from kpi.kpi_voc_themes
where dimension in ('stage', 'language')
group by dimension, slice, theme
"""

SLICE_TOTALS = """
select dimension, slice, cast(sum(verbatims) as bigint) as verbatims
from (
    select distinct period_start, dimension, slice, verbatims
    from kpi.kpi_voc_themes
    where dimension in ('stage', 'language')
)
group by dimension, slice
"""

IMPACT = """
select theme, theme_verbatims, verbatims, theme_share, nps_responses_with, nps_with, nps_without,
    nps_difference, nps_difference_low, nps_difference_high, has_nps_support,
    csat_responses_with, csat_with, csat_without, csat_difference, csat_difference_low,
    csat_difference_high, has_csat_support, min_support
from kpi.kpi_theme_impact
order by sort_order
"""

EMERGING = """
select period_start, language_code, theme, theme_verbatims, verbatims, theme_share,
    trailing_theme_verbatims, trailing_verbatims, trailing_share, p_value, is_emerging
from kpi.kpi_emerging_themes
where period_start = (select max(period_start) from kpi.kpi_emerging_themes)
    and theme_verbatims > 0
order by is_emerging desc, p_value nulls last, theme_verbatims desc, language_code, theme
"""

TONE = """
select emotion_signal as score_emotion, text_tone as words_tone,
    cast(sum(verbatims) as bigint) as verbatims, cast(sum(disagreements) as bigint) as disagreements
from kpi.kpi_verbatim_tone
group by emotion_signal, text_tone
order by emotion_signal, text_tone
"""

DISAGREEING = """
select response_date, survey_type, nps_score, csat_score, emotion_signal as score_emotion,
    text_tone as words_tone, language_code, verbatim
from marts.fct_survey_responses
where is_tone_disagreement
order by responded_at desc, response_id
limit ?
"""
DISAGREEING_SHOWN = 10


def _heatmaps(counts: pd.DataFrame, totals: pd.DataFrame) -> go.Figure:
    """Share of verbatims raising each theme, by stage and by language (count on hover)."""
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Share of verbatims by stage", "Share of verbatims by language"],
        horizontal_spacing=0.14,
    )
    for col, dimension in enumerate(("stage", "language"), start=1):
        mine = counts[counts["dimension"] == dimension]
        slices = totals[totals["dimension"] == dimension].set_index("slice")["verbatims"]
        raised = mine.pivot(index="theme", columns="slice", values="theme_verbatims").fillna(0)
        raised = raised.reindex(columns=slices.index, fill_value=0)
        share = raised / slices
        figure.add_trace(
            go.Heatmap(
                z=share.values,
                x=[f"{s} (n {slices[s]})" for s in share.columns],
                y=list(share.index),
                customdata=raised.values,
                colorscale="Blues",
                zmin=0,
                colorbar={"x": 0.43 if col == 1 else 1.0, "len": 0.9, "tickformat": ".0%"},
                hovertemplate="%{y}, %{x}: %{z:.0%} (%{customdata:.0f} verbatims)<extra></extra>",
            ),
            row=1,
            col=col,
        )
        figure.update_xaxes(title_text=dimension, row=1, col=col)
    figure.update_layout(height=380)
    return figure


def _impact_figure(impact: pd.DataFrame) -> go.Figure:
    bars = impact[impact["has_nps_support"]]
    figure = go.Figure(
        go.Bar(
            y=bars["theme"],
            x=bars["nps_difference"],
            orientation="h",
            marker_color=["#e12d39" if v < 0 else "#2680c2" for v in bars["nps_difference"]],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (bars["nps_difference_high"] - bars["nps_difference"]).clip(lower=0),
                "arrayminus": (bars["nps_difference"] - bars["nps_difference_low"]).clip(lower=0),
            },
            hovertext=[f"{n} responses with the theme" for n in bars["nps_responses_with"]],
        )
    )
    figure.update_xaxes(title_text="NPS with the theme - NPS without (points, 95 % interval)")
    figure.update_layout(height=max(260, 60 + 40 * len(bars)), showlegend=False)
    return figure


def _impact_table(impact: pd.DataFrame) -> pd.DataFrame:
    shown = impact[["theme", "theme_verbatims", "theme_share", "nps_responses_with"]].copy()
    shown["theme_share"] = shown["theme_share"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
    shown["NPS with / without"] = [
        "" if pd.isna(w) else f"{w:+.0f} / {o:+.0f}" if not pd.isna(o) else f"{w:+.0f} / -"
        for w, o in zip(impact["nps_with"], impact["nps_without"], strict=True)
    ]
    shown["NPS difference (95 %)"] = with_interval(
        impact, "nps_difference", "{:+.0f}", TOO_FEW, "has_nps_support"
    )
    shown["CSAT difference (95 %)"] = with_interval(
        impact, "csat_difference", "{:+.0%}", TOO_FEW, "has_csat_support"
    )
    return shown


def sections(ctx: ReportContext) -> list[Section]:
    counts, totals = ctx.frame(BY_SLICE), ctx.frame(SLICE_TOTALS)
    impact = ctx.frame(IMPACT)
    emerging = ctx.frame(EMERGING)
    minimum = int(impact["min_support"].iloc[0]) if not impact.empty else "enough"
    week = emerging["period_start"].iloc[0] if not emerging.empty else None
    flagged = int(emerging["is_emerging"].sum()) if not emerging.empty else 0
    return [
        Section(
            "Themes customers raise, by stage and language",
            chart(_heatmaps(counts, totals), "voc-themes")
            if not counts.empty
            else '<p class="no-data" id="no-data-voc-themes">No verbatim raises a theme in the '
            "published history.</p>",
            note="The share of verbatims raising each theme (a verbatim can raise several), over "
            "the published history (kpi.kpi_voc_themes); themes are tagged by the rules in "
            "seeds/voc_theme_rules.csv, in each verbatim's language (docs/voc.md).",
            needs=("survey",),
        ),
        Section(
            "What a theme does to NPS",
            (
                chart(_impact_figure(impact), "theme-nps")
                if not impact.empty and impact["has_nps_support"].any()
                else '<p class="no-data" id="no-data-theme-nps">No theme has '
                f"{minimum} NPS responses with it and without it yet: too few responses to "
                "compare.</p>"
            )
            + table(_impact_table(impact), "theme-impact"),
            note="NPS (and CSAT) of the responses whose verbatim raises the theme against those "
            "whose verbatim does not, with the 95 % interval of the difference (adjusted Wald; "
            f"Newcombe for CSAT); bars only with {minimum} responses on each side "
            "(kpi.kpi_theme_impact).",
            needs=("survey",),
        ),
        Section(
            "Emerging themes" + (f", week of {week:%Y-%m-%d}" if week is not None else ""),
            table(
                emerging,
                "emerging-themes",
                {"theme_share": "{:.0%}", "trailing_share": "{:.0%}", "p_value": "{:.3f}"},
            ),
            note=f"{flagged} emerging. The latest week's share of each theme against its share in "
            "the trailing weeks (dbt var emerging_theme_trailing_weeks), with a one-sided "
            "two-proportion test; emerging below emerging_theme_p_value with at least "
            "emerging_theme_min_count verbatims (kpi.kpi_emerging_themes; language 'all' is "
            "every language together).",
            needs=("survey",),
        ),
        Section(
            "When the words and the score disagree",
            table(ctx.frame(TONE), "verbatim-tone")
            + table(ctx.frame(DISAGREEING, [DISAGREEING_SHOWN]), "tone-disagreements"),
            note="A verbatim's tone from its own words (seeds/voc_tone_words.csv) beside the "
            "emotion of its score; a disagreement is a positive score with a negative verbatim "
            f"(a promoter writing a complaint) or the other way; the {DISAGREEING_SHOWN} newest "
            "below (kpi.kpi_verbatim_tone, marts.fct_survey_responses).",
            needs=("survey",),
        ),
    ]
