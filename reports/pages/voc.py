"""Voice of customer: NPS, CSAT and CES by stage, channel and segment, sample verbatims, and the
themes verbatims raise (reports/pages/themes.py)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table, with_interval
from reports.pages import themes

# (column in kpi.kpi_voc_slices, title, axis title, tick format)
METRICS = [
    ("nps", "NPS", "NPS (points)", None),
    ("csat", "CSAT top-2-box", "CSAT (share 4-5)", ".0%"),
    ("ces_easy_rate", "CES easy (5-7)", "CES easy (share 5-7)", ".0%"),
]
DIMENSIONS = ["stage", "channel", "segment"]
COUNTS = {"nps": "nps_responses", "csat": "csat_responses", "ces_easy_rate": "ces_responses"}
SUPPORT = {"nps": "has_nps_support", "csat": "has_csat_support", "ces_easy_rate": "has_ces_support"}
TOO_FEW = "too few responses"
VERBATIMS_PER_REASON = 3

SAMPLE_VERBATIMS = """
with responses as (
    select
        coalesce(journeys.reason, 'no reason (relationship survey)') as reason,
        responses.response_date,
        responses.survey_type,
        responses.nps_score,
        responses.csat_score,
        responses.language_code,
        responses.emotion_signal,
        responses.text_tone,
        (
            select string_agg(themes.theme, ', ' order by themes.theme)
            from marts.fct_response_themes as themes
            where themes.response_id = responses.response_id
        ) as themes,
        responses.verbatim,
        row_number() over (
            partition by coalesce(journeys.reason, 'no reason (relationship survey)')
            order by responses.responded_at desc, responses.response_id
        ) as newest
    from marts.fct_survey_responses as responses
    left join marts.fct_service_journeys as journeys
        on responses.episode_id = journeys.episode_id
    where responses.verbatim is not null and trim(responses.verbatim) <> ''
)
select reason, response_date, survey_type, nps_score, csat_score, language_code,
    emotion_signal as score_emotion, text_tone as words_tone, themes, verbatim
from responses
where newest <= ?
order by reason, response_date desc
"""


def _by_dimension(slices: pd.DataFrame) -> go.Figure:
    """One panel per dimension x metric: the slices with enough responses, each bar with its
    95 % interval; a panel with none says so instead of drawing empty axes."""
    figure = make_subplots(
        rows=len(DIMENSIONS),
        cols=len(METRICS),
        subplot_titles=[f"{title} by {d}" for d in DIMENSIONS for _, title, _, _ in METRICS],
        vertical_spacing=0.12,
    )
    for row, dimension in enumerate(DIMENSIONS, start=1):
        for col, (column, _, axis, fmt) in enumerate(METRICS, start=1):
            of = slices[(slices["dimension"] == dimension) & slices[SUPPORT[column]]]
            panel = (row - 1) * len(METRICS) + col
            if of.empty:
                suffix = "" if panel == 1 else str(panel)
                figure.add_annotation(
                    text=TOO_FEW,
                    xref=f"x{suffix} domain",
                    yref=f"y{suffix} domain",
                    x=0.5,
                    y=0.5,
                    showarrow=False,
                    font={"color": "#52606d"},
                )
                figure.update_xaxes(visible=False, row=row, col=col)
                figure.update_yaxes(visible=False, row=row, col=col)
                continue
            figure.add_trace(
                go.Bar(
                    x=of["slice"],
                    y=of[column],
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": (of[f"{column}_high"] - of[column]).clip(lower=0),
                        "arrayminus": (of[column] - of[f"{column}_low"]).clip(lower=0),
                    },
                    marker_color="#2680c2",
                    hovertext=[f"{n:.0f} responses" for n in of[COUNTS[column]]],
                ),
                row=row,
                col=col,
            )
            figure.update_yaxes(title_text=axis, tickformat=fmt, row=row, col=col)
            figure.update_xaxes(title_text=dimension, row=row, col=col)
    figure.update_layout(height=900, showlegend=False)
    return figure


def _any_support(slices: pd.DataFrame) -> bool:
    return not slices.empty and bool(slices[list(SUPPORT.values())].any().any())


def _slice_table(slices: pd.DataFrame) -> pd.DataFrame:
    """Every slice with its counts, values and intervals; a value without support reads
    "too few responses" (its count still shown)."""
    shown = slices[["dimension", "slice", "responses"]].astype(object).copy()
    for column, title, _, fmt in METRICS:
        number = "{:+.0f}" if fmt is None else "{:.0%}"
        shown[f"{title} (n)"] = slices[COUNTS[column]]
        shown[title] = with_interval(slices, column, number, TOO_FEW, SUPPORT[column])
    return shown


SLICES = """
select * from kpi.kpi_voc_slices
order by dimension, responses desc, slice
"""


def build(ctx: ReportContext) -> Page:
    verbatims = ctx.frame(SAMPLE_VERBATIMS, [VERBATIMS_PER_REASON])
    slices = ctx.frame(SLICES)
    minimum = int(slices["min_support"].iloc[0]) if not slices.empty else "enough"
    return Page(
        slug="voc",
        title="Voice of customer",
        sections=[
            Section(
                "NPS, CSAT and CES by stage, channel and segment",
                chart(_by_dimension(slices), "voc-dimensions")
                if _any_support(slices)
                else '<p class="no-data" id="no-data-voc-dimensions">Too few responses to '
                f"compare: no stage, channel or segment has {minimum} responses yet (each "
                "slice's count is in the table below).</p>",
                note="All months in the published history (kpi.kpi_voc_slices): slices with at "
                f"least {minimum} responses, each with its 95 % interval; hover for the number "
                "of responses. A post-contact survey counts in the channel of the contact it "
                "rates, a relationship survey in 'survey'; its stage is the rated contact's, or "
                "the customer's when answering.",
                needs=("survey",),
            ),
            Section(
                "Every slice, with its responses",
                table(_slice_table(slices), "voc-slices"),
                note=f"95 % intervals (NPS: adjusted Wald; rates: Wilson); below {minimum} "
                "responses a slice shows as too few responses and is never compared.",
                needs=("survey",),
            ),
            Section(
                "Sample verbatims per contact reason",
                table(verbatims, "verbatims"),
                note=f"The {VERBATIMS_PER_REASON} newest verbatims per reason of the episode the "
                "response belongs to, with their themes and the tone of their words "
                "(marts.fct_survey_responses, marts.fct_response_themes).",
                needs=("survey",),
            ),
            *themes.sections(ctx),
        ],
    )
