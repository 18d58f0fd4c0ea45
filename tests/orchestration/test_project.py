"""The manifest is prepared with the runs' own dbt profile, so each run parses partially."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.transform.project import (
    DBT_EXECUTABLE,
    ensure_manifest,
    keep_last_build_state,
    keep_partial_parse,
    manifest_is_stale,
    run_dbt_command,
    run_target,
    unchanged_seeds_args,
)

COPIED = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds")


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    project.mkdir()
    for name in COPIED:
        source = DBT_PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy(source, project / name)
    return project


def _a_reparse_replaces_the_manifest_whole(project: Path) -> None:
    """A process that opened the manifest before a re-parse still reads all of the old one,
    and the path then holds the new one: each file is replaced, never rewritten in place."""
    manifest = project / "target" / "manifest.json"
    with manifest.open() as reader:
        old_inode = os.fstat(reader.fileno()).st_ino
        (project / "models/staging").joinpath("_touched.yml").write_text("version: 2\n")
        ensure_manifest(Settings.from_env(), project)
        assert json.load(reader)["metadata"]["dbt_schema_version"]
    assert not manifest_is_stale(project)
    assert manifest.stat().st_ino != old_inode
    assert [p.name for p in (project / "target").iterdir() if p.name.startswith(".parse")] == []


@pytest.mark.slow  # a real process: the slow lane
def test_a_run_parses_partially_from_the_prepared_manifest(cjm_home: Path, tmp_path) -> None:
    project = _project_copy(tmp_path)
    assert manifest_is_stale(project)
    ensure_manifest(Settings.from_env(), project)
    assert not manifest_is_stale(project)
    _a_reparse_replaces_the_manifest_whole(project)
    # what dagster-dbt does for a run: copy partial_parse.msgpack into the run's target folder
    run_target = project / "target" / "run-1"
    run_target.mkdir()
    shutil.copy(project / "target" / "partial_parse.msgpack", run_target)
    env = {**os.environ, **Settings.from_env().child_env()}
    env.pop("CJM_DBT_TARGET", None)
    parsed = run_dbt_command(["parse"], project, run_target, env)
    assert parsed.returncode == 0, parsed.stdout[-2000:]
    assert "Unable to do partial parsing" not in parsed.stdout, parsed.stdout[-2000:]


def test_a_home_starts_each_run_from_the_partial_parse_its_last_run_left(tmp_path) -> None:
    """dbt parses partially only with the profile (the home's path) it parsed with: each home
    keeps its last run's partial parse and the next run's target folder starts from it."""
    project = tmp_path / "dbt_project"
    settings = Settings.from_env(home=tmp_path / "home")
    first = run_target(settings, "run-1", project)
    assert list(first.iterdir()) == []  # nothing kept yet: dagster-dbt copies the project's
    (first / "partial_parse.msgpack").write_bytes(b"parsed by run 1")
    keep_partial_parse(settings, first)
    second = run_target(settings, "run-2", project)
    assert second != first and second.parent == project / "target"
    assert (second / "partial_parse.msgpack").read_bytes() == b"parsed by run 1"
    other = run_target(Settings.from_env(home=tmp_path / "other"), "run-3", project)
    assert list(other.iterdir()) == []


def test_the_dbt_resource_knows_the_executables_version_without_running_it() -> None:
    """dagster-dbt is told the version `dbt --version` prints, read from dbt-core's package
    metadata (no `dbt --version` at each run, no adapter loaded in the Dagster process)."""
    from orchestration.transform.assets import dbt_resource

    resource = dbt_resource()
    printed = subprocess.run(
        [str(DBT_EXECUTABLE), "--version"],
        capture_output=True,
        text=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
        check=True,
    ).stdout
    assert f"installed: {resource._cli_version}" in printed
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def _seed_tables(manifest: Path) -> set[str]:
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return {f"{n['schema']}.{n['alias']}" for n in nodes if n["resource_type"] == "seed"}


def test_a_build_leaves_out_the_seeds_only_after_a_complete_build_that_loaded_them(
    tmp_path: Path,
) -> None:
    """The last complete build's manifest is the seeds' state; a build takes it away first (a
    build that fails leaves none), and uses it only while every seed is in the warehouse."""
    settings = Settings.from_env(home=tmp_path / "home")
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    seeds = _seed_tables(manifest)
    assert len(seeds) > 10
    first = run_target(settings, "run-1", tmp_path / "dbt_project")
    assert unchanged_seeds_args(settings, first, seeds) == []  # no complete build yet
    shutil.copy(manifest, first / "manifest.json")
    keep_last_build_state(settings, first)
    second = run_target(settings, "run-2", tmp_path / "dbt_project")
    args = unchanged_seeds_args(settings, second, seeds | {"marts.fct_contacts"})
    assert args[:2] == ["--exclude", "resource_type:seed,state:unmodified"]
    assert Path(args[args.index("--state") + 1], "manifest.json").exists()
    # the build that took the state failed: the next one loads every seed
    third = run_target(settings, "run-3", tmp_path / "dbt_project")
    assert unchanged_seeds_args(settings, third, seeds) == []
    # a complete build's state, then the warehouse lost a seed table
    keep_last_build_state(settings, first)
    fourth = run_target(settings, "run-4", tmp_path / "dbt_project")
    assert unchanged_seeds_args(settings, fourth, seeds - {min(seeds)}) == []


@pytest.mark.slow  # a real process: the slow lane
def test_unchanged_seeds_and_the_tests_on_nothing_but_them_are_left_out(tmp_path: Path) -> None:
    """With the project's own manifest as the state, every seed is unchanged: dbt leaves out
    every seed and every test that reads only seeds, and keeps a test from a model to a seed."""
    settings = Settings.from_env(home=tmp_path / "home")
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    built = run_target(settings, "built", tmp_path / "dbt_project")
    shutil.copy(manifest, built / "manifest.json")
    keep_last_build_state(settings, built)
    target = run_target(settings, "next", tmp_path / "dbt_project")
    args = unchanged_seeds_args(settings, target, _seed_tables(manifest))
    env = {**os.environ, **settings.child_env()}
    env.pop("CJM_DBT_TARGET", None)
    listed = run_dbt_command(
        ["ls", "--exclude", "resource_type:unit_test", *args, "--quiet", "--output", "name"],
        DBT_PROJECT_DIR,
        tmp_path / "ls-target",
        env,
    )
    assert listed.returncode == 0, listed.stdout[-2000:]
    built_tonight = set(listed.stdout.split())
    assert {"fct_contacts", "dim_channel", "unique_fct_contacts_contact_id"} <= built_tonight
    assert "relationships_fct_response_themes_theme__theme__ref_voc_themes_" in built_tonight
    left_out = {
        "voc_themes",
        "channels",
        "unique_voc_themes_theme",
        "relationships_voc_theme_rules_theme__theme__ref_voc_themes_",
    }
    assert not left_out & built_tonight


@pytest.mark.slow  # a real dbt: the slow lane
def test_an_edit_selects_the_models_it_touched_and_those_built_from_them(
    cjm_home: Path, tmp_path: Path
) -> None:
    """`cjm publish` rebuilds what an edit touched since the last complete build (dbt
    state:modified+), nothing else; without a complete build it refuses, saying why. The
    edit: the last build's manifest knew another version of one KPI model."""
    from orchestration.transform.edits import NoCompleteBuild, edited_ids

    settings = Settings.from_env()
    with pytest.raises(NoCompleteBuild, match="did not complete"):
        edited_ids(settings)
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    manifest["nodes"]["model.cjm.kpi_contact_centre_daily"]["raw_code"] += "\n/* older */"
    built = run_target(settings, "built", tmp_path / "dbt_project")
    (built / "manifest.json").write_text(json.dumps(manifest))
    keep_last_build_state(settings, built)
    assert edited_ids(settings) == [
        "model.cjm.kpi_change_impact",  # built from it (its daily KPIs)
        "model.cjm.kpi_contact_centre_daily",
    ]
