"""Records a corrected delivery withdrew must leave the incremental models too.

The loader moves the records of a file re-delivered under the same name out of the raw table
(`raw.superseded_rows`). Incremental models rebuild only the keys of rows loaded since their
last run, so a key that only the withdrawn records held would stay in them. When any delivery
was superseded since the incremental models last ran, the night's `dbt build` is a full
refresh: rare (corrections), and then exactly right.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def incremental_relations(manifest: Path) -> list[str]:
    """`schema.table` of every incremental model in the manifest."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in nodes
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
    )


def withdrawn_since_last_build(con: duckdb.DuckDBPyConnection, manifest: Path) -> list[str]:
    """Files whose earlier delivery a re-delivery superseded after the incremental models last
    ran (the oldest of their newest `_batch_at`); empty when nothing is to withdraw or no
    incremental model is built yet (its first build is a full one)."""
    existing = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall()
    }
    relations = [r for r in incremental_relations(manifest) if r in existing]
    has_ledger_column = con.execute(
        "select count(*) from duckdb_columns() where schema_name = 'raw'"
        " and table_name = 'load_ledger' and column_name = 'superseded_at'"
    ).fetchone()[0]
    if not relations or not has_ledger_column:
        return []
    last_built = " union all ".join(f"select max(_batch_at) as built from {r}" for r in relations)
    return [
        row[0]
        for row in con.execute(
            f"""
            select distinct file from raw.load_ledger
            where date_trunc('second', superseded_at) > (select min(built) from ({last_built}))
            order by file
            """
        ).fetchall()
    ]
