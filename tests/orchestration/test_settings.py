"""Settings derive every path from CJM_HOME and export what child processes need."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.settings import Settings


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
    assert (cjm_home / "dagster/dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
    assert os.environ["DAGSTER_HOME"] == str(cjm_home / "dagster")
    assert os.environ["DO_NOT_TRACK"] == "1"
    assert os.environ["CJM_PII_SALT"] == "test-salt"
    for folder in ("landing", "warehouse", "exports", "reports", "logs"):
        assert (cjm_home / folder).is_dir()


def test_relative_cjm_home_becomes_absolute(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CJM_HOME", "rel")
    assert Settings.from_env().home == tmp_path / "rel"
