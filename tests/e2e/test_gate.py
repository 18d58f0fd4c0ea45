"""Write-audit-publish under faults: bad data never reaches warehouse/cjm.duckdb.

One clean history is simulated and published once; each fault then runs on a copy of that
home with one more day of landing files, corrupted one way.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from orchestration.simulator import SimulationParams, simulate
from tests.conftest import REPO, run_cjm

pytestmark = pytest.mark.slow
START = dt.date(2026, 9, 1)
HISTORY_DAYS = 8


def _day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


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
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(
        SimulationParams(
            customers=250, days=HISTORY_DAYS + 2, start=START, seed=17, dirty_rate=0.0
        ),
        out / "landing",
        out / "truth",
    )
    return out / "landing"


def _copy_days(simulated: Path, home: Path, days: range) -> None:
    for source_dir in simulated.iterdir():
        for offset in days:
            folder = source_dir / _day(offset)
            if folder.exists():
                shutil.copytree(folder, home / "landing" / source_dir.name / _day(offset))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, simulated: Path) -> Path:
    home = tmp_path_factory.mktemp("published") / "home"
    _copy_days(simulated, home, range(HISTORY_DAYS))
    result = run_cjm(home, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    return home


@pytest.fixture
def fork(published: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(published, home)
    return home


def _assert_blocked(home: Path, before: dict, *fragments: str) -> None:
    result = run_cjm(home, "run")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "nothing was published" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr[-3000:]
    assert published_content(home) == before
    status = run_cjm(home, "status")
    assert "BLOCKED" in status.stdout and "stale since" in status.stdout
    for fragment in fragments:
        assert fragment in status.stdout


def test_out_of_range_score_blocks(fork: Path, simulated: Path) -> None:
    before = published_content(fork)
    _copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    survey = fork / "landing/survey" / _day(HISTORY_DAYS) / "late_responses.csv"
    survey.parent.mkdir(parents=True, exist_ok=True)
    survey.write_text(
        "response_id,survey_type,customer_id,responded_at,nps\r\n"
        f"r-out-of-range,relationship,C0000001,{_day(HISTORY_DAYS)} 10:00:00,11\r\n"
    )
    _assert_blocked(fork, before, "survey/responses:raw_expectations", "(nps)")


def test_duplicate_contact_ids_block(fork: Path, simulated: Path) -> None:
    before = published_content(fork)
    _copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    contacts = fork / "landing/contact_center" / _day(HISTORY_DAYS) / "contacts.jsonl"
    lines = contacts.read_text().splitlines()
    contacts.write_text("\n".join([*lines, lines[0]]) + "\n")
    _assert_blocked(fork, before, "contact_center/contacts:raw_expectations", "(contact_id)")


def test_missing_day_blocks(fork: Path, simulated: Path) -> None:
    before = published_content(fork)
    _copy_days(simulated, fork, range(HISTORY_DAYS + 1, HISTORY_DAYS + 2))  # a day skipped
    _assert_blocked(fork, before, "contact_center/contacts:raw_expectations", "(row_count)")


def test_volume_collapse_blocks(fork: Path, simulated: Path) -> None:
    before = published_content(fork)
    _copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    events = fork / "landing/web" / _day(HISTORY_DAYS) / "events.jsonl.gz"
    import gzip

    lines = gzip.decompress(events.read_bytes()).split(b"\n")
    events.write_bytes(gzip.compress(b"\n".join(lines[: len(lines) // 10]) + b"\n", mtime=0))
    _assert_blocked(fork, before, "web/events:raw_expectations", "(volume_ratio)")


def test_rerun_publishes_identical_data(fork: Path) -> None:
    before = published_content(fork)
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert published_content(fork) == before
    with duckdb.connect(str(fork / "warehouse/cjm.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from meta.publish_log").fetchone() == (2,)


READER = textwrap.dedent("""
    import sys, time, duckdb
    from pathlib import Path
    path, ready, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    con = duckdb.connect(path, read_only=True)
    sql = "select count(*), max(touchpoint_date) from marts.fct_touchpoints"
    first = con.execute(sql).fetchone()
    ready.write_text("reading")
    while not done.exists():
        time.sleep(0.2)
    again = con.execute(sql).fetchone()
    print(first == again, first[1])
""")


def test_reader_holding_the_published_file_never_blocks_the_run(
    fork: Path, simulated: Path, tmp_path: Path
) -> None:
    ready, done = tmp_path / "ready", tmp_path / "done"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(fork / "warehouse/cjm.duckdb"), str(ready), str(done)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(300):
            if ready.exists():
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert ready.exists(), "the reader opened the published file"
        _copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
        result = run_cjm(fork, "run")
        assert result.returncode == 0, result.stderr[-3000:]
    finally:
        done.write_text("done")
        out, _ = reader.communicate(timeout=60)
    consistent, old_last_day = out.split()
    assert consistent == "True"  # the reader kept its snapshot through the swap
    with duckdb.connect(str(fork / "warehouse/cjm.duckdb"), read_only=True) as con:
        [(new_last_day,)] = con.execute(
            "select max(touchpoint_date) from marts.fct_touchpoints"
        ).fetchall()
    assert str(new_last_day) > old_last_day  # a new reader sees the new publication


@pytest.fixture(scope="module")
def next_day_reference(published: Path, simulated: Path, tmp_path_factory) -> dict:
    """What an uninterrupted run publishes once the next day has landed."""
    home = tmp_path_factory.mktemp("reference") / "home"
    shutil.copytree(published, home)
    _copy_days(simulated, home, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    result = run_cjm(home, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    return published_content(home)


def _kill_run_when(home: Path, marker: str, delay_seconds: float) -> None:
    """Start `cjm run`, SIGKILL its whole process group once `marker` is printed."""
    import os
    import signal
    import time

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


@pytest.mark.parametrize(
    ("marker", "delay_seconds"),
    [("cjm_dbt_assets: started", 3.0), ("published_warehouse: started", 0.0)],
    ids=["during-dbt", "during-publish"],
)
def test_killed_run_leaves_publication_intact_and_next_run_recovers(
    fork: Path, simulated: Path, next_day_reference: dict, marker: str, delay_seconds: float
) -> None:
    before = published_content(fork)
    _copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    _kill_run_when(fork, marker, delay_seconds)
    after_kill = published_content(fork)  # the published file opens and is whole
    assert after_kill in (before, next_day_reference)
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert published_content(fork) == next_day_reference
