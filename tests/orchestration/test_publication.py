"""The publication survives its readers' misuse and says what each table and column means
(issue 17: findings 7, 9 and 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.publish.writer import publish
from orchestration.settings import Settings
from orchestration.warehouse import connect

MODELS = {
    ("marts", "dim_thing"): {
        "description": "One row per thing.",
        "columns": {"thing_key": {"description": "The thing's key."}, "gone": {}},
    },
    ("kpi", "kpi_things_daily"): {"description": "Things per day.", "columns": {}},
}


LEDGER_ROW = (
    "insert into raw.load_ledger (load_id, source, file, day, sha256, rows_read, rows_loaded,"
    " rows_rejected, status, loaded_at) values (?, 'crm', ?, null, ?, ?, ?, 0, ?, now())"
)


def _build(settings: Settings, loaded: bool = True) -> None:
    con = connect(settings)
    try:
        loader.ensure_tables(con, SOURCES["crm"])  # the ledger and rejects publication reads
        if loaded:
            con.execute(LEDGER_ROW, ["l0", "crm/2026-01-01/c.csv", "s0", 1, 1, "loaded"])
        con.execute("create schema marts")
        con.execute("create schema kpi")
        con.execute("create table marts.dim_thing as select 'a' as thing_key, 1 as n")
        con.execute("create table kpi.kpi_things_daily as select date '2026-01-01' as day")
        # a model deleted from the project left its table in the build file
        con.execute("create table marts.dim_deleted as select 1 as x")
    finally:
        con.close()


def test_a_deleted_model_is_not_published_and_its_export_goes(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    (settings.exports_dir / "dim_deleted.parquet").write_bytes(b"from an older publication")
    publication = publish(settings, "run-1", models=MODELS)
    assert set(publication.tables) == {"marts.dim_thing", "kpi.kpi_things_daily"}
    assert sorted(p.name for p in settings.exports_dir.glob("*.parquet")) == [
        "dim_thing.parquet",
        "kpi_things_daily.parquet",
    ]


def test_tables_and_columns_carry_their_dbt_descriptions(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    publish(settings, "run-1", models=MODELS)
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name <> 'meta'"
            ).fetchall()
        )
        columns = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() where table_name = 'dim_thing'"
            ).fetchall()
        )
    assert tables == {"dim_thing": "One row per thing.", "kpi_things_daily": "Things per day."}
    assert columns == {"thing_key": "The thing's key.", "n": None}


def test_a_crashed_read_write_client_does_not_break_the_next_publication(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    publish(settings, "run-1", models=MODELS)
    # a BI tool opens the published file read-write, writes, and dies before a checkpoint
    client = (
        "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]);"
        " con.execute('pragma disable_checkpoint_on_shutdown');"
        " con.execute('create table main.scratch as select 42 as x'); os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", client, str(settings.published_db)], check=False)
    wal = settings.published_db.with_name("cjm.duckdb.wal")
    assert wal.exists()
    publication = publish(settings, "run-2", models=MODELS)
    assert not wal.exists()
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        runs = [r[0] for r in con.execute("select run_id from meta.publish_log").fetchall()]
        scratch = con.execute(
            "select count(*) from duckdb_tables() where table_name = 'scratch'"
        ).fetchone()[0]
    assert sorted(runs) == ["run-1", "run-2"] and scratch == 0
    assert len(publication.exports) == 2


def test_an_empty_warehouse_is_not_published(cjm_home: Path) -> None:
    """Issue 17, finding 8: an empty landing (or one whose files were all rejected) published an
    empty warehouse ("data through None") and the reports then failed with a raw TypeError."""
    import pytest

    from orchestration.publish.writer import NothingToPublish

    settings = Settings.from_env()
    settings.prepare()
    _build(settings, loaded=False)
    con = connect(settings)
    try:  # the only file was rejected whole
        con.execute(LEDGER_ROW, ["l1", "crm/latest/x.csv", "s1", 0, 0, "rejected"])
    finally:
        con.close()
    with pytest.raises(NothingToPublish, match="no landing source has delivered a loadable row"):
        publish(settings, "run-1", models=MODELS)
    assert not settings.published_db.exists()
