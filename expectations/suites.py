"""The suites: what raw loads and KPI tables must satisfy before anything is published.

Each suite is a function returning GX expectations; the data each one validates is selected by
`orchestration/quality/checks.py`.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from orchestration.quality.rules import GateConfig


def batch_suite(gate: GateConfig) -> list:
    """On one row summing a source's pending files: none rejected whole (a required column
    missing, an unreadable file), and the share of rows kept out at most the threshold once
    more than `min_quarantined_rows` rows are kept out (a handful of bad rows in a small feed
    says nothing about the batch)."""
    return [
        gxe.ExpectColumnValuesToBeBetween(column="files_rejected", max_value=0),
        gxe.ExpectColumnValuesToBeBetween(
            column="quarantined_share",
            max_value=gate.max_quarantined_share,
            row_condition=Column("rows_kept_out") > gate.min_quarantined_rows,
        ),
    ]


def volume_suite(gate: GateConfig) -> list:
    """On one row per judged landing day: delivered if due (daily sources), within the band."""
    expectations: list = []
    if gate.daily:  # a delivery day (most same weekdays had a file) without a file
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column="row_count",
                row_condition=Column("file_expected") == True,  # noqa: E712
            )
        )
    if gate.volume:
        for column_a, column_b in (("row_count", "low_bound"), ("high_bound", "row_count")):
            expectations.append(
                gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=column_a,
                    column_B=column_b,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                )
            )
    return expectations


def kpi_suite(ranges: tuple[tuple[str, float, float], ...]) -> list:
    """On a KPI table: every (column, min, max) of its dbt value_between tests holds."""
    return [
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)
        for column, low, high in ranges
    ]


def reconciliation_suite() -> list:
    """On one row per reconciled count: the KPI total equals the fact total."""
    return [gxe.ExpectColumnValuesToBeBetween(column="difference", min_value=0, max_value=0)]


def calendar_suite() -> list:
    """On one row per day of the period: every day has KPI rows."""
    return [gxe.ExpectColumnValuesToBeBetween(column="kpi_rows", min_value=1)]
