"""Readers and kills beside the nightly run: a BI reader holding the published file never
blocks a run, and a run killed at any moment leaves the last publication whole and the next run
equal to an uninterrupted one."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import E2E_HISTORY_DAYS, REPO, copy_days, e2e_day, run_cjm
from tests.e2e.conftest import published_content

pytestmark = pytest.mark.slow
HISTORY_DAYS = E2E_HISTORY_DAYS
_day = e2e_day


# A BI client as Superset would connect: SQLAlchemy + duckdb_engine, read-only. It keeps one
# connection open and queries a KPI table over and over while the nightly run publishes.
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


@pytest.fixture(scope="module")
def next_day(published: Path, simulated: Path, tmp_path_factory) -> dict:
    """The next day published while a reader process holds cjm.duckdb open read-only."""
    home = tmp_path_factory.mktemp("next_day") / "home"
    shutil.copytree(published, home)
    ready, done = home.parent / "ready", home.parent / "done"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home / "warehouse/cjm.duckdb"), str(ready), str(done)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):
            if ready.exists():
                break
            time.sleep(0.1)
        assert ready.exists(), "the reader opened the published file"
        copy_days(simulated, home, range(HISTORY_DAYS, HISTORY_DAYS + 1))
        result = run_cjm(home, "run")
    finally:
        done.write_text("done")
        out, _ = reader.communicate(timeout=60)
    return {
        "result": result,
        "reader": out.split(),
        "content": published_content(home),
        "home": home,
    }


def test_reader_holding_the_published_file_never_blocks_the_run(next_day: dict) -> None:
    assert next_day["result"].returncode == 0, next_day["result"].stderr[-3000:]
    consistent, old_last_day, queries = next_day["reader"]
    assert consistent == "True"  # the reader kept its snapshot through the swap
    assert int(queries) > 10  # it kept querying the KPI table during the run
    with duckdb.connect(str(next_day["home"] / "warehouse/cjm.duckdb"), read_only=True) as con:
        [(new_last_day,)] = con.execute(
            "select max(touchpoint_date) from marts.fct_touchpoints"
        ).fetchall()
    assert str(new_last_day) > old_last_day  # a new reader sees the new publication


def _kill_run_when(home: Path, marker: str, delay_seconds: float) -> None:
    """Start `cjm run`, SIGKILL its whole process group once `marker` is printed."""
    env = {**os.environ, "CJM_HOME": str(home), "CJM_PII_SALT": "test-salt"}
    env.pop("DAGSTER_HOME", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("cjm")), "run"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = []
    for line in process.stderr:
        seen.append(line)
        if marker in line:
            time.sleep(delay_seconds)
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "".join(seen[-20:])


def test_killed_runs_leave_publication_intact_and_next_run_recovers(
    fork: Path, simulated: Path, next_day: dict
) -> None:
    before = published_content(fork)
    copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    _kill_run_when(fork, "cjm_dbt_assets: started", 3.0)  # killed in the middle of dbt
    assert published_content(fork) == before  # the published file opens and is unchanged
    _kill_run_when(fork, "published_warehouse: started", 0.0)  # killed while publishing
    assert published_content(fork) in (before, next_day["content"])  # old or new, never half
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert published_content(fork) == next_day["content"]  # as an uninterrupted run
