"""The Changes page: what a reader sees of a change's effect (issue 19)."""

from __future__ import annotations

import pandas as pd

from reports.pages.changes import _table


def test_a_rate_difference_reads_in_points_and_a_missing_kpi_says_no_data() -> None:
    impact = pd.DataFrame(
        {
            "change_id": ["C1", "C2", "Z"],
            "change_date": ["2026-09-15"] * 3,
            "description": ["bot flow", "staffing", "offer"],
            "scope_dimension": ["channel", "all", "segment"],
            "scope_value": ["bot", None, "vip"],
            "kpi": [
                "m.containment_rate",
                "m.average_speed_of_answer_seconds",
                "m.abandonment_rate",
            ],
            "kind": ["rate", "mean", None],
            "value_before": [0.4, 25.0, None],
            "value_after": [0.7, 45.0, None],
            "difference": [0.3, 20.0, None],
            "difference_low": [0.204, 8.857, None],
            "difference_high": [0.388, 31.143, None],
            "p_value": [1.6e-9, 0.0217, None],
            "did_difference": [0.3, None, None],
            "did_difference_low": [0.133, None, None],
            "did_difference_high": [0.467, None, None],
            "did_p_value": [0.0004, None, None],
            "days_before": [2, 3, None],
            "days_after": [2, 3, None],
            "verdict": ["improved", "worse", "not measurable"],
        }
    )
    shown = _table(impact)
    assert shown["before -> after"].tolist() == [
        "40.0% -> 70.0%",
        "25.0 -> 45.0",
        "no data in the window or scope",
    ]
    assert shown["difference (95 %)"].tolist() == [
        "+30.0 pts (+20.4 pts to +38.8 pts), p 0.000",
        "+20.0 (+8.9 to +31.1), p 0.022",
        "",
    ]
    assert shown["against untouched slices (95 %)"].tolist() == [
        "+30.0 pts (+13.3 pts to +46.7 pts), p 0.000",
        "",
        "",
    ]
    assert shown["scope"].tolist() == ["channel bot", "all", "segment vip"]
