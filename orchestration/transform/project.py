"""The dbt project handle (no @dbt_assets here) and manifest preparation.

dagster-dbt reads `target/manifest.json` when the definitions load, so the manifest must exist
and be current first. `ensure_manifest` runs `dbt parse` when any project file is newer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, Settings

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")  # the venv's dbt, wherever PATH points

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

_WATCHED = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
_KEEP_RUN_TARGETS = 3
PARTIAL_PARSE = "partial_parse.msgpack"
LAST_BUILD = "last_build"  # $CJM_HOME/dbt/last_build/manifest.json: the last complete build's


def run_dbt_command(
    args: list[str], project_dir: Path, target: Path, env: dict[str, str]
) -> subprocess.CompletedProcess:
    """`dbt <args>` on `project_dir` (its own profiles.yml), writing into `target`; the output
    captured, never raised on."""
    return subprocess.run(
        [
            str(DBT_EXECUTABLE),
            *args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(target),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _newest_source_mtime(project_dir: Path) -> float:
    newest = max(
        (project_dir / name).stat().st_mtime for name in ("dbt_project.yml", "profiles.yml")
    )
    for folder in _WATCHED:
        for path in (project_dir / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(project_dir)


def ensure_manifest(settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Run `dbt parse` (with the settings' profile) when the manifest is missing or older than
    any project file."""
    if manifest_is_stale(project_dir):
        parse_manifest({**os.environ, **settings.child_env()}, project_dir)


def parse_manifest(env: dict[str, str], project_dir: Path = DBT_PROJECT_DIR) -> None:
    """`dbt parse` with the environment (so the profile) the runs use.

    Each run's `dbt build` then re-parses only what changed from the `partial_parse.msgpack`
    written here (dagster-dbt copies it into the run's target folder); parsed with another
    profile (another target, or another CJM_HOME) dbt re-parses everything, ~5 s a run. Parsing
    opens no connection, so it never locks the warehouse.

    dbt writes its files in place; it parses into a folder of its own and each file then
    replaces the old one whole, so a process loading the definitions at that moment (another
    run, the UI) reads the old manifest or the new one, never half of one.
    """
    target = project_dir / "target"
    scratch = target / f".parse-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    if (target / "partial_parse.msgpack").exists():  # dbt re-parses only what changed
        shutil.copy(target / "partial_parse.msgpack", scratch)
    try:
        completed = run_dbt_command(["parse", "--quiet"], project_dir, scratch, env)
        if completed.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{completed.stdout}{completed.stderr}")
        for written in scratch.iterdir():
            if written.is_file():
                os.replace(written, target / written.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prune_run_targets(project_dir: Path = DBT_PROJECT_DIR, keep: int = _KEEP_RUN_TARGETS) -> None:
    """dagster-dbt writes one target/<run> folder per invocation: keep the newest few."""
    target = project_dir / "target"
    if not target.is_dir():
        return
    run_dirs = sorted(
        (
            p
            for p in target.iterdir()
            if p.is_dir()
            and (p / "run_results.json").exists()
            and p.name not in {"compiled", "run"}
        ),
        key=lambda p: p.stat().st_mtime,
    )
    for stale in run_dirs[:-keep]:
        shutil.rmtree(stale, ignore_errors=True)


def saved_partial_parse(settings: Settings) -> Path:
    return settings.home / "dbt" / PARTIAL_PARSE


def run_target(settings: Settings, run_id: str, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """A dbt target folder of the run's own, holding the partial parse the home's last run
    left. dbt parses partially only while the profile (the home's path) is the one it parsed
    with; the project's own partial parse is from whichever home last ran `dbt parse`, so a
    second home (a test's, a staging deployment's) would re-parse everything, ~6 s a run."""
    target = project_dir / "target" / f"cjm_dbt_assets-{run_id[:7]}-{uuid.uuid4().hex[:7]}"
    target.mkdir(parents=True)
    saved = saved_partial_parse(settings)
    if saved.exists():
        shutil.copy(saved, target / PARTIAL_PARSE)
    return target


def keep_partial_parse(settings: Settings, target: Path) -> None:
    """Keep the partial parse the run's dbt wrote, for the home's next run."""
    written = target / PARTIAL_PARSE
    if not written.exists():
        return
    saved = saved_partial_parse(settings)
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_name(f".{saved.name}.tmp")
    shutil.copy(written, partial)
    os.replace(partial, saved)


def _last_build_manifest(settings: Settings) -> Path:
    return settings.home / "dbt" / LAST_BUILD / "manifest.json"


def unchanged_seeds_args(settings: Settings, target: Path, tables: set[str]) -> list[str]:
    """dbt arguments that leave out the seeds unchanged since the home's last complete build,
    and the tests on nothing but them (~100 nodes, ~4 s a night at tier S). Call it before
    every build, a full refresh too (which then ignores what it returns).

    The state is that build's manifest (dbt `state:unmodified`: the seed file, its config and
    its column types as they were). It is moved into the run's target first, so a build that
    fails leaves none and the next one loads every seed; it is used only while every seed it
    names is a table of the warehouse (`tables`, "schema.table"; a deleted warehouse reloads
    them). `--indirect-selection cautious` keeps a test that also reads a model (a
    relationships test from a fact to a seed)."""
    saved = _last_build_manifest(settings)
    if not saved.exists():
        return []
    state = target / LAST_BUILD
    state.mkdir()
    manifest = state / "manifest.json"
    os.replace(saved, manifest)
    seeds = {
        f"{node['schema']}.{node['alias']}"
        for node in json.loads(manifest.read_text())["nodes"].values()
        if node["resource_type"] == "seed"
    }
    if not seeds or not seeds <= tables:
        return []
    return [
        "--exclude",
        "resource_type:seed,state:unmodified",
        "--state",
        str(state),
        "--indirect-selection",
        "cautious",
    ]


def last_build_state(settings: Settings) -> Path | None:
    """The manifest of the home's last complete build (None before the first one)."""
    saved = _last_build_manifest(settings)
    return saved if saved.exists() else None


def keep_last_build_state(settings: Settings, target: Path) -> None:
    """Keep the complete build's manifest as the state of the home's next build (unchanged
    seeds) and of `cjm publish` (what an edit touched)."""
    saved = _last_build_manifest(settings)
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_name(f".{saved.name}.tmp")
    shutil.copy(target / "manifest.json", partial)
    os.replace(partial, saved)
