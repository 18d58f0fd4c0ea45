"""The Dagster definitions load without side effects, with the expected assets, checks, jobs,
schedules and sensors (a snapshot lists every one of them)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("definitions_snapshot.txt")


@functools.cache
def _defs() -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions(Settings.from_env(home="/nonexistent/cjm-home"))


def _inventory(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = [f"asset {key.to_user_string()}" for key in graph.get_all_asset_keys()]
    lines += [f"check {c.asset_key.to_user_string()}:{c.name}" for c in graph.asset_check_keys]
    lines += [f"job {j.name}" for j in defs.resolve_all_job_defs() if not j.name.startswith("__")]
    lines += [f"schedule {s.name}" for s in defs.schedules or []]
    lines += [f"sensor {s.name}" for s in defs.sensors or []]
    return sorted(lines)


def test_snapshot_of_every_asset_check_job_schedule_and_sensor() -> None:
    """A change to the graph shows here as a diff to review. After a deliberate change:
    CJM_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/orchestration/test_definitions.py"""
    lines = _inventory(_defs())
    if os.environ.get("CJM_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text("\n".join(lines) + "\n")
    assert lines == SNAPSHOT.read_text().splitlines()


def test_importing_the_definitions_has_no_side_effects(tmp_path: Path) -> None:
    """No folder created, no environment changed, no dbt parse: only building them does that."""
    home = tmp_path / "home"
    manifest = REPO / "dbt_project/target/manifest.json"
    before = manifest.stat().st_mtime_ns if manifest.exists() else None
    probe = (
        "import os, json; before = dict(os.environ); import orchestration.definitions; "
        "print(json.dumps(dict(os.environ) == before))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env={**os.environ, "CJM_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "true"
    assert not home.exists()
    assert (manifest.stat().st_mtime_ns if manifest.exists() else None) == before


def test_assets_read_the_home_from_the_settings_resource(tmp_path: Path) -> None:
    from orchestration.definitions import build_definitions

    defs = build_definitions(Settings.from_env(home=tmp_path / "elsewhere"))
    resources = defs.resources
    assert resources["settings"].get().home == (tmp_path / "elsewhere").resolve()
    assert resources["warehouse"].settings.home == str((tmp_path / "elsewhere").resolve())
    assert not (tmp_path / "elsewhere").exists()  # nothing opens the home at load


def test_asset_graph_has_sources_and_staging_models() -> None:
    keys = {key.to_user_string() for key in _defs().resolve_asset_graph().get_all_asset_keys()}
    assert {"contact_center/contacts", "web/events", "survey/responses", "crm/customers"} <= keys
    assert {
        "staging/stg_contact_center__contacts",
        "staging/stg_web__events",
        "staging/stg_survey__responses",
        "staging/stg_crm__customers",
    } <= keys


def test_staging_models_depend_on_the_ingestion_assets() -> None:
    graph = _defs().resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["staging", "stg_web__events"])).parent_keys
    assert dg.AssetKey(["web", "events"]) in parents


def test_every_source_has_its_blocking_checks_and_dbt_tests_stay_dbt_s() -> None:
    """A source's checks are specs of its ingestion asset (judged in its step): two that block,
    and its freshness, which warns (a stopped feed must not hold back the others); dbt's tests
    run in the dbt step and are not Dagster checks: each would cost every run a planned and an
    evaluated event (~370 tests, ~2 s a run)."""
    defs = _defs()
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for source in ("contact_center/contacts", "web/events", "survey/responses", "crm/customers"):
        assert (source, "ledger_reconciles") in checks
        assert (source, "raw_expectations") in checks
        ingestion = graph.get(dg.AssetKey(source.split("/"))).assets_def
        blocking = {spec.name: spec.blocking for spec in ingestion.check_specs}
        assert blocking == {
            "ledger_reconciles": True,
            "raw_expectations": True,
            "freshness": False,
        }
    assert not [check for check in checks if check[0].startswith("intermediate/")]


def test_nightly_schedule_runs_at_two_and_is_on_by_default() -> None:
    schedule = _defs().resolve_schedule_def("nightly_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "nightly"


def test_the_schedule_and_micro_batches_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.jobs import new_landing_files, nightly_schedule

    monkeypatch.setenv("CJM_TIMEZONE", "Europe/Riga")
    monkeypatch.setenv("CJM_SCHEDULE", "30 5 * * 1-5")
    monkeypatch.setenv("CJM_MICRO_BATCH_SECONDS", "60")
    settings = Settings.from_env(home="/nonexistent/cjm-home")
    schedule = nightly_schedule(settings)
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 5 * * 1-5", "Europe/Riga")
    sensor = new_landing_files(settings)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 60
    monkeypatch.setenv("CJM_SCHEDULE_TIMEZONE", "UTC")
    assert nightly_schedule(Settings.from_env()).execution_timezone == "UTC"
    for variable, value in (
        ("CJM_SCHEDULE", "0 2 * *"),
        ("CJM_SCHEDULE_TIMEZONE", "Europe/Rigga"),
        ("CJM_MICRO_BATCH_SECONDS", "soon"),
    ):
        monkeypatch.setenv(variable, value)
        with pytest.raises(ValueError, match=variable):
            Settings.from_env()
        monkeypatch.delenv(variable)


@pytest.mark.slow  # a real process: the slow lane
def test_dagster_definitions_validate_passes(tmp_path: Path) -> None:
    env = {**os.environ, "CJM_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dagster = Path(sys.executable).with_name("dagster")
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_quality_checks_gate_the_publish_asset() -> None:
    graph = _defs().resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for source in ("contact_center/contacts", "web/events", "survey/responses", "crm/customers"):
        assert (source, "raw_expectations") in checks
    from orchestration.quality.rules import kpi_ranges

    assert len(kpi_ranges()) == 17  # every kpi_* model with value_between tests
    for model in kpi_ranges():
        assert (f"kpi/{model}", "kpi_expectations") in checks
    publish = graph.get(dg.AssetKey("published_warehouse"))
    assert dg.AssetKey(["kpi", "kpi_voc"]) in publish.parent_keys
    assert dg.AssetKey(["marts", "fct_touchpoints"]) in publish.parent_keys
    # a seed left out of a night's build (unchanged since the last) does not skip publishing
    assert {key.path[0] for key in publish.parent_keys} == {"marts", "kpi"}
    job = _defs().resolve_job_def("nightly")
    assert "published_warehouse" in {node.name for node in job.graph.node_defs}


def test_new_landing_files_sensor_exists_and_is_off_by_default() -> None:
    sensor = _defs().resolve_sensor_def("new_landing_files")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_reports_are_the_last_asset_and_a_blocked_run_marks_them_stale() -> None:
    graph = _defs().resolve_asset_graph()
    reports = graph.get(dg.AssetKey("html_reports"))
    assert reports.parent_keys == {dg.AssetKey("published_warehouse")}
    assert not graph.get(dg.AssetKey("html_reports")).child_keys
    job = _defs().resolve_job_def("nightly")
    assert "html_reports" in {node.name for node in job.graph.node_defs}
    sensor = _defs().resolve_sensor_def("stale_banner_on_blocked_run")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
