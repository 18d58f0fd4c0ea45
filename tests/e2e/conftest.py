"""The end-to-end modules' shared home: the published history (tests/conftest.py) and a copy
of it for each test that changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest


def published_content(home: Path) -> dict[str, list[tuple]]:
    """Every published table's rows (sorted), the publish log aside."""
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('marts', 'kpi') order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": sorted(
                con.execute(f"select * from {schema}.{table}").fetchall(), key=repr
            )
            for schema, table in tables
        }


@pytest.fixture(scope="module")
def published(published_run) -> Path:
    home, result = published_run
    assert result.returncode == 0, result.stderr[-3000:]
    return home


@pytest.fixture
def fork(published: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(published, home)
    return home
