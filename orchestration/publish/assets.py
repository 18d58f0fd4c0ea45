"""The publish asset: runs only after every upstream asset and blocking check succeeded."""

import dagster as dg

from orchestration.publish.writer import publish
from orchestration.settings import Settings


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key="published_warehouse",
        group_name="publish",
        deps=upstream,
        kinds={"duckdb", "parquet"},
        description=(
            "warehouse/cjm.duckdb (schemas marts, kpi and meta.publish_log) written to a new file "
            "and swapped in atomically, then exports/<table>.parquet. Depends on every model, so a "
            "failed blocking check anywhere upstream leaves the last publication in place."
        ),
        pool="warehouse_writer",
    )
    def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        publication = publish(Settings.from_env(), context.run_id)
        context.log.info(f"published {len(publication.tables)} tables to {publication.path}")
        return dg.MaterializeResult(
            metadata={
                "path": str(publication.path),
                "tables": len(publication.tables),
                "total_rows": sum(publication.tables.values()),
                "data_through": str(publication.data_through),
                "exports": len(publication.exports),
            }
        )

    return published_warehouse
