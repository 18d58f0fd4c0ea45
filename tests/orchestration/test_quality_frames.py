"""Batch rules on ledger rows written by hand: weekday volume band, missing days, the kept-out
share, and which files the gate judges (pending: not published, not accepted, not superseded)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pytest

from expectations import suites
from expectations.validation import validate
from orchestration.ingestion import loader
from orchestration.ingestion.sources import CONTACT_CENTER
from orchestration.quality import frames, rules

MONDAY = dt.date(2026, 9, 7)
WEEKLY = {0: 100, 1: 110, 2: 90, 3: 100, 4: 120, 5: 30, 6: 20}  # weekday -> calls; Sat, Sun low
GATE = dataclasses.replace(rules.for_source("contact_center"), volume=True, daily=True)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    loader.ensure_tables(con, CONTACT_CENTER)
    return con


def _file(
    con,
    day: dt.date,
    rows: int,
    *,
    rejected: int = 0,
    published: bool = False,
    name: str = "contacts.jsonl",
    status: str | None = None,
    at: int = 0,
) -> str:
    load_id = f"cc-{day}-{name}-{at}"
    con.execute(
        "insert into raw.load_ledger (load_id, source, file, day, sha256, rows_read, rows_loaded,"
        " rows_rejected, status, loaded_at, batch_id, published_at)"
        " values (?, 'contact_center', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            f"contact_center/{day}/{name}",
            day,
            load_id,
            rows,
            rows - rejected,
            rejected,
            status or ("loaded_with_rejects" if rejected else "loaded"),
            dt.datetime(2026, 11, 1) + dt.timedelta(minutes=at),
            f"run-{day}",
            dt.datetime(2026, 11, 2) if published else None,
        ],
    )
    return load_id


def _month(con, days: int, published_days: int = 0, volume=None) -> None:
    for offset in range(days):
        day = MONDAY + dt.timedelta(days=offset)
        rows = (volume or {}).get(offset, WEEKLY[day.weekday()])
        _file(con, day, rows, published=offset < published_days)


def _failures(con, gate=GATE) -> list[str]:
    volume = frames.daily_volume(con, gate)
    return validate("volume", volume, suites.volume_suite(gate)).failures


def test_a_month_with_a_weekly_cycle_passes_every_day(con) -> None:
    _month(con, 35)
    volume = frames.daily_volume(con, GATE)
    assert len(volume) == 35
    assert _failures(con) == []
    by_day = volume.set_index(volume.day.dt.date)
    # day 8 (Tuesday): 8 days of history, one Tuesday before: the trailing week's range
    tuesday = by_day.loc[MONDAY + dt.timedelta(days=8)]
    assert (tuesday.low_bound, tuesday.high_bound) == (0.5 * 20, 2.0 * 120)
    # day 21 (Monday): Mondays 0, 7, 14 before it, median 100
    monday = by_day.loc[MONDAY + dt.timedelta(days=21)]
    assert (monday.low_bound, monday.high_bound, monday.basis) == (
        50,
        200,
        "median of 3 same weekdays",
    )
    # the first week has too little history to judge
    assert by_day.loc[MONDAY + dt.timedelta(days=6)].basis == "too little history"


def test_a_weekday_at_a_tenth_of_its_volume_blocks(con) -> None:
    _month(con, 22, volume={21: 10})  # day 21 is a Monday: 10 calls where 100 are usual
    failures = _failures(con)
    assert len(failures) == 1 and "row_count" in failures[0]
    # with one week of history the band is the trailing week's range: 0.5 x Sunday's 20 = 10
    # is the floor, so a Tuesday of 10 passes and one of 9 blocks
    con.execute("delete from raw.load_ledger")
    _month(con, 9, volume={8: 10})
    assert _failures(con) == []
    con.execute("delete from raw.load_ledger")
    _month(con, 9, volume={8: 9})
    assert len(_failures(con)) == 1


def test_a_day_without_a_file_blocks_a_daily_source(con) -> None:
    _month(con, 14)  # the Friday of the second week has no file; the Friday before had one
    con.execute("delete from raw.load_ledger where day = ?", [MONDAY + dt.timedelta(days=11)])
    volume = frames.daily_volume(con, GATE)
    assert volume.row_count.isna().sum() == 1
    failures = _failures(con)
    assert any(
        "expect_column_values_to_not_be_null(row_count): 1 unexpected" in f for f in failures
    )


def test_only_pending_files_are_judged(con) -> None:
    _month(con, 21, published_days=20)  # day 20 is the only new day
    volume = frames.daily_volume(con, GATE)
    assert volume.day.dt.date.tolist() == [MONDAY + dt.timedelta(days=20)]
    # an accepted file is not judged again
    [load_id] = con.execute(
        "select load_id from raw.load_ledger where published_at is null"
    ).fetchone()
    con.execute(
        "insert into meta.accepted_loads values (?, 'contact_center', 'f', 'b', now(), 'me', 'ok')",
        [load_id],
    )
    assert frames.daily_volume(con, GATE).empty


def test_kept_out_share_counts_pending_files_and_a_correction_supersedes(con) -> None:
    day = MONDAY
    _file(con, day, 1000, rejected=5, published=True)
    _file(con, day + dt.timedelta(days=1), 1000, rejected=30, at=1)  # > 10 rows kept out
    _file(con, day + dt.timedelta(days=1), 0, name="broken.jsonl", status="rejected", at=2)
    summary = frames.batch_summary(con, GATE).iloc[0]
    assert (summary.files, summary.files_rejected, summary.rows_read, summary.rows_kept_out) == (
        2,
        1,
        1000,
        30,
    )
    assert summary.quarantined_share == pytest.approx(0.03)
    failures = validate("batch", frames.batch_summary(con, GATE), suites.batch_suite(GATE))
    assert len(failures.failures) == 2  # a file rejected whole, and 3 % > 1 %
    # corrected deliveries of both files (same names) supersede them
    _file(con, day + dt.timedelta(days=1), 1000, rejected=4, at=3)
    _file(con, day + dt.timedelta(days=1), 10, name="broken.jsonl", at=4)
    summary = frames.batch_summary(con, GATE).iloc[0]
    assert (summary.files, summary.files_rejected, summary.rows_read) == (2, 0, 1010)
    assert summary.quarantined_share == pytest.approx(4 / 1010)
    assert validate("batch", frames.batch_summary(con, GATE), suites.batch_suite(GATE)).success


def test_a_handful_of_bad_rows_in_a_small_feed_does_not_block(con) -> None:
    _file(con, MONDAY, 40, rejected=3)  # 7.5 %, but only 3 rows: normal in a small feed
    summary = frames.batch_summary(con, GATE)
    assert summary.iloc[0].quarantined_share == pytest.approx(0.075)
    assert validate("batch", summary, suites.batch_suite(GATE)).success
    _file(con, MONDAY + dt.timedelta(days=1), 100, rejected=11)  # 14 of 140 rows: blocks
    summary = frames.batch_summary(con, GATE)
    assert not validate("batch", summary, suites.batch_suite(GATE)).success


def test_days_compared_with_a_handful_of_rows_are_not_judged(con) -> None:
    small = {0: 8, 1: 9, 2: 7, 3: 8, 4: 9, 5: 2, 6: 1}  # a small centre: weekends of 1-2 calls
    for offset in range(22):
        day = MONDAY + dt.timedelta(days=offset)
        _file(con, day, 1 if offset == 21 else small[day.weekday()])
    volume = frames.daily_volume(con, GATE)
    assert set(volume.basis) == {"too little history", "too few rows to judge"}
    assert _failures(con) == []


def test_a_centre_closed_on_sundays_is_not_missing_a_day(con) -> None:
    for offset in range(22):
        day = MONDAY + dt.timedelta(days=offset)
        if day.weekday() != 6:  # no Sunday files at all
            _file(con, day, WEEKLY[day.weekday()])
    volume = frames.daily_volume(con, GATE)
    sundays = volume[volume.day.dt.day_of_week == 6]
    assert len(sundays) == 3 and sundays.row_count.isna().all()
    assert not sundays.file_expected.any()
    assert _failures(con) == []
    # but a Wednesday without its file is missing (its weekday always had one)
    con.execute("delete from raw.load_ledger where day = ?", [MONDAY + dt.timedelta(days=16)])
    assert len(_failures(con)) == 1


def test_a_file_rejected_for_its_path_stops_blocking_once_its_bytes_load_elsewhere(con) -> None:
    """Issue 17, finding 4: the same bytes moved from a wrong folder to their day folder."""
    wrong = _file(con, MONDAY, 0, name="misplaced.jsonl", status="rejected")
    assert frames.batch_summary(con, GATE).iloc[0].files_rejected == 1
    moved = _file(con, MONDAY + dt.timedelta(days=1), 100, name="contacts.jsonl", at=5)
    con.execute("update raw.load_ledger set sha256 = ? where load_id = ?", [wrong, moved])
    summary = frames.batch_summary(con, GATE).iloc[0]
    assert (summary.files, summary.files_rejected) == (1, 0)


def _calendar_failures(contact_days: list[str], kpi_days: list[str]) -> list[str]:
    con = duckdb.connect()
    con.execute("create schema marts; create schema kpi")
    con.execute("create table marts.fct_contacts (contact_date date)")
    con.execute("create table kpi.kpi_contact_centre_daily (date_day date)")
    for table, days in (
        ("marts.fct_contacts", contact_days),
        ("kpi.kpi_contact_centre_daily", kpi_days),
    ):
        for day in days:
            con.execute(f"insert into {table} values (?)", [day])
    outcome = validate("calendar", frames.calendar(con), suites.calendar_suite())
    return [f.split(":")[0] for f in outcome.failures]


def test_the_queue_kpis_cover_every_day_from_the_first_to_the_last_contact() -> None:
    days = ["2026-09-01", "2026-09-03"]
    assert _calendar_failures(days, ["2026-09-01", "2026-09-02", "2026-09-03"]) == []
    assert _calendar_failures(days, ["2026-09-01", "2026-09-03"]) != []  # 2 September lost


def test_a_deployment_that_queues_nothing_has_no_calendar_to_keep() -> None:
    # e-mail tickets only, or calls that never reach a queue: no queue KPI rows at all
    assert _calendar_failures(["2026-09-01", "2026-09-30"], []) == []
