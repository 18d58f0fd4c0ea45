"""Voice of customer: NPS, CSAT and CES by stage, channel and segment, and sample verbatims."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.context import ReportContext
from reports.html import Page, Section, chart, table
from reports.rollup import find_kpi, rollup

METRICS = [("nps", "NPS"), ("csat", "CSAT top-2-box"), ("ces_easy_rate", "CES easy (5-7)")]
DIMENSIONS = ["stage", "channel", "segment"]
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
    emotion_signal as tone, verbatim
from responses
where newest <= ?
order by reason, response_date desc
"""


def _by_dimension(ctx: ReportContext) -> go.Figure:
    figure = make_subplots(
        rows=len(DIMENSIONS),
        cols=len(METRICS),
        subplot_titles=[f"{label} by {d}" for d in DIMENSIONS for _, label in METRICS],
        vertical_spacing=0.12,
    )
    for row, dimension in enumerate(DIMENSIONS, start=1):
        for col, (column, _) in enumerate(METRICS, start=1):
            kpi = find_kpi(ctx.kpis, "kpi_voc", column)
            values = rollup(ctx.con, kpi, by=[dimension])
            figure.add_trace(
                go.Bar(
                    x=values[dimension],
                    y=values["value"],
                    marker_color="#2680c2",
                    hovertext=[f"{w:.0f} responses" for w in values["weight"]],
                ),
                row=row,
                col=col,
            )
            if kpi.unit == "ratio":
                figure.update_yaxes(tickformat=".0%", row=row, col=col)
    figure.update_layout(height=820, showlegend=False)
    return figure


def build(ctx: ReportContext) -> Page:
    verbatims = ctx.frame(SAMPLE_VERBATIMS, [VERBATIMS_PER_REASON])
    return Page(
        slug="voc",
        title="Voice of customer",
        sections=[
            Section(
                "NPS, CSAT and CES by stage, channel and segment",
                chart(_by_dimension(ctx), "voc-dimensions"),
                note="All weeks in the published history (kpi.kpi_voc); hover for the number of "
                "responses behind a bar.",
                needs=("survey",),
            ),
            Section(
                "Sample verbatims per contact reason",
                table(verbatims, "verbatims"),
                note=f"The {VERBATIMS_PER_REASON} newest verbatims per reason of the episode the "
                "response belongs to (marts.fct_survey_responses).",
                needs=("survey",),
            ),
        ],
    )
