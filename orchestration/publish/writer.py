"""Publishing the audited build: Parquet files rewritten only where the data changed, and a
small DuckDB catalogue of views over them, swapped in atomically.

    warehouse/cjm.duckdb                       the catalogue: a view per published model
                                               (schemas marts, kpi) with the dbt descriptions
                                               as comments; schema meta: publish log, load
                                               ledger, rejects by reason, check results, files
    warehouse/published/<table>/<part>-<id>.parquet   immutable; changed data is a new file
    exports/<table>/<part>.parquet             hard links to the current files

A table is cut into parts: the months of the date column its dbt YAML names
(`config: meta: published_partition_by:`), else one part, `all`. Each publication
fingerprints every part in the build (its rows and the sum of their hashes over the published
columns, with the columns' names and types) and writes only the parts whose fingerprint the
previous publication does not hold; the others keep their file: a part is rewritten only
when one of its rows changed (today most months of the facts do each night, as identity
resolution re-attributes old rows: docs/benchmarks.md; the design: docs/design-decisions.md,
"Publishing writes what changed").

Readers that hold the previous catalogue open keep reading: its files are deleted by the
publication after the next one. Nothing here runs unless every blocking check passed (the
Dagster publish asset depends on them). Bookkeeping columns (names starting with `_`, e.g.
`_batch_at`) are not published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.warehouse import connect

PUBLISHED_SCHEMAS = ("marts", "kpi")
CATALOGUE_STORAGE_VERSION = "v1.0.0"  # the oldest DuckDB that opens cjm.duckdb: 1.0
PARTITION_META = "published_partition_by"  # a model's config.meta key: the date column of its parts
WHOLE = "all"  # the one part of a table without a partition column
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
PUBLISHED_FILES_DDL = """
create table meta.published_files (
    table_name varchar not null,
    part varchar not null,
    part_id varchar not null,
    file varchar not null,
    rows bigint not null
)
"""
# What each meta table holds, as a DuckDB comment for BI tools (the marts' and KPIs' come from
# their dbt YAML).
META_DESCRIPTIONS = {
    "publish_log": "One row per publication: the run, when, the last day of data, tables and rows.",
    "check_results": "Every Dagster asset check of the publishing run, passed or not, and why.",
    "published_files": "The Parquet file behind each part (a month, or all) of each table.",
    "load_ledger": "One row per landing file loaded (or rejected whole), with its row counts"
    " (rows read = loaded + rejected) and when it was published.",
    "rejects_by_reason": "Rows kept out at load, by source, rule and reason, with an example file.",
    "accepted_loads": "Files or batches the gate held back and an operator accepted (cjm accept):"
    " who, when and why.",
    "quarantine_by_source": "Rows read and rows kept out per source, and their share.",
}
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
    parts_written: int  # parts written as new files; the others kept their file


@dataclass(frozen=True)
class _Part:
    table: str  # schema.table
    name: str  # the month (YYYY-MM), `none` (no date), or `all`
    part_id: str  # the fingerprint: a changed part is a new file
    rows: int

    def file(self, store: Path) -> Path:
        return store / self.table.split(".", 1)[1] / f"{self.name}-{self.part_id}.parquet"


# what the caller adds to the catalogue's schema meta: (catalogue connection, rows per table,
# data through, publication time); the source database is attached as `build`, the previous
# catalogue (when there is one) as `previous`
MetaWriter = Callable[
    [duckdb.DuckDBPyConnection, dict[str, int], dt.date | None, dt.datetime], None
]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def store_dir(settings: Settings) -> Path:
    """The immutable Parquet files the catalogue's views read."""
    return settings.warehouse_dir / "published"


def publish(
    settings: Settings,
    run_id: str,
    checks: list[CheckResult] | None = None,
    models: dict | None = None,
) -> Publication:
    """Publish the build's marts and kpi schemas; then the ledger marks its files published.

    `models` ((schema, table) -> dbt manifest node, default: the project's manifest) names the
    tables to publish and holds their descriptions and partition columns.
    """
    _require_data(settings)

    def meta(con, counts, data_through, published_at) -> None:
        for name, query in QUALITY_TABLES.items():
            con.execute(f"create table {name} as {query.format(published_at=published_at)}")
        _quarantine_by_source(con)
        con.execute(CHECK_RESULTS_DDL)
        if checks:
            con.executemany(
                "insert into meta.check_results values (?, ?, ?, ?, ?)",
                [[run_id, c.asset_key, c.check_name, c.passed, c.description] for c in checks],
            )
        con.execute(PUBLISH_LOG_DDL)
        if _has_table(con, "previous", "meta", "publish_log"):
            con.execute("insert into meta.publish_log select * from previous.meta.publish_log")
        con.execute(
            "insert into meta.publish_log values (?, ?, ?, ?, ?)",
            [run_id, published_at, data_through, len(counts), sum(counts.values())],
        )

    models = published_models() if models is None else models
    publication = _write(settings, run_id, settings.build_db, models, meta, keep_previous=True)
    _mark_published(settings, publication.published_at)
    return publication


def republish(settings: Settings, run_id: str, source: Path) -> Publication:
    """The publication again from `source`, a database holding the published schemas and meta
    (a scrubbed copy, after an erasure): its meta copied, one publish-log row added (the data
    still through the same day). The files of every earlier publication are deleted at once,
    whoever reads them: they may hold what was removed."""

    def meta(con, counts, data_through, published_at) -> None:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'build'"
            " and schema_name = 'meta' and table_name <> 'published_files'"
        ).fetchall():
            con.execute(f"create table meta.{table} as select * from build.meta.{table}")
        con.execute(
            "insert into meta.publish_log select ?, ?, data_through, ?, ? from meta.publish_log"
            " order by published_at desc limit 1",
            [run_id, published_at, len(counts), sum(counts.values())],
        )

    return _write(settings, run_id, source, published_models(), meta, keep_previous=False)


def _write(
    settings: Settings,
    run_id: str,
    source: Path,
    models: dict,
    write_meta: MetaWriter,
    keep_previous: bool,
) -> Publication:
    """Write the parts that changed, a new catalogue over every current part, swap it in, then
    the exports; delete the files no catalogue kept reads."""
    target = settings.published_db
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):  # from a killed publish
        leftover.unlink(missing_ok=True)
    discard_client_wal(target)
    store = store_dir(settings)
    staging = target.with_name(f".{target.name}.{run_id}.tmp")
    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con = duckdb.connect()
    try:
        # the catalogue in DuckDB 1.0's storage format: the BI tools' drivers lag the library
        # (a 1.x reader cannot open a file in 2.0's format); a view or a table is the same
        con.execute(
            f"attach {_quote(staging)} as catalogue (storage_version '{CATALOGUE_STORAGE_VERSION}')"
        )
        con.execute("use catalogue")
        con.execute(f"set threads = {settings.duckdb_threads}")
        con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
        # tables have no row order; not keeping the build's lets both threads write
        con.execute("set preserve_insertion_order = false")
        con.execute(f"attach {_quote(source)} as build (read_only)")
        if target.exists():
            con.execute(f"attach {_quote(target)} as previous (read_only)")
        previous = _published_parts(con)
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
        parts: list[_Part] = []
        written = 0
        for schema, table in tables:
            node = models[(schema, table)]
            columns = _published_columns(con, schema, table)
            described = _descriptions(schema, table, node, columns)
            table_parts = _fingerprint(
                con, schema, table, columns, _partition_column(node), described
            )
            known = previous.get(f"{schema}.{table}", {})
            stale = [p for p in table_parts if p.part_id not in known or not p.file(store).exists()]
            partition_by = _partition_column(node)
            _write_parts(con, schema, table, columns, partition_by, stale, store, run_id, described)
            written += len(stale)
            parts += table_parts
            con.execute(f"create schema if not exists {schema}")
            files = ", ".join(_quote(p.file(store)) for p in table_parts)
            con.execute(f"create view {schema}.{table} as select * from read_parquet([{files}])")
            _comment(con, described)
        counts = {f"{s}.{t}": 0 for s, t in tables}
        for part in parts:
            counts[part.table] += part.rows
        data_through = (
            con.execute("select max(touchpoint_date) from marts.fct_touchpoints").fetchone()[0]
            if "marts.fct_touchpoints" in counts
            else None
        )
        con.execute("create schema if not exists meta")
        write_meta(con, counts, data_through, published_at)
        con.execute(PUBLISHED_FILES_DDL)
        con.executemany(
            "insert into meta.published_files values (?, ?, ?, ?, ?)",
            [[p.table, p.name, p.part_id, str(p.file(store)), p.rows] for p in parts],
        )
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'catalogue'"
            " and schema_name = 'meta'"
        ).fetchall():
            if table in META_DESCRIPTIONS:
                described = _literal(META_DESCRIPTIONS[table])
                con.execute(f"comment on table meta.{table} is {described}")
        con.execute("detach build")
        if target.exists():
            con.execute("detach previous")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(staging, target)
    exports = _export(settings, parts, store)
    kept = {p.file(store) for p in parts}
    if keep_previous:
        kept |= {Path(f) for files in previous.values() for f in files.values()}
    _delete_unread(store, kept)
    return Publication(target, counts, published_at, data_through, exports, written)


def _partition_column(node: dict) -> str | None:
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    return meta.get(PARTITION_META)


def _published_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple]:
    """(name, type) of the table's columns but the bookkeeping ones, in order."""
    return con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'build'"
        " and schema_name = ? and table_name = ? and not starts_with(column_name, '_')"
        " order by column_index",
        [schema, table],
    ).fetchall()


def _part_expression(partition_by: str | None) -> str:
    if partition_by is None:
        return f"'{WHOLE}'"
    return f"coalesce(strftime(\"{partition_by}\", '%Y-%m'), 'none')"


def _fingerprint(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple],
    partition_by: str | None,
    described: dict[str, str],
) -> list[_Part]:
    """Every part of the build's table, with its rows and fingerprint (one scan): the sum of
    the rows' hashes, the row count, the part's name, the columns' names and types, and the
    descriptions the file carries. An empty table is one empty part (its file keeps the
    columns)."""
    quoted = ", ".join(f'"{name}"' for name, _ in columns)
    found = con.execute(
        f"select {_part_expression(partition_by)} as part, count(*), sum(hash({quoted}))"
        f" from build.{schema}.{table} group by all order by part"
    ).fetchall() or [(WHOLE, 0, 0)]
    signature = json.dumps([columns, described])
    return [
        _Part(
            f"{schema}.{table}",
            name,
            hashlib.sha256(f"{signature}|{name}|{rows}|{digest}".encode()).hexdigest()[:16],
            rows,
        )
        for name, rows, digest in found
    ]


def _write_parts(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple],
    partition_by: str | None,
    parts: list[_Part],
    store: Path,
    run_id: str,
    described: dict[str, str],
) -> None:
    """Write `parts` of the table as new files (under a temporary name, then renamed): one
    query for all of them. Each file carries the descriptions as Parquet key-value metadata."""
    if not parts:
        return
    metadata = ", ".join(f"{_literal(key)}: {_literal(value)}" for key, value in described.items())
    kv = f", kv_metadata {{{metadata}}}" if metadata else ""
    folder = store / table
    folder.mkdir(parents=True, exist_ok=True)
    quoted = ", ".join(f'"{name}"' for name, _ in columns)
    relation = f"build.{schema}.{table}"
    if partition_by is None or parts[0].rows == 0:
        [part] = parts
        partial = folder / f".{part.name}-{part.part_id}.parquet.tmp"
        con.execute(
            f"copy (select {quoted} from {relation}) to {_quote(partial)} (format parquet{kv})"
        )
        os.replace(partial, part.file(store))
        return
    expression = _part_expression(partition_by)
    written = folder / f".write-{run_id}"
    shutil.rmtree(written, ignore_errors=True)
    names = ", ".join(f"'{part.name}'" for part in parts)
    con.execute(
        f"copy (select {quoted}, {expression} as cjm_part from {relation}"
        f" where {expression} in ({names})) to {_quote(written)}"
        f" (format parquet, partition_by (cjm_part){kv})"
    )
    for part in parts:
        [file] = (written / f"cjm_part={part.name}").glob("*.parquet")
        os.replace(file, part.file(store))
    shutil.rmtree(written)


def _descriptions(schema: str, table: str, node: dict, columns: list[tuple]) -> dict[str, str]:
    """What each exported file says of itself (Parquet key-value metadata): `cjm.table`, the
    model's description (`cjm.description`) and each described column's (`cjm.column.<name>`),
    from the dbt YAML, as the catalogue's comments."""
    described = {"cjm.table": f"{schema}.{table}"}
    if node.get("description"):
        described["cjm.description"] = " ".join(node["description"].split())
    documented = node.get("columns") or {}
    for name, _ in columns:
        text = (documented.get(name) or {}).get("description")
        if text:
            described[f"cjm.column.{name}"] = " ".join(text.split())
    return described


def _published_parts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """schema.table -> part id -> file of the publication attached as `previous` (none before
    the first publication, or from a file published before parts existed)."""
    if not _has_table(con, "previous", "meta", "published_files"):
        return {}
    found: dict[str, dict[str, str]] = {}
    for table, part_id, file in con.execute(
        "select table_name, part_id, file from previous.meta.published_files"
    ).fetchall():
        found.setdefault(table, {})[part_id] = file
    return found


def _has_table(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = ? and schema_name = ?"
            " and table_name = ?",
            [database, schema, table],
        ).fetchone()[0]
    )


def _export(settings: Settings, parts: list[_Part], store: Path) -> list[Path]:
    """exports/<table>/<part>.parquet: a hard link to each current part (a copy where the file
    system has none), each replaced atomically; what no longer is a current part goes (as do
    the single-file exports of earlier versions)."""
    exports = settings.exports_dir
    exports.mkdir(parents=True, exist_ok=True)
    wanted = {
        exports / p.table.split(".", 1)[1] / f"{p.name}.parquet": p.file(store) for p in parts
    }
    folders = {path.parent for path in wanted}
    for entry in exports.iterdir():
        if entry.is_dir() and entry not in folders:
            shutil.rmtree(entry)
        elif not entry.is_dir():
            entry.unlink()
    for folder in folders:
        folder.mkdir(exist_ok=True)
        for stale in folder.iterdir():
            if stale not in wanted:
                stale.unlink()
    for final, source in wanted.items():
        if final.exists() and os.path.samefile(final, source):
            continue
        partial = final.with_name(f".{final.name}.tmp")
        partial.unlink(missing_ok=True)
        try:
            os.link(source, partial)
        except OSError:
            shutil.copyfile(source, partial)
        os.replace(partial, final)
    return sorted(wanted)


def _delete_unread(store: Path, kept: set[Path]) -> None:
    """Delete the store's files that no kept catalogue reads (and what a killed publish left)."""
    if not store.exists():
        return
    for folder in store.iterdir():
        for entry in folder.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            elif entry not in kept:
                entry.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


class NothingToPublish(RuntimeError):
    """No landing source has delivered a loadable row: an empty warehouse is not published."""


def _require_data(settings: Settings) -> None:
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        loaded = con.execute(
            "select coalesce(sum(rows_loaded), 0) from raw.load_ledger where status <> 'rejected'"
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


def _comment(con: duckdb.DuckDBPyConnection, described: dict[str, str]) -> None:
    """The descriptions (`_descriptions`) as DuckDB comments on the view and its columns."""
    table = described["cjm.table"]
    for key, text in described.items():
        if key == "cjm.description":
            con.execute(f"comment on view {table} is {_literal(text)}")
        elif key.startswith("cjm.column."):
            name = key.removeprefix("cjm.column.")
            con.execute(f'comment on column {table}."{name}" is {_literal(text)}')


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
