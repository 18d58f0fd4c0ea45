"""The project's own SQL without its framework: the full build's compiled models run straight
in one DuckDB connection (no dbt, Dagster, ledger or checks), so `cjm bench` can say what the
framework costs beside what the SQL costs and what bench/baseline.sql costs.

The models run in dependency order, each as `create table` (or `create view`) of the SQL dbt
compiled for the full build; what they read (raw tables, seeds, the loader's tables) is copied
in first, untimed. A sliced model (dbt_project/macros/sliced_build.sql) runs in the slices its
hooks would make. dbt's Python models (verbatim tagging) cannot run as SQL: their tables are
copied too, and their time is the dbt profile's.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from pathlib import Path

import duckdb

MODEL_SCHEMAS = ("staging", "intermediate", "marts", "kpi")
# The relation a sliced model's pre-hook sizes its slices by.
SIZED_BY = re.compile(r"start_sliced_build\(ref\('(\w+)'\)\)")


def models_in_order(manifest: dict) -> list[dict]:
    """The manifest's models, each after every model it reads."""
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    order: list[dict] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for parent in nodes[uid]["depends_on"]["nodes"]:
            if parent in nodes:
                visit(parent)
        order.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return order


def _compiled_sql(node: dict, run_target: Path) -> str:
    if node.get("compiled_code"):
        return node["compiled_code"]
    path = run_target / "compiled" / node["package_name"] / node["original_file_path"]
    return path.read_text()


def _slices(con: duckdb.DuckDBPyConnection, node: dict, nodes: dict, slice_rows: int) -> int:
    """How many slices the model's hooks build it in (1 for a model that is not sliced)."""
    hooks = " ".join(hook["sql"] for hook in node["config"].get("pre-hook", []))
    sized_by = SIZED_BY.search(hooks)
    if not sized_by:
        return 1
    parent = nodes[sized_by.group(1)]
    relation = f'"{parent["schema"]}"."{parent["alias"]}"'
    (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
    return max(1, math.ceil(rows / slice_rows))


def _build(con: duckdb.DuckDBPyConnection, node: dict, sql: str, slices: int) -> None:
    kind = "view" if node["config"]["materialized"] == "view" else "table"
    name = f'"{node["schema"]}"."{node["alias"]}"'
    if slices == 1:
        con.execute(f"create or replace {kind} {name} as\n{sql}")
        return
    con.execute(f"set variable cjm_build_slices = {slices}::ubigint")
    for slice_ in range(slices):
        con.execute(f"set variable cjm_build_slice = {slice_}::ubigint")
        into = (
            f"create or replace table {name} as" if slice_ == 0 else f"insert into {name} by name"
        )
        con.execute(f"{into}\n{sql}")
    con.execute("reset variable cjm_build_slices")
    con.execute("reset variable cjm_build_slice")


def run_compiled(
    build_db: Path,
    run_target: Path,
    work: Path,
    threads: int,
    memory_limit: str,
    slice_rows: int,
) -> dict:
    """Seconds to run every SQL model of the build in `run_target` (a dbt run's target folder)
    straight in DuckDB, from a copy of `build_db`'s inputs in `work`."""
    manifest = json.loads((run_target / "manifest.json").read_text())
    order = models_in_order(manifest)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    con = duckdb.connect(str(work / "build.duckdb"))  # the compiled SQL names database "build"
    try:
        con.execute(f"set threads = {threads}")
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{build_db}' as source (read_only)")
        python = {(n["schema"], n["alias"]) for n in order if n["language"] == "python"}
        copied = [
            (schema, table)
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'source'"
            ).fetchall()
            if schema not in MODEL_SCHEMAS or (schema, table) in python
        ]
        for schema, table in copied:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create table "{schema}"."{table}" as select * from source."{schema}"."{table}"'
            )
        con.execute("detach source")
        seconds: dict[str, float] = {}
        nodes = {node["name"]: node for node in order}
        for node in order:
            if node["language"] != "sql" or node["config"]["materialized"] == "ephemeral":
                continue
            con.execute(f'create schema if not exists "{node["schema"]}"')
            started = time.perf_counter()
            slices = _slices(con, node, nodes, slice_rows)
            _build(con, node, _compiled_sql(node, run_target), slices)
            seconds[node["name"]] = time.perf_counter() - started
    finally:
        con.close()
    shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": round(sum(seconds.values()), 1),
        "models": len(seconds),
        "python_models_copied": sorted(table for _, table in python),
        "slowest": [
            {"model": name, "seconds": round(s, 2)}
            for name, s in sorted(seconds.items(), key=lambda item: -item[1])[:5]
        ],
    }
