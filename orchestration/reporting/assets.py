"""The report asset (last in the nightly job), and the sensors that mark the reports stale and
alert after a run Dagster launched (a failed run; a run that left the data stale)."""

import dagster as dg

from orchestration.publish import fingerprint
from orchestration.resources import CjmSettings


@dg.asset(
    key="html_reports",
    group_name="publish",
    deps=["published_warehouse"],
    kinds={"html"},
    description=(
        "CJM_HOME/reports/*.html, self-contained pages built from the published warehouse only: "
        "overview, journey map, paths, funnel, contact centre, voice of customer, moments of "
        "truth, data quality."
    ),
)
def html_reports(context: dg.AssetExecutionContext, settings: CjmSettings) -> dg.MaterializeResult:
    from reports.build import build_reports

    home = settings.get()
    index = build_reports(home, blocked=None)  # this run has just published
    fingerprint.record_complete_run(home, context.run_id, fingerprint.current(home))
    context.log.info(f"reports in {index}")
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index))})


def _typed(run: dg.DagsterRun) -> bool:
    """A run typed as `cjm run`: the command has marked the pages and alerted itself."""
    return run.tags.get("cjm/trigger") == "cli"


@dg.run_failure_sensor(
    name="stale_banner_on_blocked_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a run fails: rebuilds the reports with a 'stale since' banner, and alerts "
        "(CJM_NOTIFY_COMMAND, CJM_NOTIFY_WEBHOOK) when the run was not typed as `cjm run`."
    ),
)
def stale_banner_on_blocked_run(context: dg.RunFailureSensorContext, settings: CjmSettings) -> None:
    from orchestration.alerts import run_failed
    from orchestration.run_state import failure_lines
    from reports.build import build_reports_for_latest_run

    home = settings.get()
    if _typed(context.dagster_run):
        return
    try:
        build_reports_for_latest_run(home)
    finally:
        events = [
            entry.dagster_event
            for entry in context.instance.all_logs(context.dagster_run.run_id)
            if entry.dagster_event
        ]
        run_failed(
            home,
            context.dagster_run.run_id,
            failure_lines(events),
            f"see `cjm status` and {home.logs_dir / 'serve.log'}",
        )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="stale_alert_after_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a run not typed as `cjm run` succeeds (published, or found nothing new) and left "
        "the data stale: the stale banner on the reports, and an alert."
    ),
)
def stale_alert_after_run(context: dg.RunStatusSensorContext, settings: CjmSettings) -> None:
    from orchestration.alerts import after_success

    if not _typed(context.dagster_run):
        after_success(settings.get(), context.dagster_run.run_id)
