"""Publishing the audited build: a new DuckDB file swapped in atomically, then Parquet exports.

Readers that hold warehouse/cjm.duckdb open keep their snapshot; new readers see the new file.
Nothing here runs unless every blocking check passed (the Dagster publish asset depends on them).
Bookkeeping columns (names starting with `_`, e.g. `_batch_at`) stay in the build file.
Schema `meta` carries what reports and BI tools need to judge the data: the publish log, the
load ledger, rejected rows counted by reason (never their raw text, which may hold PII) and the
results of the checks that passed the run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.warehouse import connect

PUBLISHED_SCHEMAS = ("marts", "kpi")
PUBLISH_LOG_DDL = """
create table if not exists meta.publish_log (
    run_id varchar not null,
    published_at timestamp not null,
    data_through date,
    tables integer not null,
    total_rows bigint not null
)
"""


CHECK_RESULTS_DDL = """
create table meta.check_results (
    run_id varchar not null,
    asset_key varchar not null,
    check_name varchar not null,
    passed boolean not null,
    description varchar
)
"""
QUALITY_TABLES = {
    "meta.load_ledger": (  # the files of this publication carry its time
        "select * exclude (batch_id, published_at),"
        " coalesce(published_at, timestamp '{published_at}') as published_at"
        " from build.raw.load_ledger"
    ),
    "meta.rejects_by_reason": (
        "select source, coalesce(rule, 'unreadable') as rule, split_part(reason, ':', 1) as reason,"
        " count(*) as rows_rejected, count(distinct file) as files, min(file) as example_file"
        " from build.raw.rejected_rows group by all"
    ),
    "meta.accepted_loads": "select * from build.meta.accepted_loads",
}


@dataclass(frozen=True)
class CheckResult:
    asset_key: str
    check_name: str
    passed: bool
    description: str | None


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: dict[str, int]  # schema.table -> rows
    published_at: dt.datetime
    data_through: dt.date | None
    exports: list[Path]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def publish(
    settings: Settings,
    run_id: str,
    checks: list[CheckResult] | None = None,
    models: dict | None = None,
) -> Publication:
    """Copy the published schemas of build.duckdb into a new file and swap it in.

    `models` ((schema, table) -> dbt manifest node, default: the project's manifest) names the
    tables to publish and holds their descriptions.
    """
    target = settings.published_db
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):  # from a killed publish
        leftover.unlink(missing_ok=True)
    discard_client_wal(target)
    models = published_models() if models is None else models
    staging = target.with_name(f".{target.name}.{run_id}.tmp")
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con = duckdb.connect(str(staging))
    try:
        con.execute(f"set threads = {settings.duckdb_threads}")
        con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
        # tables have no row order; not keeping the build's lets both threads write (~40% faster)
        con.execute("set preserve_insertion_order = false")
        con.execute(f"attach {_quote(settings.build_db)} as build (read_only)")
        _require_data(con, settings)
        # the project's current models only: a table a deleted model left in the build file is
        # not published
        tables = [
            (schema, table)
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables()"
                " where database_name = 'build' and schema_name in (?, ?)"
                " order by schema_name, table_name",
                list(PUBLISHED_SCHEMAS),
            ).fetchall()
            if (schema, table) in models
        ]
        counts: dict[str, int] = {}
        for schema, table in tables:
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where database_name = 'build'"
                    " and schema_name = ? and table_name = ? and not starts_with(column_name, '_')"
                    " order by column_index",
                    [schema, table],
                ).fetchall()
            )
            con.execute(f"create schema if not exists {schema}")
            con.execute(
                f"create table {schema}.{table} as select {columns} from build.{schema}.{table}"
            )
            _comment(con, schema, table, models[(schema, table)])
            counts[f"{schema}.{table}"] = con.execute(
                f"select count(*) from {schema}.{table}"
            ).fetchone()[0]
        data_through = (
            con.execute("select max(touchpoint_date) from marts.fct_touchpoints").fetchone()[0]
            if "marts.fct_touchpoints" in counts
            else None
        )
        con.execute("create schema if not exists meta")
        for name, query in QUALITY_TABLES.items():
            con.execute(f"create table {name} as {query.format(published_at=published_at)}")
        _quarantine_by_source(con)
        con.execute("detach build")
        con.execute(CHECK_RESULTS_DDL)
        if checks:
            con.executemany(
                "insert into meta.check_results values (?, ?, ?, ?, ?)",
                [[run_id, c.asset_key, c.check_name, c.passed, c.description] for c in checks],
            )
        con.execute(PUBLISH_LOG_DDL)
        if target.exists():
            con.execute(f"attach {_quote(target)} as previous (read_only)")
            has_log = con.execute(
                "select count(*) from duckdb_tables() where database_name = 'previous'"
                " and schema_name = 'meta' and table_name = 'publish_log'"
            ).fetchone()[0]
            if has_log:
                con.execute("insert into meta.publish_log select * from previous.meta.publish_log")
            con.execute("detach previous")
        con.execute(
            "insert into meta.publish_log values (?, ?, ?, ?, ?)",
            [run_id, published_at, data_through, len(counts), sum(counts.values())],
        )
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(staging, target)
    _mark_published(settings, published_at)
    exports = export_parquet(settings, list(counts))
    return Publication(target, counts, published_at, data_through, exports)


class NothingToPublish(RuntimeError):
    """No landing source has delivered a loadable row: an empty warehouse is not published."""


def _require_data(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    loaded = con.execute(
        "select coalesce(sum(rows_loaded), 0) from build.raw.load_ledger where status <> 'rejected'"
    ).fetchone()[0]
    if not loaded:
        raise NothingToPublish(
            f"nothing to publish: no landing source has delivered a loadable row yet"
            f" (landing: {settings.landing_dir}; files rejected whole: see `cjm status`)"
        )


def published_models(manifest: Path = DBT_PROJECT_DIR / "target/manifest.json") -> dict:
    """(schema, table) -> the dbt manifest node of every model in a published schema."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {
        (node["schema"], node["alias"] or node["name"]): node
        for node in nodes
        if node["resource_type"] == "model" and node["schema"] in PUBLISHED_SCHEMAS
    }


def _comment(con: duckdb.DuckDBPyConnection, schema: str, table: str, node: dict) -> None:
    """The model's and its columns' dbt descriptions as DuckDB comments, for BI tools."""
    if node.get("description"):
        con.execute(f"comment on table {schema}.{table} is {_literal(node['description'])}")
    published = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database()"
            " and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    for name, column in node.get("columns", {}).items():
        if name in published and column.get("description"):
            con.execute(
                f'comment on column {schema}.{table}."{name}" is {_literal(column["description"])}'
            )


def _literal(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def discard_client_wal(target: Path) -> None:
    """A write-ahead log beside the published file is a client's: a BI tool that opened it
    read-write and crashed. Its changes are not the project's; left there it would be replayed
    against the next publication, which it does not match, and nothing could open that file."""
    wal = target.with_name(target.name + ".wal")
    if wal.exists():
        wal.unlink()


def _quarantine_by_source(con: duckdb.DuckDBPyConnection) -> None:
    """meta.quarantine_by_source: per source, the rows kept out of all history and of this
    publication's new files, with the threshold the gate holds a batch to (from the YAML)."""
    from orchestration.quality import rules

    con.execute(
        "create table meta.quarantine_by_source (source varchar, rows_read bigint,"
        " rows_kept_out bigint, kept_out_share double, max_quarantined_share double,"
        " min_quarantined_rows integer)"
    )
    for source, gate in sorted(rules.load().items()):
        con.execute(
            "insert into meta.quarantine_by_source select ?, coalesce(sum(rows_read), 0),"
            " coalesce(sum(rows_rejected), 0), sum(rows_rejected) / nullif(sum(rows_read), 0),"
            " ?, ? from meta.load_ledger where source = ? and status <> 'rejected'",
            [source, gate.max_quarantined_share, gate.min_quarantined_rows, source],
        )


def _mark_published(settings: Settings, published_at: dt.datetime) -> None:
    """Every file loaded so far is now published: the gate no longer judges it. (A run killed
    before this line leaves them pending: the next run judges them again, which is safe.)"""
    con = connect(settings)
    try:
        con.execute(
            "update raw.load_ledger set published_at = ? where published_at is null",
            [published_at],
        )
    finally:
        con.close()


def export_parquet(settings: Settings, tables: list[str]) -> list[Path]:
    """`exports/<table>.parquet` for every published table, each replaced atomically; an
    export of a table no longer published is removed."""
    settings.exports_dir.mkdir(parents=True, exist_ok=True)
    keep = {f"{qualified.split('.', 1)[1]}.parquet" for qualified in tables}
    for stale in settings.exports_dir.glob("*.parquet"):
        if stale.name not in keep:
            stale.unlink()
    written = []
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        for qualified in tables:
            final = settings.exports_dir / f"{qualified.split('.', 1)[1]}.parquet"
            partial = final.with_name(f".{final.name}.tmp")
            con.execute(f"copy {qualified} to {_quote(partial)} (format parquet)")
            os.replace(partial, final)
            written.append(final)
    finally:
        con.close()
    return written


def latest_publication(settings: Settings) -> dict | None:
    """The newest publish_log row of the published file, or None before the first one."""
    if not settings.published_db.exists():
        return None
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        row = con.execute(
            "select run_id, published_at, data_through, tables, total_rows"
            " from meta.publish_log order by published_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    if row is None:
        return None
    keys = ("run_id", "published_at", "data_through", "tables", "total_rows")
    return dict(zip(keys, row, strict=True))
