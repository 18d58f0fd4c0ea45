"""The publication survives its readers' misuse, says what each table and column means (issue
17: findings 7, 9 and 12), and rewrites only the parts of the data that changed (issue 28)."""

from __future__ import annotations

import os
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
    ("marts", "fct_events"): {
        "description": "One row per event.",
        "columns": {},
        "config": {"meta": {"published_partition_by": "event_date"}},
    },
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
        con.execute(
            "create table marts.fct_events as select 'e' || i as event_id,"
            " date '2026-01-20' + cast(i as integer) as event_date, now() as _batch_at"
            " from range(20) as r(i)"
        )  # ten days in January, ten in February
        # a model deleted from the project left its table in the build file
        con.execute("create table marts.dim_deleted as select 1 as x")
    finally:
        con.close()


def test_a_deleted_model_is_not_published_and_its_export_goes(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    (settings.exports_dir / "dim_deleted.parquet").write_bytes(b"an older version's export")
    (settings.exports_dir / "dim_deleted").mkdir()
    (settings.exports_dir / "dim_deleted/all.parquet").write_bytes(b"from an older publication")
    publication = publish(settings, "run-1", models=MODELS)
    assert set(publication.tables) == {
        "marts.dim_thing",
        "kpi.kpi_things_daily",
        "marts.fct_events",
    }
    assert sorted(str(p.relative_to(settings.exports_dir)) for p in publication.exports) == [
        "dim_thing/all.parquet",
        "fct_events/2026-01.parquet",
        "fct_events/2026-02.parquet",
        "kpi_things_daily/all.parquet",
    ]
    assert sorted(settings.exports_dir.iterdir()) == sorted({p.parent for p in publication.exports})


def test_tables_and_columns_carry_their_dbt_descriptions(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    publish(settings, "run-1", models=MODELS)
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        tables = dict(
            con.execute(
                "select view_name, comment from duckdb_views() where schema_name <> 'meta'"
                " and not internal"
            ).fetchall()
        )
        columns = dict(
            con.execute(
                "select column_name, comment from duckdb_columns() where table_name = 'dim_thing'"
            ).fetchall()
        )
    assert tables == {
        "dim_thing": "One row per thing.",
        "kpi_things_daily": "Things per day.",
        "fct_events": "One row per event.",
    }
    assert columns == {"thing_key": "The thing's key.", "n": None}


def test_each_export_says_what_it_holds_and_reads_as_the_docs_show(cjm_home: Path) -> None:
    """Every Parquet file carries its table's and columns' descriptions (key-value metadata);
    each table reads whole with the docs' polars and pandas lines; meta tables are described."""
    import pandas as pd
    import polars as pl
    import pyarrow.parquet as pq

    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    publication = publish(settings, "run-1", models=MODELS)
    metadata = pq.read_schema(settings.exports_dir / "dim_thing/all.parquet").metadata
    assert metadata[b"cjm.table"] == b"marts.dim_thing"
    assert metadata[b"cjm.description"] == b"One row per thing."
    assert metadata[b"cjm.column.thing_key"] == b"The thing's key."
    assert b"cjm.column.n" not in metadata  # no description in the YAML: none invented
    for table, rows in publication.tables.items():
        folder = settings.exports_dir / table.split(".")[1]
        assert pl.scan_parquet(f"{folder}/*.parquet").collect().height == rows, table
        assert len(pd.read_parquet(folder)) == rows, table
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        described = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'meta'"
            ).fetchall()
        )
    assert described["publish_log"].startswith("One row per publication")
    assert all(described.values()), described


def test_a_duckdb_1_0_client_opens_the_published_file_read_only(cjm_home: Path) -> None:
    """What BI tools' drivers ship lags the library: the catalogue is written in DuckDB 1.0's
    storage format (`make bi-clients` installs duckdb 1.0.0 beside the project's 2.0)."""
    clients = Path(sys.prefix) / "bi-clients"
    assert (clients / "duckdb").is_dir(), "run `make bi-clients` (make test does)"
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    publish(settings, "run-1", models=MODELS)
    script = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(duckdb.__version__)\n"
        "print(con.execute('select count(*) from marts.fct_events').fetchall()[0][0])\n"
        "print(con.execute('select run_id from meta.publish_log').fetchall()[0][0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(settings.published_db)],
        env={**os.environ, "PYTHONPATH": str(clients)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1.0.0", "20", "run-1"]


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
    assert len(publication.exports) == 4


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


def _events(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select count(*) from marts.fct_events").fetchone()[0]


def test_a_new_day_rewrites_only_the_parts_it_changed(cjm_home: Path) -> None:
    """Each table is published as parts (a month of its partition column, or `all`); a
    publication writes a new file only for a part whose rows changed, the others keep theirs.
    A reader of the previous catalogue keeps reading its files until the publication after."""
    settings = Settings.from_env()
    settings.prepare()
    _build(settings)
    first = publish(settings, "run-1", models=MODELS)
    assert first.parts_written == 4  # dim_thing, kpi_things_daily, January, February
    store = settings.warehouse_dir / "published/fct_events"
    january = next(store.glob("2026-01-*.parquet"))
    february = next(store.glob("2026-02-*.parquet"))
    previous = settings.warehouse_dir / "previous-reader.duckdb"
    os.link(settings.published_db, previous)  # a BI reader holding the first catalogue
    con = connect(settings)
    try:  # a new day in February; January and the other tables unchanged
        con.execute("insert into marts.fct_events values ('e20', date '2026-02-09', now())")
    finally:
        con.close()
    second = publish(settings, "run-2", models=MODELS)
    assert second.parts_written == 1
    assert second.tables["marts.fct_events"] == 21
    assert next(store.glob("2026-01-*.parquet")) == january
    assert len(list(store.glob("2026-02-*.parquet"))) == 2  # the first one still read
    assert _events(settings.published_db) == 21 and _events(previous) == 20
    exported = settings.exports_dir / "fct_events"
    with duckdb.connect() as con:
        rows = con.execute(f"select count(*) from read_parquet('{exported}/*.parquet')").fetchone()
    assert rows == (21,)
    con = connect(settings)
    try:  # a late correction in January
        con.execute("update marts.fct_events set event_id = 'e0-corrected' where event_id = 'e0'")
    finally:
        con.close()
    third = publish(settings, "run-3", models=MODELS)
    assert third.parts_written == 1
    assert not february.exists(), "read by neither of the last two publications"
    assert january.exists(), "the previous publication still reads it"
    assert len(list(store.glob("*.parquet"))) == 3  # January new and old, February of run 2
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.fct_events where event_id = 'e0-corrected'"
        ).fetchone() == (1,)
