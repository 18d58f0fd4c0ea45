"""The nightly job, its schedule, and a sensor for new landing files (micro-batches, off by
default), both from the settings."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg

from orchestration.resources import CjmSettings
from orchestration.settings import Settings

NIGHTLY_JOB_NAME = "nightly"
IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]

nightly_job = dg.define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Ingest new landing files, dbt build (models and tests), quality checks, then publish."
    ),
    executor_def=dg.in_process_executor,  # one DuckDB writer at a time, and ~40% faster here
)

SCHEDULE_NAME = "nightly_schedule"
SETTLE_SECONDS = 10  # a landed file unchanged this long is whole (an export still writing is not)


def nightly_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """The nightly job at the settings' cron string and time zone (CJM_SCHEDULE,
    CJM_SCHEDULE_TIMEZONE); on by default, fired by Dagster's daemon (`cjm serve`)."""
    return dg.ScheduleDefinition(
        name=SCHEDULE_NAME,
        job=nightly_job,
        cron_schedule=settings.schedule,
        execution_timezone=settings.schedule_timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            f"Runs the nightly job at `{settings.schedule}` ({settings.schedule_timezone}; "
            "CJM_SCHEDULE, CJM_SCHEDULE_TIMEZONE) while `cjm serve` runs."
        ),
    )


def newest_landing_mtime(landing_dir: Path) -> float:
    """Modification time of the newest file under landing/ (0 when there is none)."""
    return max((p.stat().st_mtime for p in landing_dir.rglob("*") if p.is_file()), default=0.0)


def new_landing_files(settings: Settings) -> dg.SensorDefinition:
    """Micro-batches: a run when a landing file newer than the last one seen has settled; on
    when CJM_MICRO_BATCH_SECONDS > 0 (`cjm serve --micro-batch`), evaluated that often."""

    @dg.sensor(
        name="new_landing_files",
        job=nightly_job,
        minimum_interval_seconds=settings.micro_batch_seconds or 300,
        default_status=(
            dg.DefaultSensorStatus.RUNNING
            if settings.micro_batch_seconds
            else dg.DefaultSensorStatus.STOPPED
        ),
        description=(
            "Runs the nightly job when a landing file newer than the last one seen has been "
            f"unchanged for {SETTLE_SECONDS} s, unless a run of it is under way (it waits)."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, settings: CjmSettings):
        newest = newest_landing_mtime(settings.get().landing_dir)
        if newest <= float(context.cursor or 0):
            return dg.SkipReason("no new landing files")
        if time.time() - newest < SETTLE_SECONDS:
            return dg.SkipReason("a landing file is still being written")
        under_way = context.instance.get_runs(
            dg.RunsFilter(job_name=NIGHTLY_JOB_NAME, statuses=IN_PROGRESS), limit=1
        )
        if under_way:
            return dg.SkipReason(f"run {under_way[0].run_id[:8]} is under way")
        context.update_cursor(str(newest))
        return dg.RunRequest(run_key=f"landing-{newest:.0f}")

    return _sensor
