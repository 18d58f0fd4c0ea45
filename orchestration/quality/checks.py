"""Blocking Dagster asset checks that run the Great Expectations suites.

A failed check stops everything downstream of its asset, the publish step included.
"""

import contextlib
import ctypes

import dagster as dg
import pyarrow as pa

from orchestration.ingestion.assets import asset_key
from orchestration.ingestion.sources import SOURCES, SourceSpec
from orchestration.quality import frames
from orchestration.settings import Settings
from orchestration.warehouse import connect

VOLUME_CHECKED = ("contact_center", "web")  # daily volumes of the others are too small to band
KPI_CHECKS = {  # KPI model -> (ratio columns, NPS columns)
    "kpi_contact_centre_daily": (["abandonment_rate", "service_level", "transfer_rate"], []),
    "kpi_service_daily": (["first_contact_resolution_rate", "repeat_contact_rate"], []),
    "kpi_self_service_daily": (["containment_rate", "resolved_containment_rate"], []),
    "kpi_email_daily": (["unanswered_rate"], []),
    "kpi_channel_escalation_daily": (["channel_escalation_rate"], []),
    "kpi_voc": (["csat", "ces_easy_rate"], ["nps"]),
    "kpi_journey_stages": (["stage_conversion_rate"], []),
    "kpi_churn_monthly": (["churn_rate"], []),
    "kpi_moments_of_truth": (
        ["churn_rate_with", "churn_rate_without"],
        ["nps_with", "nps_without"],
    ),
}


def _release_memory() -> None:
    """Hand the memory a check freed back to the system: the run process lives on through dbt,
    whose DuckDB needs it (Arrow's pool and glibc's heap otherwise keep it, ~0.4 GiB after a
    27M-row web check). No gc.collect(): it costs ~0.3 s with Dagster and GX loaded, and the
    frames are freed when their last reference goes."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _result(outcomes, metadata: dict) -> dg.AssetCheckResult:
    failures = [f"{o.suite}: {line}" for o in outcomes for line in o.failures]
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(failures)[:2000] if failures else "all expectations met",
        metadata={
            **metadata,
            "expectations_evaluated": sum(o.evaluated for o in outcomes),
            "failed_expectations": dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in failures) or "none"
            ),
        },
    )


def _raw_check(spec: SourceSpec) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key(spec),
        name="raw_expectations",
        blocking=True,
        description=(
            "Great Expectations on the latest load batch: required values present, natural key "
            "unique, timestamps not in the future, score ranges (survey: NPS 0-10, CSAT 1-5, "
            "CES 1-7); and for high-volume sources no landing day missing and each new day's "
            "volume within 0.5-2x the trailing 7 days."
        ),
    )
    def _check() -> dg.AssetCheckResult:
        from expectations import suites
        from expectations.validation import validate

        con = connect(Settings.from_env(), read_only=True)
        try:
            columns = sorted({expectation.column for expectation in suites.raw_batch_suite(spec)})
            parts = frames.batch_parts(con, spec)
            outcomes, batch_rows = [], 0
            for part in range(parts):
                batch = frames.latest_batch(
                    con,
                    spec,
                    suites.TIMESTAMP_COLUMNS.get(spec.name),
                    columns,
                    key=suites.NATURAL_KEYS.get(spec.name),
                    part=part,
                    parts=parts,
                )
                batch_rows += len(batch)
                name = f"{spec.name}_batch" + (f"_part{part + 1}of{parts}" if parts > 1 else "")
                # a fresh suite per part: GX expectations belong to one suite each
                outcomes.append(validate(name, batch, suites.raw_batch_suite(spec)))
                del batch
            if spec.name in VOLUME_CHECKED:
                volume = frames.daily_volume(con, spec)
                outcomes.append(validate(f"{spec.name}_volume", volume, suites.raw_volume_suite()))
        finally:
            con.close()
            _release_memory()
        return _result(outcomes, {"batch_rows": batch_rows, "batch_parts": parts})

    return _check


def _kpi_check(model: str, ratios: list[str], nps: list[str]) -> dg.AssetChecksDefinition:
    relation = f"kpi.{model}"

    @dg.asset_check(
        asset=dg.AssetKey(["kpi", model]),
        name="kpi_expectations",
        blocking=True,
        description=(
            "Great Expectations on the KPI table: ratios in [0, 1], NPS in [-100, 100], and where "
            "it applies KPI counts reconcile with the facts and every day of the period is present."
        ),
    )
    def _check() -> dg.AssetCheckResult:
        from expectations import suites
        from expectations.validation import validate

        con = connect(Settings.from_env(), read_only=True)
        try:
            outcomes = [validate(model, frames.table(con, relation), suites.kpi_suite(ratios, nps))]
            if relation in frames.RECONCILIATIONS:
                outcomes.append(
                    validate(
                        f"{model}_reconciles",
                        frames.reconciliation(con, relation),
                        suites.reconciliation_suite(),
                    )
                )
            if model == "kpi_contact_centre_daily":
                outcomes.append(
                    validate(f"{model}_calendar", frames.calendar(con), suites.calendar_suite())
                )
        finally:
            con.close()
        return _result(outcomes, {})

    return _check


quality_checks = [
    *(_raw_check(spec) for spec in SOURCES.values()),
    *(_kpi_check(model, ratios, nps) for model, (ratios, nps) in KPI_CHECKS.items()),
]
