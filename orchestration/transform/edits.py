"""`cjm publish`: what an edit of the dbt project touched, since the last complete build.

dbt compares the project with the manifest of the home's last complete build (the state
`project.keep_last_build_state` keeps): `state:modified+`, the models and seeds whose SQL, YAML,
config or seed file changed, and everything built from them. `cjm publish` runs the nightly job
on those assets and the publication after them (checks included, no landing file loaded), so an
analytics engineer's edit is published through the same gate without a whole night.

Only after a complete build: a build that failed took the state away (project.py), and its
warehouse may hold tables it rebuilt before failing, which an edit's publication would carry.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import dagster as dg

from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.transform.project import (
    PARTIAL_PARSE,
    last_build_state,
    run_dbt_command,
    saved_partial_parse,
)


class NoCompleteBuild(RuntimeError):
    """The home has no complete build to compare the edit with."""


def edited_ids(settings: Settings, project_dir: Path = DBT_PROJECT_DIR) -> list[str]:
    """dbt unique ids of the models and seeds an edit touched, and those built from them."""
    state = last_build_state(settings)
    if state is None:
        raise NoCompleteBuild(
            "the last build of this home did not complete (or there was none), so the warehouse"
            " may hold a half-built night that must not be published: `cjm run` (it builds the"
            " edit too)"
        )
    with tempfile.TemporaryDirectory(prefix="cjm-edits-") as folder:
        state_dir = Path(folder) / "state"
        state_dir.mkdir()
        (state_dir / "manifest.json").write_bytes(state.read_bytes())  # dbt may rewrite it
        target = Path(folder) / "target"
        target.mkdir()
        if saved_partial_parse(settings).exists():  # the home's last parse: dbt parses partially
            shutil.copy(saved_partial_parse(settings), target / PARTIAL_PARSE)
        env = {**os.environ, **settings.child_env()}
        listed = run_dbt_command(
            [
                "ls",
                "--select",
                "state:modified+",
                "--state",
                str(state_dir),
                "--resource-type",
                "model",
                "--resource-type",
                "seed",
                "--output",
                "json",
                "--output-keys",
                "unique_id",
                "--quiet",
            ],
            project_dir,
            target,
            env,
        )
    if listed.returncode != 0:
        raise RuntimeError(f"dbt ls failed: {(listed.stdout + listed.stderr).strip()[-500:]}")
    return sorted(
        json.loads(line)["unique_id"] for line in listed.stdout.splitlines() if line.startswith("{")
    )


def edited_assets(definitions: dg.Definitions, ids: list[str]) -> set[dg.AssetKey]:
    """The Dagster asset keys of the dbt nodes `ids`."""
    by_id = {
        spec.metadata["dagster_dbt/unique_id"]: spec.key
        for assets in definitions.resolve_asset_graph().assets_defs
        for spec in assets.specs
        if "dagster_dbt/unique_id" in spec.metadata
    }
    return {by_id[unique_id] for unique_id in ids if unique_id in by_id}
