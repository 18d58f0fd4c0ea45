"""When a corrected delivery withdrew records, the next build is a full refresh: the incremental
models would otherwise keep keys only the withdrawn records held (issue 17, finding 5)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.transform.withdrawals import incremental_relations, withdrawn_since_last_build

BUILT = {
    "marts.fct_contacts": "2026-09-02 02:00:00",
    "marts.fct_touchpoints": "2026-09-02 02:00:40",
}


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    def node(schema: str, alias: str, materialized: str) -> dict:
        return {
            "resource_type": "model",
            "schema": schema,
            "alias": alias,
            "config": {"materialized": materialized},
        }

    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {
                "nodes": {
                    "model.cjm.fct_contacts": node("marts", "fct_contacts", "incremental"),
                    "model.cjm.fct_touchpoints": node("marts", "fct_touchpoints", "incremental"),
                    "model.cjm.dim_customer": node("marts", "dim_customer", "table"),
                }
            }
        )
    )
    return path


def _warehouse(superseded_at: str | None, built: dict[str, str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw; create schema marts")
    con.execute(
        "create table raw.load_ledger (file varchar, superseded_by varchar,"
        " superseded_at timestamp)"
    )
    con.execute(
        "insert into raw.load_ledger values ('contact_center/2026-09-01/contacts.jsonl', ?, ?)",
        [superseded_at and "load-2", superseded_at],
    )
    for relation, at in built.items():
        con.execute(f"create table {relation} as select timestamp '{at}' as _batch_at")
    return con


def test_the_incremental_models_are_read_from_the_manifest(manifest: Path) -> None:
    assert incremental_relations(manifest) == ["marts.fct_contacts", "marts.fct_touchpoints"]


def test_a_delivery_superseded_after_the_last_build_asks_for_a_full_refresh(manifest) -> None:
    # loaded after fct_contacts' last build (though before fct_touchpoints'): the oldest counts
    con = _warehouse("2026-09-02 02:00:20.5", BUILT)
    assert withdrawn_since_last_build(con, manifest) == ["contact_center/2026-09-01/contacts.jsonl"]


def test_a_withdrawal_already_built_or_none_at_all_does_not(manifest: Path) -> None:
    assert withdrawn_since_last_build(_warehouse("2026-09-02 01:59:59", BUILT), manifest) == []
    # loaded in the same second the build started (it starts after the loads): built
    assert withdrawn_since_last_build(_warehouse("2026-09-02 02:00:00.7", BUILT), manifest) == []
    assert withdrawn_since_last_build(_warehouse(None, BUILT), manifest) == []


def test_before_the_first_build_there_is_nothing_to_refresh(manifest: Path) -> None:
    assert withdrawn_since_last_build(_warehouse("2026-09-02 02:00:20", {}), manifest) == []
