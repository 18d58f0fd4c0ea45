"""Report pages: what a reader sees in their tables (issue 18)."""

from __future__ import annotations

import pandas as pd

from reports.pages.moments import TOO_FEW, _ranked_table


def test_a_moment_below_the_minimum_support_is_shown_as_too_few_and_never_ranked() -> None:
    moments = pd.DataFrame(
        {
            "moment": ["agent_call · unresolved", "email · unanswered"],
            "nps_lift_rank": [1, None],
            "nps_harm_rank": [1, None],
            "churn_harm_rank": [1, None],
            "nps_support": [40, 1],
            "has_nps_support": [True, False],
            "churn_support": [120, 1],
            "has_churn_support": [True, False],
            "min_support": [30, 30],
            "nps_difference": [-20.0, 50.0],
            "nps_difference_low": [-35.5, -99.8],
            "nps_difference_high": [-4.5, 92.7],
            "churn_rate_difference": [0.1, 0.6667],
            "churn_rate_difference_low": [0.02, -0.25],
            "churn_rate_difference_high": [0.18, 0.9385],
        }
    )
    shown = _ranked_table(moments)
    assert shown["nps_lift_rank"].tolist() == [1, TOO_FEW]
    assert shown["churn_harm_rank"].tolist() == [1, TOO_FEW]
    assert shown["nps_difference (95 %)"].tolist() == [
        "-20.0 (-35.5 to -4.5)",
        "+50.0 (-99.8 to +92.7)",
    ]
    assert shown["churn_rate_difference (95 %)"].tolist() == [
        "+10.0% (+2.0% to +18.0%)",
        "+66.7% (-25.0% to +93.8%)",
    ]
    assert "min_support" not in shown.columns
    assert "nps_difference" not in shown.columns  # the value is shown with its interval


def test_a_verbatim_over_two_lines_shows_as_two_lines_not_a_literal_backslash_n() -> None:
    from reports.html import table

    html = table(pd.DataFrame({"verbatim": ["Waited <too> long.\nStill not fixed."]}), "v")
    assert "Waited &lt;too&gt; long.<br>Still not fixed." in html
    assert "\\n" not in html


def test_a_voc_slice_below_the_minimum_support_reads_too_few_responses() -> None:
    from reports.pages.voc import _slice_table

    slices = pd.DataFrame(
        {
            "dimension": ["channel", "channel"],
            "slice": ["voice", "chat"],
            "responses": [120, 3],
            "nps_responses": [40, 0],
            "nps": [25.0, None],
            "nps_low": [2.5, None],
            "nps_high": [45.1, None],
            "has_nps_support": [True, False],
            "csat_responses": [100, 3],
            "csat": [0.8, 1.0],
            "csat_low": [0.711, 0.439],
            "csat_high": [0.866, 1.0],
            "has_csat_support": [True, False],
            "ces_responses": [35, 2],
            "ces_easy_rate": [0.6, 0.5],
            "ces_easy_rate_low": [0.433, 0.095],
            "ces_easy_rate_high": [0.746, 0.905],
            "has_ces_support": [True, False],
        }
    )
    shown = _slice_table(slices)
    assert shown["NPS"].tolist() == ["+25 (+2 to +45)", "too few responses"]
    assert shown["CSAT top-2-box"].tolist() == ["80% (71% to 87%)", "too few responses"]
    assert shown["CSAT top-2-box (n)"].tolist() == [100, 3]  # the count, even when too few


def test_each_stage_conversion_bar_shows_the_captions_formula() -> None:
    """Issue 18: the caption's formula gave 24 % where the bar showed 37.2 %; each bar now
    reads rate (converted of converted + breaks): 174 / (174 + 295) = 37.1 %. A stage none of
    whose 12 customers has reached the end of the window yet reads too early, not 100 %."""
    from reports.pages.funnel import _conversion_text

    stages = pd.DataFrame(
        {
            "stage_conversion_rate": [174 / 469, None, None],
            "customers_converted": [174, 0, None],
            "customers_with_outcome": [469, 0, None],
            "customers_in_window": [20, 12, None],
        }
    )
    assert _conversion_text(stages) == [
        "37.1% (174 of 469)",
        "too early (12 in their window)",
        "no data",
    ]


def test_a_target_set_for_one_channel_is_that_channels_alone() -> None:
    """AHT's target is voice's (row_filter channel = 'voice'): the page rolls AHT up for every
    channel and draws the target for voice alone; a target without a channel is everyone's."""
    from reports.pages.contact_centre import _per_channel
    from reports.rollup import Kpi

    aht = Kpi(
        "kpi_contact_centre_daily", "average_handle_time_seconds", "AHT (voice)", 420.0,
        "at_most", "seconds", "handle_seconds", "handled", 1.0, "date_day", "channel = 'voice'",
    )  # fmt: skip
    every_channel, target_channel = _per_channel(aht)
    assert (every_channel.row_filter, target_channel) == (None, "voice")
    assert _per_channel(every_channel) == (every_channel, None)


def test_the_journey_map_draws_no_score_from_too_few_responses() -> None:
    """One promoter is an NPS of 100 on a single response: the VoC page shows it as too few
    (min_support 30), so the journey map leaves the point out; 40 responses are drawn."""
    from reports.pages.journey import hide_unsupported

    series = pd.DataFrame(
        {"stage": ["awareness", "service"], "value": [100.0, 12.5], "weight": [1.0, 40.0]}
    )
    shown = hide_unsupported(series, 30)
    assert shown["value"].isna().tolist() == [True, False]
    assert shown["value"].iloc[1] == 12.5
