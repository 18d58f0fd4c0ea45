"""Shared fixtures: an isolated CJM_HOME per test, and helpers to open its warehouse."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CJM = Path(sys.executable).with_name("cjm")


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt manifest once, before any test (and before xdist starts its workers), so
    tests on both workers find it current and none re-parses it under another."""
    if hasattr(config, "workerinput"):
        return
    from orchestration.settings import Settings
    from orchestration.transform.project import ensure_manifest

    ensure_manifest(Settings.from_env(home=REPO / "data"))


@pytest.fixture
def cjm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh CJM_HOME for one test; the settings object reads it from the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("CJM_HOME", str(home))
    monkeypatch.setenv("CJM_PII_SALT", "test-salt")
    yield home


def cjm_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "CJM_HOME": str(home), "CJM_PII_SALT": "test-salt"}
    env.pop("DAGSTER_HOME", None)
    return env


def run_cjm(home: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real `cjm` command (a new process, as a user or the scheduler would)."""
    return subprocess.run(
        [str(CJM), *args],
        cwd=REPO,
        env=cjm_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_cjm_killed_when(
    home: Path, marker: str, *args: str, delay_seconds: float = 0.0
) -> list[str]:
    """Start a real `cjm <args>` and SIGKILL its whole process group `delay_seconds` after it
    prints a line holding `marker` (a kill at a known step); return what it printed."""
    process = subprocess.Popen(
        [str(CJM), *args],
        cwd=REPO,
        env=cjm_env(home),
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
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL, "".join(seen[-20:])
    return seen


# One simulated history and one published home, shared by the end-to-end modules (each full
# run of the pipeline costs tens of seconds). Tests that change a home work on a copy.
E2E_START = "2026-09-01"
E2E_HISTORY_DAYS = 8  # days 0-7 are published; days 8 and 9 are there for tests to add


def e2e_day(offset: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(E2E_START) + dt.timedelta(days=offset)).isoformat()


def copy_days(simulated: Path, home: Path, days: range) -> None:

    for source_dir in (simulated / "landing").iterdir():
        for offset in days:
            folder = source_dir / e2e_day(offset)
            if folder.exists():
                shutil.copytree(folder, home / "landing" / source_dir.name / e2e_day(offset))


def _made_once(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, make) -> Path:
    """A folder `make(folder)` fills once per test session, even across xdist workers: the
    first worker to ask makes it under a lock, the others wait and reuse it (read only)."""
    if worker_id == "master":  # no xdist: this process is the session
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent  # one per session, above every worker's
    folder = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A clean simulated sample: landing/ and truth/ for ten days."""
    import datetime as dt

    from orchestration.simulator import SimulationParams, simulate

    def make(out: Path) -> None:
        params = SimulationParams(
            customers=250,
            days=E2E_HISTORY_DAYS + 2,
            seed=17,
            dirty_rate=0.0,
            start=dt.date.fromisoformat(E2E_START),
        )
        simulate(params, out / "landing", out / "truth")

    return _made_once(tmp_path_factory, worker_id, "simulated", make)


@pytest.fixture(scope="session")
def published_run(simulated: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str):
    """The first eight days, run once through `cjm run`: (home, completed process). Shared
    by every test on both workers: a test that writes to it works on a copy."""

    def make(folder: Path) -> None:
        copy_days(simulated, folder / "home", range(E2E_HISTORY_DAYS))
        result = run_cjm(folder / "home", "run")
        (folder / "run.json").write_text(
            json.dumps([result.args, result.returncode, result.stdout, result.stderr])
        )

    folder = _made_once(tmp_path_factory, worker_id, "published", make)
    args, code, stdout, stderr = json.loads((folder / "run.json").read_text())
    return folder / "home", subprocess.CompletedProcess(args, code, stdout, stderr)


def build_without_dagster(
    home: Path, data_tests: bool = False, publish_and_report: bool = False
) -> None:
    """The nightly's own steps on `home`, without Dagster and its Great Expectations checks:
    every landing file loaded by the loader, the models built by `dbt build` (with
    `data_tests`, dbt's data tests too), and with `publish_and_report` the publication
    (`cjm.duckdb`, Parquet) and the pages.

    For cases that differ from a whole run only in their data (a platform alone, the clean twin
    of a dirty sample): a whole `cjm run` costs ~55 s of CPU here, this ~15-20 s. What only
    the orchestration shows (the gate, write-audit-publish, kills, the lock) has its own
    `cjm run`s in tests/e2e."""
    import duckdb

    from orchestration.ingestion import loader
    from orchestration.ingestion.sources import SOURCES
    from orchestration.publish.writer import publish
    from orchestration.settings import Settings
    from reports.build import build_reports

    settings = Settings.from_env(home=home)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("set TimeZone = 'UTC'")
        for spec in SOURCES.values():
            loader.ingest_source(con, spec, settings.landing_dir, batch_id="test", salt="test-salt")
    excluded = ["resource_type:unit_test"] + ([] if data_tests else ["resource_type:test"])
    result = run_dbt(home, "build", "--exclude", *excluded)
    assert result.returncode == 0, result.stdout[-4000:]
    if publish_and_report:
        publish(settings, "build-without-dagster", [])
        build_reports(settings, blocked=None)


def _stable_home(home: Path) -> tuple[Path, Path]:
    """`home` under a path that stays the same for all of this test process's dbt runs (a
    symlink, repointed each time), and where the process keeps dbt's partial parse: dbt
    parses partially only while the profile (the warehouse's path) is unchanged, and a full
    parse costs ~6 s of CPU more (9 s against 3.4 s)."""
    base = Path(tempfile.gettempdir()) / f"cjm-dbt-home-{os.getpid()}"
    base.mkdir(exist_ok=True)
    link, fresh = base / "home", base / "home.new"
    fresh.unlink(missing_ok=True)
    fresh.symlink_to(home.resolve(), target_is_directory=True)
    os.replace(fresh, link)
    return link, base / "partial_parse.msgpack"


def run_dbt(home: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run dbt in dbt_project/ against `home`'s warehouse, as an analytics engineer would.

    Its target folder is the home's own: dbt rewrites `target/manifest.json` in place, and a
    `cjm run` on the other worker reads the project's. dbt sees the home under a path of this
    test process's own, and starts from the partial parse its previous run left."""
    target = home.with_name(home.name + ".dbt-target")
    target.mkdir(parents=True, exist_ok=True)
    link, saved = _stable_home(home)
    prepared = REPO / "dbt_project/target/partial_parse.msgpack"
    shutil.copy(saved if saved.exists() else prepared, target / "partial_parse.msgpack")
    env = {
        **os.environ,
        "CJM_HOME": str(link),
        "CJM_PII_SALT": "test-salt",
        "DBT_PROFILES_DIR": str(REPO / "dbt_project"),
        "DBT_TARGET_PATH": str(target),
        "DO_NOT_TRACK": "1",
    }
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args],
        cwd=REPO / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if (target / "partial_parse.msgpack").exists():
        shutil.copy(target / "partial_parse.msgpack", saved)
    return result
