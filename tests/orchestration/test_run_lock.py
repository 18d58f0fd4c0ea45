"""Failures that name their cause in one line: a second command on a busy home, the build file
held by another process, a full disk (issue 17, finding 8)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.run_lock import WarehouseBusy, exclusive
from orchestration.run_state import explain
from orchestration.settings import Settings
from tests.conftest import run_cjm


@pytest.mark.slow  # a real process: the slow lane
def test_a_second_command_stops_at_once_naming_the_first(cjm_home: Path) -> None:
    settings = Settings.from_env()
    with exclusive(settings, "run"):
        busy = rf"`cjm run` \(pid {os.getpid()}\) since"
        with pytest.raises(WarehouseBusy, match=busy), exclusive(settings, "erase"):
            pass
        result = run_cjm(cjm_home, "run")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the warehouse is busy: `cjm run`" in lines[0], result.stderr
    with exclusive(settings, "erase"):  # released when the holder is done
        pass


@pytest.mark.slow  # a real process: the slow lane
def test_a_build_file_held_by_another_process_is_named_in_one_line(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    day = settings.landing_dir / "crm/2026-09-01"
    day.mkdir(parents=True)
    (day / "customers.csv").write_text("customer_id,updated_at\nC1,2026-09-01 00:00:00\n")
    holder = duckdb.connect(str(settings.build_db))  # like `dbt build` run by hand meanwhile
    try:
        result = run_cjm(cjm_home, "run")
    finally:
        holder.close()
    assert result.returncode == 1
    assert f"is held by another process (PID {os.getpid()})" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_the_run_cjm_run_executes_takes_the_lock_it_already_holds(cjm_home: Path) -> None:
    """A run Dagster launches takes the home's lock (resources.Warehouse); inside `cjm run`,
    which holds it, the run goes on with it; anything else still stops."""
    settings = Settings.from_env()
    with exclusive(settings, "run"):
        with exclusive(settings, "run (launched by Dagster)", reentrant=True):
            pass
        with pytest.raises(WarehouseBusy), exclusive(settings, "accept"):
            pass
    # alone, it takes the lock itself
    with (
        exclusive(settings, "run (launched by Dagster)", reentrant=True),
        pytest.raises(WarehouseBusy),
        exclusive(settings, "run"),
    ):
        pass


def test_known_causes_are_named() -> None:
    lock = (
        'IO Error: Could not set lock on file "/srv/cjm/warehouse/build.duckdb": Conflicting lock'
        " is held in /usr/bin/python3 (PID 4242) by user cjm. See also https://duckdb.org/docs"
    )
    assert explain(lock).startswith("/srv/cjm/warehouse/build.duckdb is held by another process")
    assert "(PID 4242)" in explain(lock)
    disk = 'IO Error: Could not write file "/srv/cjm/x.tmp": No space left on device\nmore'
    assert explain(disk) == "the disk is full (No space left on device): free space, then run again"
    assert explain("plain error\nsecond line") == "plain error"


@pytest.mark.slow  # a real process: the slow lane
def test_a_full_disk_is_named_in_one_line(tmp_path: Path) -> None:
    """CJM_HOME on a 3 MB file system that a 1 MB landing file fills during the run (Dagster's
    own storage is the first to fail): one line, no traceback, even though the log cannot be
    written either. Needs root to mount the small file system; skipped otherwise."""
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        day = small / "home/landing/web/2026-09-01"
        day.mkdir(parents=True)
        with (day / "events.jsonl").open("w") as events:
            for i in range(6000):
                event = {
                    "event_id": f"e{i}",
                    "cookie_id": f"c{i % 500}",
                    "event_at": "2026-09-01T10:00:00Z",
                    "event_name": "page_view",
                    "page_url": f"https://example.com/{'p' * (10 + i % 50)}",
                }
                events.write(json.dumps(event) + "\n")
        result = run_cjm(small / "home", "run")
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "the disk is full (No space left on device)" in result.stderr, result.stderr[-2000:]
