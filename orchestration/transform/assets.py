"""The dbt project as Dagster assets, grouped by model folder.

dbt's tests are not Dagster asset checks: a failed test fails the dbt step (and so blocks
publishing) and is named in the run's log; as checks, ~370 tests would cost every run, even a
night with nothing new, a planned and an evaluated event each (~2 s).
"""

from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib import metadata
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)
from packaging import version

from orchestration.logging import PROGRESS_PREFIX
from orchestration.publish import fingerprint
from orchestration.resources import CjmSettings, Warehouse
from orchestration.transform.dbt_output import dbt_output_to_run_log, read_ahead
from orchestration.transform.project import (
    DBT_EXECUTABLE,
    dbt_project,
    keep_last_build_state,
    keep_partial_parse,
    prune_run_targets,
    run_target,
    unchanged_seeds_args,
)
from orchestration.transform.withdrawals import withdrawn_since_last_build


class CjmDbtTranslator(DagsterDbtTranslator):
    """Groups dbt assets by their top folder: staging, intermediate, marts, seeds."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def data_tests_passed(run_results: Mapping[str, Any]) -> str:
    """The dbt build's data tests in one line: how many passed (a test that failed with
    severity warn is counted apart; one that failed stopped the step before this)."""
    statuses = [
        result["status"]
        for result in run_results["results"]
        if result["unique_id"].startswith("test.")
    ]
    warned = statuses.count("warn")
    return f"dbt: {statuses.count('pass')} of {len(statuses)} data tests passed" + (
        f", {warned} warned" if warned else ""
    )


def build_dbt_assets() -> dg.AssetsDefinition:
    """The dbt assets from the project's manifest (which must be current: `ensure_manifest`)."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=CjmDbtTranslator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=False)
        ),
        pool="warehouse_writer",
    )
    def cjm_dbt_assets(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        settings: CjmSettings,
        warehouse: Warehouse,
    ):
        """`dbt build`: seeds, models and data tests, in dependency order.

        Unit tests check SQL logic, not tonight's data: `make test` runs them, the nightly job
        does not. With nothing new since the last complete run (same files, same code) it
        builds nothing, so checks, publish and reports are skipped and the last publication
        stands. After a corrected file withdrew records, the build is a full refresh.
        """
        previous = fingerprint.unchanged_since(settings.get())
        if previous is not None:
            context.log.info(
                f"nothing new since run {previous[:8]} (same landing files, same code):"
                " dbt build, checks, publish and reports skipped"
            )
            return
        args = ["build", "--exclude", "resource_type:unit_test"]
        target = run_target(settings.get(), context.run.run_id)
        con = warehouse.connect(read_only=True)
        try:
            withdrawn = withdrawn_since_last_build(con, dbt_project.manifest_path)
            tables = {
                f"{schema}.{table}"
                for schema, table in con.execute(
                    "select schema_name, table_name from duckdb_tables()"
                ).fetchall()
            }
        finally:
            con.close()
        unchanged_seeds = unchanged_seeds_args(settings.get(), target, tables)
        if withdrawn:
            context.log.info(
                f"{len(withdrawn)} re-delivered file(s) withdrew records ({withdrawn[0]}"
                f"{', ...' if len(withdrawn) > 1 else ''}): a full rebuild of the incremental"
                " models"
            )
            args.append("--full-refresh")
        else:
            args += unchanged_seeds
        with settings.child_environment():  # dbt's profile reads the home from its environment
            invocation = dbt.cli(args, context=context, target_path=target)
        read_ahead(invocation.process)
        with dbt_output_to_run_log():  # dbt's stream in the log, progress on the terminal
            yield from invocation.stream()
        context.log.info(
            PROGRESS_PREFIX + data_tests_passed(invocation.get_artifact("run_results.json"))
        )
        keep_partial_parse(settings.get(), target)
        keep_last_build_state(settings.get(), target)
        prune_run_targets()

    return cjm_dbt_assets


class CjmDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two costs every `dbt.cli` call paid (~3.5 s a run).

    dagster-dbt asks the executable its version by running `dbt --version`, which imports dbt
    and asks PyPI for the newest release (a network call, up to 1 s, at every run); and it
    loads the profile and the adapter in this process for metadata fetches
    (`fetch_row_counts`, `fetch_column_metadata`) the project does not use. The version is the
    installed dbt-core's, read from its package metadata; no adapter is loaded. Both are
    private members of dagster-dbt, pinned below 0.30 in pyproject.toml; the definitions test
    runs a real build through this resource.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource() -> DbtCliResource:
    return CjmDbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))
