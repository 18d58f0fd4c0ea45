"""Kills beside the nightly run: a run killed at any moment leaves the last publication whole
and the next run equal to an uninterrupted one. (A BI reader beside a publishing run:
test_gate.py, night 3.)"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    E2E_HISTORY_DAYS,
    REPO,
    build_without_dagster,
    copy_days,
    e2e_day,
    run_cjm,
)
from tests.e2e.conftest import published_content

pytestmark = pytest.mark.slow
HISTORY_DAYS = E2E_HISTORY_DAYS
_day = e2e_day


@pytest.fixture(scope="module")
def uninterrupted(published: Path, simulated: Path, tmp_path_factory) -> dict:
    """What the next day publishes when nothing interrupts the night: the nightly's loader and
    dbt models on a copy of the published home, published (`build_without_dagster`)."""
    home = tmp_path_factory.mktemp("uninterrupted") / "home"
    shutil.copytree(published, home)
    copy_days(simulated, home, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    build_without_dagster(home, publish_and_report=True)
    return published_content(home)


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
    fork: Path, simulated: Path, uninterrupted: dict
) -> None:
    before = published_content(fork)
    copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    _kill_run_when(fork, "cjm_dbt_assets: started", 3.0)  # killed in the middle of dbt
    assert published_content(fork) == before  # the published file opens and is unchanged
    _kill_run_when(fork, "published_warehouse: started", 0.0)  # killed while publishing
    assert published_content(fork) in (before, uninterrupted)  # old or new, never half
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert published_content(fork) == uninterrupted  # as an uninterrupted run
