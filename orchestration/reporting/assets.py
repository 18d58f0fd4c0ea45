"""The report asset (last in the nightly job) and the sensor that marks reports stale when a run
is blocked."""

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


@dg.run_failure_sensor(
    name="stale_banner_on_blocked_run",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuilds the reports with a 'stale since' banner when a run fails.",
)
def stale_banner_on_blocked_run(context: dg.RunFailureSensorContext, settings: CjmSettings) -> None:
    from reports.build import build_reports_for_latest_run

    build_reports_for_latest_run(settings.get())
