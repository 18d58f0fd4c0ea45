"""One Dagster asset per landing source, with its two blocking checks judged in its own step:
the ledger reconciles, and the gate's batch rules (`raw_expectations`) on its pending files.

In the step, not beside it: two check steps per source cost a night ~3 s of Dagster's
bookkeeping (~45 steps of ~60 ms and a connection each) even when nothing arrived.
"""

import datetime as dt
import time

import dagster as dg

from orchestration import freshness
from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES, SourceSpec
from orchestration.logging import PROGRESS_PREFIX
from orchestration.quality.checks import (
    RAW_EXPECTATIONS,
    RAW_EXPECTATIONS_DESCRIPTION,
    raw_check_result,
)
from orchestration.resources import CjmSettings, Warehouse


class IngestConfig(dg.Config):
    until: str | None = None  # YYYY-MM-DD: load only day folders up to this day


def asset_key(spec: SourceSpec) -> dg.AssetKey:
    """The key dagster-dbt gives the matching dbt source, so dbt models depend on it."""
    return dg.AssetKey([spec.name, spec.table])


def _ingestion_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(spec),
        group_name="ingestion",
        kinds={"duckdb", "python"},
        description=(
            f"Loads new `landing/{spec.name}/<day>/` files into `{spec.raw_table}`, "
            "recording each file in raw.load_ledger and bad rows in raw.rejected_rows."
        ),
        pool="warehouse_writer",
        check_specs=[
            dg.AssetCheckSpec(
                LEDGER_RECONCILES,
                asset=asset_key(spec),
                blocking=True,
                description=LEDGER_RECONCILES_DESCRIPTION,
            ),
            dg.AssetCheckSpec(
                RAW_EXPECTATIONS,
                asset=asset_key(spec),
                blocking=True,
                description=RAW_EXPECTATIONS_DESCRIPTION,
            ),
            dg.AssetCheckSpec(
                FRESHNESS,
                asset=asset_key(spec),
                blocking=False,  # a stopped feed must not hold back the others' new data
                description=FRESHNESS_DESCRIPTION,
            ),
        ],
    )
    def _ingest(
        context: dg.AssetExecutionContext,
        config: IngestConfig,
        settings: CjmSettings,
        warehouse: Warehouse,
    ) -> dg.MaterializeResult:
        until = dt.date.fromisoformat(config.until) if config.until else None
        con = warehouse.connect()
        try:
            started = time.perf_counter()
            result = loader.ingest_source(
                con,
                spec,
                settings.get().landing_dir,
                until=until,
                batch_id=context.run_id,
                salt=settings.get().pii_salt,
                on_start=lambda file: _announce_large(context, file),
                on_file=lambda file: context.log.info(
                    f"{file.file}: {file.status}, {file.rows_loaded}/{file.rows_read} rows loaded"
                    + (f" ({file.reason})" if file.reason else "")
                ),
            )
            load_seconds = time.perf_counter() - started
            raw_rows = con.execute(f"select count(*) from {spec.raw_table}").fetchone()[0]
            checks = [_reconciles(con, spec), raw_check_result(con, spec), _fresh(con, spec)]
        finally:
            con.close()
        return dg.MaterializeResult(
            check_results=checks,
            metadata={
                "files_loaded": len(result.files),
                "files_skipped": result.skipped,
                "files_rejected": sum(f.status == "rejected" for f in result.files),
                "rows_read": result.total("rows_read"),
                "rows_loaded": result.total("rows_loaded"),
                "rows_rejected": result.total("rows_rejected"),
                "raw_table_rows": raw_rows,
                "load_seconds": round(load_seconds, 2),  # the loader alone, without the checks
            },
        )

    return _ingest


LARGE_FILE_BYTES = 50_000_000  # a file this big takes seconds: say so on the terminal


def _announce_large(context: dg.AssetExecutionContext, file) -> None:
    size = file.path.lstat().st_size
    if size >= LARGE_FILE_BYTES:
        context.log.info(f"{PROGRESS_PREFIX}reading {file.relative} ({size / 1e6:.0f} MB) ...")


LEDGER_RECONCILES = "ledger_reconciles"
LEDGER_RECONCILES_DESCRIPTION = (
    "Every ledger row has rows_read = rows_loaded + rows_rejected, and the raw table (with the"
    " records corrected files withdrew) and rejects table hold exactly the rows the ledger says"
    " were loaded and rejected."
)


FRESHNESS = "freshness"
FRESHNESS_DESCRIPTION = (
    "The newest load of the source's raw table against its dbt freshness (warn_after,"
    " error_after: dbt_project.yml, or the source's own config); a source that never loaded a"
    " file passes. A warning, never a block: `cjm status` and the alerts say more."
)


def _fresh(con, spec: SourceSpec) -> dg.AssetCheckResult:
    found = freshness.source_findings(
        con,
        freshness.MANIFEST,
        dt.datetime.now(dt.UTC).replace(tzinfo=None),
        relations={spec.raw_table},
    )
    return dg.AssetCheckResult(
        check_name=FRESHNESS,
        passed=not found or found[0].level == freshness.FRESH,
        severity=dg.AssetCheckSeverity.WARN,
        description=found[0].line() if found else "no file loaded yet: not judged",
    )


def _reconciles(con, spec: SourceSpec) -> dg.AssetCheckResult:
    bad_files, ledger_loaded, ledger_rejected = con.execute(
        "select count(*) filter (where rows_read <> rows_loaded + rows_rejected),"
        " coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected)"
        " filter (where status <> 'rejected'), 0)"
        " from raw.load_ledger where source = ?",
        [spec.name],
    ).fetchone()
    raw_rows = con.execute(
        f"select (select count(*) from {spec.raw_table})"
        " + (select count(*) from raw.superseded_rows where source = ?)",
        [spec.name],
    ).fetchone()[0]
    rejected_rows = con.execute(
        "select count(*) from raw.rejected_rows where source = ?", [spec.name]
    ).fetchone()[0]
    passed = bad_files == 0 and raw_rows == ledger_loaded and rejected_rows == ledger_rejected
    return dg.AssetCheckResult(
        check_name=LEDGER_RECONCILES,
        passed=passed,
        metadata={
            "files_not_reconciling": bad_files,
            "ledger_rows_loaded": ledger_loaded,
            "raw_table_rows": raw_rows,
            "ledger_rows_rejected": ledger_rejected,
            "rejected_rows": rejected_rows,
        },
    )


def ingestion_assets() -> list[dg.AssetsDefinition]:
    return [_ingestion_asset(spec) for spec in SOURCES.values()]
