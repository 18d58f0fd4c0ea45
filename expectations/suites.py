"""The suites: what raw loads and KPI tables must satisfy before anything is published.

Each suite is a function returning GX expectations; the data each one validates is selected by
`orchestration/quality/checks.py`.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from orchestration.ingestion.sources import SourceSpec

VOLUME_BAND = (0.5, 2.0)  # a day's rows / the trailing 7 days' mean
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
NATURAL_KEYS = {"contact_center": "contact_id", "web": "event_id", "survey": "response_id"}
TIMESTAMP_COLUMNS = {"contact_center": "initiated_at", "web": "event_at", "survey": "responded_at"}


def raw_batch_suite(spec: SourceSpec) -> list:
    """On the rows of the latest load batch of a source."""
    expectations: list = [gxe.ExpectColumnValuesToNotBeNull(column=name) for name in spec.required]
    if spec.name in NATURAL_KEYS:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=NATURAL_KEYS[spec.name]))
    if spec.name in TIMESTAMP_COLUMNS:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(column="hours_in_future", max_value=24, mostly=1.0)
        )
    if spec.name == "survey":
        for column, (low, high) in SCORE_RANGES.items():
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)
            )
    return expectations


def raw_volume_suite() -> list:
    """On one row per landing day of a source: rows, trailing 7-day mean, and their ratio."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="row_count"),  # no day missing
        gxe.ExpectColumnValuesToBeBetween(
            column="volume_ratio", min_value=VOLUME_BAND[0], max_value=VOLUME_BAND[1]
        ),
    ]


def kpi_suite(ratio_columns: list[str], nps_columns: list[str] = ()) -> list:
    """On a KPI table: every ratio in [0, 1], every NPS in [-100, 100]."""
    return [
        *(
            gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
            for c in ratio_columns
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=c, min_value=-100, max_value=100)
            for c in nps_columns
        ),
    ]


def reconciliation_suite() -> list:
    """On one row per reconciled count: the KPI total equals the fact total."""
    return [gxe.ExpectColumnValuesToBeBetween(column="difference", min_value=0, max_value=0)]


def calendar_suite() -> list:
    """On one row per day of the period: every day has KPI rows."""
    return [gxe.ExpectColumnValuesToBeBetween(column="kpi_rows", min_value=1)]
