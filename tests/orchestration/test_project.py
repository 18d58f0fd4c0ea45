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
    keep_partial_parse,
    manifest_is_stale,
    run_target,
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
    parsed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(run_target),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
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
