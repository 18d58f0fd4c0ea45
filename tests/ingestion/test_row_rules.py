"""Row rules quarantine at load, duplicates are counted: hand-written rows, hand-counted results.

The rules come from the sources YAML (`meta: gate:`), read by orchestration/quality/rules.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from orchestration.ingestion import loader
from orchestration.ingestion.sources import CONTACT_CENTER, SURVEY
from orchestration.quality import rules
from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.warehouse import connect


def _leg(contact_id: str, **fields) -> str:
    return json.dumps({"contact_id": contact_id, "channel": "voice", **fields})


T = "2026-01-01T10:00:"  # + seconds
LEGS = [
    # 1 in order, with nulls skipped (no queue): loaded
    _leg("ok1", initiated_at=T + "00Z", answered_at=T + "05Z", ended_at=T + "50Z"),
    # 2 queued before it was initiated (negative IVR time)
    _leg("bad2", initiated_at=T + "10Z", queued_at=T + "05Z", ended_at=T + "50Z"),
    # 3 ended before answered, with queued_at null between them
    _leg("bad3", initiated_at=T + "00Z", answered_at=T + "40Z", ended_at=T + "30Z"),
    # 4 negative hold
    _leg("bad4", initiated_at=T + "00Z", hold_seconds=-3),
    # 5 a year in the future
    _leg("bad5", initiated_at="2099-01-01T00:00:00Z"),
    # 6 before the earliest date
    _leg("bad6", initiated_at="1970-01-01T00:00:00Z"),
    # 7 e-mail replied before it was received
    _leg(
        "bad7",
        channel="email",
        initiated_at=T + "00Z",
        received_at=T + "00Z",
        first_response_at="2026-01-01T09:00:00Z",
    ),
    # 8 exact copy of line 1: loaded, counted as an exact duplicate
    _leg("ok1", initiated_at=T + "00Z", answered_at=T + "05Z", ended_at=T + "50Z"),
    # 9 same key as line 1, different content: loaded, counted as conflicting
    _leg("ok1", initiated_at=T + "00Z", answered_at=T + "06Z", ended_at=T + "50Z"),
]
EXPECTED_RULES = {
    2: "leg_timestamps_out_of_order",
    3: "leg_timestamps_out_of_order",
    4: "negative_duration",
    5: "timestamp_in_future",
    6: "timestamp_before_earliest_date",
    7: "email_reply_before_receipt",
}


@pytest.fixture
def settings(cjm_home: Path) -> Settings:
    return Settings.from_env()


def _write(settings: Settings, relative: str, data: str) -> None:
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data)


def _ingest(settings: Settings, spec) -> None:
    con = connect(settings)
    try:
        loader.ingest_source(con, spec, settings.landing_dir)
    finally:
        con.close()


def _query(settings: Settings, sql: str) -> list[tuple]:
    con = connect(settings, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_rows_breaking_a_row_rule_are_quarantined_with_the_rules_name(settings) -> None:
    _write(settings, "contact_center/2026-01-01/contacts.jsonl", "\n".join(LEGS) + "\n")
    _ingest(settings, CONTACT_CENTER)
    kept_out = _query(
        settings, "select row_number, rule, reason, raw_line from raw.rejected_rows order by 1"
    )
    assert {row: rule for row, rule, _, _ in kept_out} == EXPECTED_RULES
    reasons = {row: reason for row, _, reason, _ in kept_out}
    assert reasons[2] == (
        "leg_timestamps_out_of_order: queued_at 2026-01-01 10:00:05 before initiated_at"
        " 2026-01-01 10:00:10"
    )
    assert reasons[3] == (
        "leg_timestamps_out_of_order: ended_at 2026-01-01 10:00:30 before answered_at"
        " 2026-01-01 10:00:40"
    )
    assert reasons[4] == "negative_duration: hold_seconds -3"
    assert all(raw == LEGS[row - 1] for row, _, _, raw in kept_out)  # the record, as delivered
    [ledger] = _query(
        settings,
        "select rows_read, rows_loaded, rows_rejected, duplicates_exact, duplicates_conflicting"
        " from raw.load_ledger",
    )
    assert ledger == (9, 3, 6, 1, 1)  # lines 1, 8, 9 loaded; 8 exact and 9 conflicting copies


def test_duplicates_across_files_are_counted_against_what_is_loaded(settings) -> None:
    first = [_leg("a", initiated_at=T + "00Z"), _leg("b", initiated_at=T + "00Z")]
    _write(settings, "contact_center/2026-01-01/contacts.jsonl", "\n".join(first) + "\n")
    _ingest(settings, CONTACT_CENTER)
    second = [
        _leg("a", initiated_at=T + "00Z"),  # exact copy of yesterday's a
        _leg("b", initiated_at=T + "09Z"),  # b changed: conflicting
        _leg("c", initiated_at=T + "00Z"),  # new
        _leg("c", initiated_at=T + "00Z"),  # exact copy within the file
    ]
    _write(settings, "contact_center/2026-01-02/contacts.jsonl", "\n".join(second) + "\n")
    _ingest(settings, CONTACT_CENTER)
    assert _query(
        settings,
        "select day, rows_loaded, duplicates_exact, duplicates_conflicting"
        " from raw.load_ledger order by day",
    ) == [
        (dt.date(2026, 1, 1), 2, 0, 0),
        (dt.date(2026, 1, 2), 4, 2, 1),
    ]


def test_duplicates_are_counted_within_the_window_of_landing_days(settings) -> None:
    """gate_duplicate_window_days (31): a copy 31 landing days after its first load is
    counted, one 32 days after is not (it still loads, and staging keeps one row per key)."""
    _write(settings, "contact_center/2026-01-01/contacts.jsonl", _leg("a", initiated_at=T + "00Z"))
    copy_of_a = [_leg("a", initiated_at=T + "00Z"), _leg("x", initiated_at=T + "00Z")]
    _write(settings, "contact_center/2026-02-01/contacts.jsonl", "\n".join(copy_of_a))
    _write(settings, "contact_center/2026-02-02/contacts.jsonl", _leg("b", initiated_at=T + "00Z"))
    _ingest(settings, CONTACT_CENTER)
    copy_of_b = [_leg("b", initiated_at=T + "00Z"), _leg("y", initiated_at=T + "00Z")]
    _write(settings, "contact_center/2026-03-06/contacts.jsonl", "\n".join(copy_of_b))
    _ingest(settings, CONTACT_CENTER)
    assert _query(
        settings, "select day, rows_loaded, duplicates_exact from raw.load_ledger order by day"
    ) == [
        (dt.date(2026, 1, 1), 1, 0),
        (dt.date(2026, 2, 1), 2, 1),  # a, 31 days after its first load: counted
        (dt.date(2026, 2, 2), 1, 0),
        (dt.date(2026, 3, 6), 2, 0),  # b, 32 days after its first load: loaded, not counted
    ]


def test_survey_scores_out_of_range_are_quarantined(settings) -> None:
    _write(
        settings,
        "survey/2026-01-01/responses.csv",
        "response_id,survey_type,sent_at,responded_at,nps,csat,ces\r\n"
        "r1,relationship,,2026-01-01 10:00:00,10,,\r\n"  # NPS 10: the top of the range
        "r2,relationship,,2026-01-01 10:00:00,11,,\r\n"  # NPS 11
        "r3,post_contact,,2026-01-01 10:00:00,,0,\r\n"  # CSAT 0
        "r4,post_contact,,2026-01-01 10:00:00,,5,8\r\n"  # CES 8
        "r5,post_contact,2026-01-01 11:00:00,2026-01-01 10:00:00,,4,\r\n",  # answered before sent
    )
    _ingest(settings, SURVEY)
    assert _query(
        settings, "select row_number, rule, reason from raw.rejected_rows order by 1"
    ) == [
        (2, "score_out_of_range", "score_out_of_range: nps 11 not in [0, 10]"),
        (3, "score_out_of_range", "score_out_of_range: csat 0 not in [1, 5]"),
        (4, "score_out_of_range", "score_out_of_range: ces 8 not in [1, 7]"),
        (
            5,
            "responded_before_sent",
            "responded_before_sent: responded_at 2026-01-01 10:00:00 before sent_at"
            " 2026-01-01 11:00:00",
        ),
    ]


def test_rules_come_from_the_sources_yaml_and_the_project_vars(tmp_path: Path) -> None:
    (tmp_path / "models/staging/x").mkdir(parents=True)
    project = (DBT_PROJECT_DIR / "dbt_project.yml").read_text()
    (tmp_path / "dbt_project.yml").write_text(
        project.replace("gate_volume_band: [0.5, 2.0]", "gate_volume_band: [0.25, 4]")
    )
    (tmp_path / "models/staging/x/_x__sources.yml").write_text(
        "sources:\n  - name: x\n    tables:\n      - name: t\n        meta:\n"
        "          landing: {format: csv, suffixes: [.csv]}\n          gate:\n"
        "            natural_key: [a, b]\n            daily: true\n"
        "            max_quarantined_share: 0.2\n"
        "            row_rules:\n              - {name: r, column: s, min: 1}\n"
    )
    gate = rules.load(tmp_path)["x"]
    assert gate.natural_key == ("a", "b")
    assert gate.daily and not gate.volume
    assert gate.max_quarantined_share == 0.2  # the source's own value wins
    assert gate.volume_band == (0.25, 4.0)  # the project's default
    assert gate.row_rules == (rules.RowRule("r", "in_range", ("s",), 1, None),)


def test_kpi_range_gate_comes_from_the_dbt_value_between_tests(tmp_path: Path) -> None:
    """A KPI model added by the recipe (docs/kpis.md: YAML with value_between) is gated."""
    (tmp_path / "models/marts/kpi").mkdir(parents=True)
    (tmp_path / "models/marts/kpi/_kpi__models.yml").write_text(
        "models:\n  - name: kpi_new\n    columns:\n      - name: day\n"
        "      - name: new_rate\n        data_tests:\n          - not_null\n"
        "          - value_between:\n              arguments: {min_value: 0, max_value: 1}\n"
    )
    assert rules.kpi_ranges(tmp_path) == {"kpi_new": (("new_rate", 0, 1),)}
    project = rules.kpi_ranges()
    assert ("nps", -100, 100) in project["kpi_voc"]
    assert ("nps_with", -100, 100) in project["kpi_moments_of_truth"]
    assert "kpi_headline_targets" not in project  # no ranges, no range gate


def test_the_gate_thresholds_have_one_home_the_dbt_vars(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("vars:\n  gate_max_quarantined_share: 0.05\n")
    with pytest.raises(ValueError, match="vars lack the gate's gate_min_quarantined_rows"):
        rules.load(tmp_path)


def test_the_earliest_date_is_a_local_date(settings, monkeypatch) -> None:
    """Asia/Jerusalem (UTC+2 in winter), earliest date 1999-01-01: a call at 00:30 local on
    1 January (22:30 UTC the day before) loads; one at 23:30 local on 31 December is kept out,
    its reason giving the bound it broke."""
    import dataclasses

    monkeypatch.setenv("CJM_TIMEZONE", "Asia/Jerusalem")
    gate = dataclasses.replace(rules.for_source("contact_center"), earliest_date="1999-01-01")
    monkeypatch.setattr(rules, "for_source", lambda name: gate)
    legs = [
        _leg("new-year", initiated_at="1998-12-31T22:30:00Z"),
        _leg("old-year", initiated_at="1998-12-31T21:30:00Z"),
    ]
    _write(settings, "contact_center/1999-01-01/contacts.jsonl", "\n".join(legs) + "\n")
    _ingest(settings, CONTACT_CENTER)
    assert _query(settings, "select contact_id from raw.contact_center__contacts") == [
        ("new-year",)
    ]
    assert _query(settings, "select row_number, reason from raw.rejected_rows") == [
        (
            2,
            "timestamp_before_earliest_date: initiated_at 1998-12-31 21:30:00 UTC"
            " (before 1999-01-01 Asia/Jerusalem, gate_earliest_date)",
        )
    ]
