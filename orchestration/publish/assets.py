"""The publish asset: runs only after every upstream asset and blocking check succeeded."""

import dagster as dg

from orchestration.publish.writer import CheckResult, publish
from orchestration.resources import CjmSettings


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key="published_warehouse",
        group_name="publish",
        deps=upstream,
        kinds={"duckdb", "parquet"},
        description=(
            "The changed parts of each table as new Parquet files, then warehouse/cjm.duckdb (a "
            "catalogue of views over them, and schema meta) written to a new file and swapped in "
            "atomically, then exports/<table>/<part>.parquet. Depends on every model it "
            "publishes (marts, kpi), so a failed blocking check anywhere upstream leaves the last "
            "publication in place; a seed left out of the build (unchanged) does not hold it back."
        ),
        pool="warehouse_writer",
    )
    def published_warehouse(
        context: dg.AssetExecutionContext, settings: CjmSettings
    ) -> dg.MaterializeResult:
        checks = run_check_results(context.instance, context.run_id)
        publication = publish(settings.get(), context.run_id, checks)
        context.log.info(
            f"published {len(publication.tables)} tables to {publication.path}"
            f" ({publication.parts_written} Parquet parts written, the others unchanged)"
        )
        return dg.MaterializeResult(
            metadata={
                "path": str(publication.path),
                "tables": len(publication.tables),
                "total_rows": sum(publication.tables.values()),
                "data_through": str(publication.data_through),
                "exports": len(publication.exports),
                "parts_written": publication.parts_written,
            }
        )

    return published_warehouse


def run_check_results(instance: dg.DagsterInstance, run_id: str) -> list[CheckResult]:
    """Every asset check evaluated in the run, as published in meta.check_results."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    results = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        results.append(
            CheckResult(
                asset_key=evaluation.asset_key.to_user_string(),
                check_name=evaluation.check_name,
                passed=evaluation.passed,
                description=evaluation.description,
            )
        )
    return sorted(results, key=lambda r: (r.asset_key, r.check_name))
