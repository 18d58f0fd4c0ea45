"""The nightly job, its schedule, and a sensor for new landing files (off by default)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.resources import CjmSettings

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


def newest_landing_mtime(landing_dir: Path) -> float:
    """Modification time of the newest file under landing/ (0 when there is none)."""
    return max((p.stat().st_mtime for p in landing_dir.rglob("*") if p.is_file()), default=0.0)


@dg.sensor(
    name="new_landing_files",
    job=nightly_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Runs the nightly job when a landing file newer than the last one seen appears.",
)
def new_landing_files(context: dg.SensorEvaluationContext, settings: CjmSettings):
    newest = newest_landing_mtime(settings.get().landing_dir)
    seen = float(context.cursor or 0)
    if newest <= seen:
        return dg.SkipReason("no new landing files")
    context.update_cursor(str(newest))
    return dg.RunRequest(run_key=f"landing-{newest:.0f}")
