"""Settings derive every path from CJM_HOME and export what child processes need."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.settings import DBT_PROJECT_DIR, Settings


def test_paths_derive_from_cjm_home(cjm_home: Path) -> None:
    settings = Settings.from_env()
    assert settings.home == cjm_home.resolve()
    assert settings.build_db == cjm_home / "warehouse/build.duckdb"
    assert settings.published_db == cjm_home / "warehouse/cjm.duckdb"
    assert settings.landing_dir == cjm_home / "landing"
    assert settings.exports_dir == cjm_home / "exports"
    assert settings.reports_dir == cjm_home / "reports"
    assert settings.logs_dir == cjm_home / "logs"


def test_prepare_creates_folders_and_disables_telemetry(cjm_home: Path) -> None:
    settings = Settings.from_env()
    settings.prepare()
    config = yaml.safe_load((cjm_home / "dagster/dagster.yaml").read_text())
    assert config["telemetry"] == {"enabled": False}
    assert config["storage"]["custom"]["class"] == "PooledSqliteStorage"
    assert os.environ["DAGSTER_HOME"] == str(cjm_home / "dagster")
    assert os.environ["DO_NOT_TRACK"] == "1"
    assert os.environ["CJM_PII_SALT"] == "test-salt"
    for folder in ("landing", "warehouse", "exports", "reports", "logs"):
        assert (cjm_home / folder).is_dir()


def test_relative_cjm_home_becomes_absolute(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CJM_HOME", "rel")
    assert Settings.from_env().home == tmp_path / "rel"


def test_pooled_event_log_is_dagsters_own_format(cjm_home: Path) -> None:
    """Events written through the pooled event log are read back by stock Dagster storage in
    the default folders (what the webserver of an older install would open)."""
    Settings.from_env().prepare()
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage).__name__ == "PooledSqliteEventLogStorage"
        for value in range(3):
            instance.report_runless_asset_event(
                dg.AssetMaterialization("orders", metadata={"rows": value})
            )
    stock = dg.DagsterInstance.from_config(
        str(cjm_home / "dagster"), config_filename="no-such-file.yaml"
    )
    try:
        assert type(stock.event_log_storage).__name__ == "SqliteEventLogStorage"
        records = stock.fetch_materializations(dg.AssetKey("orders"), limit=10).records
        rows = sorted(r.asset_materialization.metadata["rows"].value for r in records)
        assert rows == [0, 1, 2]
    finally:
        stock.dispose()


def test_timezone_is_checked_and_passed_to_dbt(cjm_home: Path, monkeypatch) -> None:
    assert Settings.from_env().timezone == "UTC"
    monkeypatch.setenv("CJM_TIMEZONE", "Asia/Jerusalem")
    settings = Settings.from_env()
    assert settings.child_env()["CJM_TIMEZONE"] == "Asia/Jerusalem"
    monkeypatch.setenv("CJM_TIMEZONE", "Europe/Rgia")
    with pytest.raises(ValueError, match="CJM_TIMEZONE='Europe/Rgia' is not an IANA time zone"):
        Settings.from_env()


def test_duckdb_defaults_are_the_dbt_profiles(monkeypatch) -> None:
    """One home for the DuckDB defaults: the loader uses what a dbt run by hand uses."""
    monkeypatch.delenv("CJM_DUCKDB_THREADS", raising=False)
    monkeypatch.delenv("CJM_DUCKDB_MEMORY_LIMIT", raising=False)
    settings = Settings.from_env()
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    assert f"env_var('CJM_DUCKDB_THREADS', '{settings.duckdb_threads}')" in profile
    assert f"env_var('CJM_DUCKDB_MEMORY_LIMIT', '{settings.duckdb_memory_limit}')" in profile
    monkeypatch.setenv("CJM_DUCKDB_THREADS", "7")
    assert Settings.from_env().duckdb_threads == 7


def test_two_commands_in_the_same_second_get_their_own_log_files(cjm_home) -> None:
    """Issue 17, finding 8: runs started in the same second wrote the same log file."""
    from orchestration.cli import _log_path

    settings = Settings.from_env()
    paths = {_log_path(settings, "run") for _ in range(3)}
    assert len(paths) == 3 and all(p.exists() for p in paths)


def test_an_unusable_home_is_one_line_not_a_traceback(tmp_path) -> None:
    """Issue 17, finding 8: an unwritable CJM_HOME printed an 11-line traceback, also for
    `cjm status`. (Tests run as root, who may write anywhere: a home below a file stands in.)"""
    import subprocess
    import sys
    from pathlib import Path

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cjm = Path(sys.executable).with_name("cjm")
    for command in ("status", "run"):
        result = subprocess.run(
            [str(cjm), command],
            env={**os.environ, "CJM_HOME": str(blocker / "home")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = (result.stdout + result.stderr).strip().splitlines()
        assert result.returncode == 2, lines
        assert len(lines) == 1 and lines[0].startswith(f"cjm {command}: error: cannot use")
