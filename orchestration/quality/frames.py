"""The data each suite validates, selected from the build warehouse with DuckDB."""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.ingestion.sources import SourceSpec

TRAILING_DAYS = 7
MIN_HISTORY_DAYS = 3


BATCH_PART_ROWS = 2_000_000  # rows validated at once: bounds the checks' memory on big loads


def _latest_batch_rows(spec: SourceSpec) -> str:
    return f"""
        with latest as (
            select batch_id from raw.load_ledger
            where source = '{spec.name}' and batch_id is not null
            order by loaded_at desc limit 1
        )
        select * from {spec.raw_table} as raw_rows
        where raw_rows._load_id in (
            select load_id from raw.load_ledger
            where batch_id = (select batch_id from latest) and source = '{spec.name}'
        )
    """


def batch_parts(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> int:
    """How many parts the latest batch is validated in (at most BATCH_PART_ROWS rows each)."""
    rows = con.execute(f"select count(*) from ({_latest_batch_rows(spec)})").fetchone()[0]
    return max(1, -(-rows // BATCH_PART_ROWS))


def latest_batch(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    timestamp: str | None,
    columns: list[str],
    key: str | None = None,
    part: int = 0,
    parts: int = 1,
) -> pd.DataFrame:
    """The `columns` of the source's most recent load batch (one ingestion run), with
    hours_in_future. Only the columns a suite reads: a first load of a year of web events is
    tens of millions of rows, so it is read in `parts` parts split by the hash of `key` (the
    natural key: every copy of a key lands in the same part, so uniqueness holds per part)."""
    future = f"date_diff('hour', now()::timestamp, {timestamp})" if timestamp else "null::bigint"
    selected = "".join(f'batch."{c}", ' for c in columns if c != "hours_in_future")
    split = f'batch."{key}"' if key else "batch._load_id || ':' || batch._row"
    # coalesce: a row whose key is null must still land in a part (and fail not-null there)
    where = f"where coalesce(hash({split}) % {parts}, 0) = {part}" if parts > 1 else ""
    return con.execute(
        f"select {selected}{future} as hours_in_future"
        f" from ({_latest_batch_rows(spec)}) as batch {where}"
    ).df()


def daily_volume(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> pd.DataFrame:
    """One row per landing day from the first to the last: rows, trailing mean and ratio.

    The ratio is set only for days of the latest batch with enough history; a day with no file
    has a null row_count.
    """
    return con.execute(
        f"""
        with days as (
            select cast(unnest(generate_series(min(day), max(day), interval 1 day)) as date) as day
            from raw.load_ledger where source = ? and status <> 'rejected'
        ),
        counts as (
            select _day as day, count(*) as row_count from {spec.raw_table} group by _day
        ),
        latest_days as (
            select distinct day from raw.load_ledger
            where source = ? and batch_id = (
                select batch_id from raw.load_ledger
                where source = ? and batch_id is not null order by loaded_at desc limit 1
            )
        ),
        with_history as (
            select
                days.day,
                counts.row_count,
                avg(coalesce(counts.row_count, 0)) over (
                    order by days.day rows between {TRAILING_DAYS} preceding and 1 preceding
                ) as trailing_mean,
                count(*) over (
                    order by days.day rows between {TRAILING_DAYS} preceding and 1 preceding
                ) as history_days
            from days left join counts on days.day = counts.day
        )
        select
            with_history.day,
            with_history.row_count,
            with_history.trailing_mean,
            case
                when with_history.day in (select day from latest_days)
                    and with_history.history_days >= {MIN_HISTORY_DAYS}
                    then coalesce(with_history.row_count, 0) / nullif(with_history.trailing_mean, 0)
            end as volume_ratio
        from with_history
        order by with_history.day
        """,
        [spec.name, spec.name, spec.name],
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
    """One row per day from the first to the last contact: KPI rows on that day."""
    return con.execute(
        """
        with bounds as (
            select min(contact_date) as first_day, max(contact_date) as last_day
            from marts.fct_contacts
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
