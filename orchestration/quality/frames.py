"""The data each suite validates, selected from the build warehouse with DuckDB."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from orchestration.quality.rules import GateConfig

# The latest delivery of each file of a source: a corrected file of the same name supersedes
# the one it corrects.
LATEST_DELIVERIES = """
    select ledger.*
    from raw.load_ledger as ledger
    where ledger.source = $source
        and ledger.load_id = (
            select latest.load_id from raw.load_ledger as latest
            where latest.source = ledger.source and latest.file = ledger.file
            order by latest.loaded_at desc, latest.load_id desc limit 1
        )
"""

# Ledger rows the gate judges: latest deliveries neither published nor knowingly accepted, nor
# rejected whole and later loaded under another path (a file moved out of a wrong folder).
PENDING_FILES = f"""
    select * from ({LATEST_DELIVERIES}) as delivered
    where delivered.published_at is null
        and delivered.load_id not in (select load_id from meta.accepted_loads)
        and not (
            delivered.status = 'rejected'
            and delivered.sha256 in (
                select moved.sha256 from raw.load_ledger as moved
                where moved.source = delivered.source and moved.status <> 'rejected'
                    and moved.loaded_at > delivered.loaded_at
            )
        )
"""

# Rows delivered per landing day: the latest delivery of each file, files rejected whole aside.
DAILY_ROWS = f"""
    select delivered.day, sum(delivered.rows_read) as row_count
    from ({LATEST_DELIVERIES}) as delivered
    where delivered.status <> 'rejected'
    group by delivered.day
"""


def batch_summary(con: duckdb.DuckDBPyConnection, gate: GateConfig) -> pd.DataFrame:
    """One row: the source's pending files, those rejected whole, rows read in the others and
    rows kept out of them (parse errors and row rules), and the kept-out share."""
    return con.execute(
        f"""
        with pending as ({PENDING_FILES})
        select
            count(*) as files,
            count(*) filter (where status = 'rejected') as files_rejected,
            coalesce(sum(rows_read) filter (where status <> 'rejected'), 0) as rows_read,
            coalesce(sum(rows_rejected) filter (where status <> 'rejected'), 0) as rows_kept_out,
            coalesce(
                sum(rows_rejected) filter (where status <> 'rejected')
                / nullif(sum(rows_read) filter (where status <> 'rejected'), 0),
                0
            ) as quarantined_share
        from pending
        """,
        {"source": gate.source},
    ).df()


def rejected_files(
    con: duckdb.DuckDBPyConnection, gate: GateConfig
) -> list[tuple[str, str, dt.date | None]]:
    """(file, reason, landing day) of the pending files rejected whole."""
    return con.execute(
        f"with pending as ({PENDING_FILES})"
        " select file, reason, day from pending where status = 'rejected' order by file",
        {"source": gate.source},
    ).fetchall()


def kept_out_by_file(con: duckdb.DuckDBPyConnection, gate: GateConfig) -> list[tuple[str, int]]:
    """(file, rows kept out) of the pending files with rows kept out, most first."""
    return con.execute(
        f"with pending as ({PENDING_FILES})"
        " select file, rows_rejected from pending"
        " where status <> 'rejected' and rows_rejected > 0 order by rows_rejected desc, file",
        {"source": gate.source},
    ).fetchall()


def kept_out_by_rule(con: duckdb.DuckDBPyConnection, gate: GateConfig) -> list[tuple[str, int]]:
    """(rule, rows) kept out of the pending files, most first."""
    return con.execute(
        f"""
        with pending as ({PENDING_FILES})
        select coalesce(rejected.rule, 'unreadable') as rule, count(*) as n
        from raw.rejected_rows as rejected
        where rejected.load_id in (select load_id from pending where status <> 'rejected')
        group by all order by n desc, rule
        """,
        {"source": gate.source},
    ).fetchall()


def daily_volume(con: duckdb.DuckDBPyConnection, gate: GateConfig) -> pd.DataFrame:
    """One row per landing day the gate judges: rows delivered and the band they must sit in.

    Judged: the days of pending files, and (for a source that delivers daily) every day from
    the last judged-good day to the newest pending one, so a day with no file shows as a null
    row_count; `file_expected` says whether that weekday is a delivery day (most of the same
    weekdays of the trailing `volume_weeks` weeks had a file). The band is `volume_band` times
    the median of the same weekday over the trailing `volume_weeks` weeks when at least two
    of them were delivered; with less history, from
    `band[0]` x the smallest to `band[1]` x the largest of the trailing 7 days (a week holds
    every weekday, so weekends pass and a collapse does not); with less than
    `volume_min_history_days` days of history, or fewer than `volume_min_rows` rows to compare
    with (the median, or the week's quietest day: small counts are mostly noise), no band
    (null bounds).
    """
    low, high = gate.volume_band
    return con.execute(
        f"""
        with counts as ({DAILY_ROWS}),
        pending as ({PENDING_FILES}),
        pending_days as (select distinct day from pending),
        settled_through as (
            select max(day) as day from counts where day not in (select day from pending_days)
        ),
        span as (
            select
                coalesce(
                    (select day + 1 from settled_through
                        where day < (select max(day) from pending_days)),
                    (select min(day) from pending_days)
                ) as first_day,
                (select max(day) from pending_days) as last_day
        ),
        days as (
            select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as day
            from span where first_day is not null
        ),
        judged as (
            select day from days where $daily
            union
            select day from pending_days
        ),
        history as (
            select
                judged.day,
                (
                    select median(counts.row_count) from counts
                    where counts.day < judged.day
                        and counts.day >= judged.day - 7 * $weeks
                        and date_diff('day', counts.day, judged.day) % 7 = 0
                ) as weekday_median,
                (
                    select count(*) from counts
                    where counts.day < judged.day
                        and counts.day >= judged.day - 7 * $weeks
                        and date_diff('day', counts.day, judged.day) % 7 = 0
                ) as weekdays_seen,
                (
                    select min(counts.row_count) from counts
                    where counts.day between judged.day - 7 and judged.day - 1
                ) as week_min,
                (
                    select max(counts.row_count) from counts
                    where counts.day between judged.day - 7 and judged.day - 1
                ) as week_max,
                (select count(*) from counts where counts.day < judged.day) as history_days,
                (
                    select count(*) from counts
                    where counts.day < judged.day
                        and counts.day >= judged.day - 7 * $weeks
                        and date_diff('day', counts.day, judged.day) % 7 = 0
                ) as weekday_files,
                (
                    select count(*)
                    from range(1, $weeks + 1) as weeks_back (n)
                    where judged.day - 7 * cast(weeks_back.n as integer)
                        >= (select min(counts.day) from counts)
                ) as weekdays_before
            from judged
        ),
        based as (
            select
                history.*,
                case
                    when history.weekdays_seen >= 2 then 'median'
                    when history.history_days >= $min_history then 'week'
                end as method,
                case
                    when history.weekdays_seen >= 2 then history.weekday_median
                    when history.history_days >= $min_history then history.week_min
                end as base_rows
            from history
        )
        select
            history.day,
            counts.row_count,
            -- a file is due when most of the same weekdays before it had one (a centre closed
            -- on Sundays delivers no Sunday file); not judged before one such weekday
            history.weekdays_before >= 1 and history.weekday_files * 2 > history.weekdays_before
                as file_expected,
            case
                when history.base_rows < $min_rows then null
                when history.method = 'median' then {low} * history.weekday_median
                when history.method = 'week' then {low} * history.week_min
            end as low_bound,
            case
                when history.base_rows < $min_rows then null
                when history.method = 'median' then {high} * history.weekday_median
                when history.method = 'week' then {high} * history.week_max
            end as high_bound,
            case
                when history.method is null then 'too little history'
                when history.base_rows < $min_rows then 'too few rows to judge'
                when history.method = 'median'
                    then 'median of ' || history.weekdays_seen || ' same weekdays'
                else 'range of the trailing 7 days'
            end as basis
        from based as history
        left join counts on history.day = counts.day
        order by history.day
        """,
        {
            "source": gate.source,
            "daily": gate.daily,
            "weeks": gate.volume_weeks,
            "min_history": gate.volume_min_history_days,
            "min_rows": gate.volume_min_rows,
        },
    ).df()


def table(con: duckdb.DuckDBPyConnection, relation: str) -> pd.DataFrame:
    return con.execute(f"select * from {relation}").df()


RECONCILIATIONS = {
    "kpi.kpi_contact_centre_daily": [
        (
            "offered",
            "select sum(offered) from kpi.kpi_contact_centre_daily",
            "select count(*) from marts.fct_contacts where is_offered",
        ),
        (
            "handled",
            "select sum(handled) from kpi.kpi_contact_centre_daily",
            "select count(*) from marts.fct_contacts where is_offered and is_handled_live",
        ),
    ],
    "kpi.kpi_service_daily": [
        (
            "episodes",
            "select sum(episodes) from kpi.kpi_service_daily",
            "select count(*) from marts.fct_service_journeys",
        ),
    ],
    "kpi.kpi_voc": [
        (
            "responses",
            "select sum(responses) from kpi.kpi_voc where period_grain = 'month'",
            "select count(*) from marts.fct_survey_responses",
        ),
    ],
    "kpi.kpi_email_daily": [
        (
            "emails",
            "select sum(emails_received) from kpi.kpi_email_daily",
            "select count(*) from marts.fct_contacts where channel = 'email'",
        ),
    ],
}


def reconciliation(con: duckdb.DuckDBPyConnection, relation: str) -> pd.DataFrame:
    """One row per reconciled count: KPI total, fact total and their difference."""
    rows = []
    for name, kpi_sql, fact_sql in RECONCILIATIONS.get(relation, []):
        kpi_total = con.execute(kpi_sql).fetchone()[0] or 0
        fact_total = con.execute(fact_sql).fetchone()[0] or 0
        rows.append(
            {
                "count": name,
                "kpi_total": kpi_total,
                "fact_total": fact_total,
                "difference": kpi_total - fact_total,
            }
        )
    return pd.DataFrame(rows, columns=["count", "kpi_total", "fact_total", "difference"])


def calendar(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per day from the first to the last contact: KPI rows on that day.

    A deployment whose platforms queue nothing (e-mail tickets only, or calls that never reach a
    queue) has no queues to lay out per day: then no day is judged.
    """
    return con.execute(
        """
        with bounds as (
            select min(contact_date) as first_day, max(contact_date) as last_day
            from marts.fct_contacts
            where exists (select 1 from kpi.kpi_contact_centre_daily)
        ),
        days as (
            select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date)
                as date_day
            from bounds
        )
        select days.date_day, count(kpi.date_day) as kpi_rows
        from days
        left join kpi.kpi_contact_centre_daily as kpi on days.date_day = kpi.date_day
        group by days.date_day
        order by days.date_day
        """
    ).df()
