"""Every dbt unit test, in seconds, without simulating anything: the fast lane of `make unit`.

The raw tables are created empty by the loader (the real DDL), then `dbt build --empty` builds
the seeds and every model with no rows (so each unit test's inputs exist, and `this` for an
incremental model's), then `dbt test` runs every unit test. Data tests are left to the
end-to-end runs: on empty tables they would prove nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.warehouse import connect

UNIT_TESTS = 69  # every business rule and KPI formula with hand-computed values; count them here


def _declared_unit_tests() -> set[str]:
    names = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []):
            names.add(test["name"])
    return names


def test_every_dbt_unit_test_passes_on_an_empty_warehouse(cjm_home: Path, tmp_path: Path) -> None:
    settings = Settings.from_env()
    con = connect(settings)
    try:
        for spec in SOURCES.values():
            loader.ensure_tables(con, spec)
    finally:
        con.close()
    target = tmp_path / "target"
    env = {**os.environ, **settings.child_env(), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    # every relation first (empty), since an incremental model's unit test reads `this`; then
    # the unit tests alone
    for command in (
        ["build", "--empty", "--exclude", "test_type:unit", "test_type:data"],
        ["test", "--select", "test_type:unit"],
    ):
        result = subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), *command, "--target-path", str(target)],
            cwd=DBT_PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in results
        if r["unique_id"].startswith("unit_test.")
    }
    assert set(unit.values()) == {"pass"}
    assert set(unit) == _declared_unit_tests()
    assert len(unit) == UNIT_TESTS
