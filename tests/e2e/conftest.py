"""The end-to-end modules' shared home: the published history (tests/conftest.py) and a copy
of it for each test that changes it; a BI reader to hold a published file open."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO

# A BI client as Superset would connect: SQLAlchemy + duckdb_engine, read-only. It keeps one
# connection open and queries a KPI table over and over while the nightly run publishes; at the
# end it prints whether every answer was the first one, the last day it saw, and its queries.
READER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from sqlalchemy import create_engine, text
    path, ready, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    with engine.connect() as con:
        kpi = text("select count(*), sum(offered) from kpi.kpi_contact_centre_daily")
        last_day = text("select max(touchpoint_date) from marts.fct_touchpoints")
        first, day = con.execute(kpi).one(), con.execute(last_day).scalar()
        ready.write_text("reading")
        queries, consistent = 1, True
        while not done.exists():
            consistent &= con.execute(kpi).one() == first
            queries += 1
            time.sleep(0.2)
    print(consistent, day, queries)
""")


@contextlib.contextmanager
def bi_reader(published: Path, folder: Path) -> Iterator[list[str]]:
    """A reader process holding `published` open inside the block; the list it yields holds,
    after the block, what the reader printed: consistent (True/False), the last day it saw
    when it opened the file, and how many queries it ran."""
    ready, done = folder / "reader-ready", folder / "reader-done"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), str(ready), str(done)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    try:
        for _ in range(300):
            if ready.exists():
                break
            time.sleep(0.1)
        assert ready.exists(), "the reader opened the published file"
        yield said
    finally:
        done.write_text("done")
        out, _ = reader.communicate(timeout=60)
        said.extend(out.split())


def published_content(home: Path) -> dict[str, list[tuple]]:
    """Every published table's rows (sorted), the publish log aside."""
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('marts', 'kpi') order by 1, 2"
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
