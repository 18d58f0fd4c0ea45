"""A night's data tests read the rows it rebuilt; a full pass reads every row.

Compiled against the in-memory `lint` target: what a test reads is in its SQL, no warehouse
needed (macros/data_tests.sql).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR

CHANGED_ROWS = "where _batch_at >= cast('"


def _compiled_tests(tmp_path: Path, *extra: str) -> dict[str, str]:
    """Test name -> compiled SQL, for the data tests of two incremental models (a fact, and an
    intermediate model whose YAML lists no _batch_at) and of a KPI table rebuilt whole."""
    target = tmp_path / "target"  # one target: the second compile parses partially
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "compile",
            "--select",
            "test_type:data,fct_contacts",
            "test_type:data,int_web_events_sessionized",
            "test_type:data,kpi_email_daily",
            "--target-path",
            str(target),
            "--vars",
            "{full_data_tests_weekday: 0}",  # never: whatever today is
            *extra,
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "CJM_DBT_TARGET": "lint", "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return {path.stem: path.read_text() for path in (target / "compiled").rglob("*.sql")}


def test_a_night_tests_the_rows_it_rebuilt_and_a_full_pass_every_row(tmp_path: Path) -> None:
    nightly = _compiled_tests(tmp_path)
    on_facts = [
        sql
        for name, sql in nightly.items()
        if "fct_contacts" in name or "int_web_events_sessionized" in name
    ]
    on_kpis = [sql for name, sql in nightly.items() if "kpi_email_daily" in name]
    assert on_facts and on_kpis
    assert all(CHANGED_ROWS in sql for sql in on_facts)  # the incremental fact: this run's rows
    assert not any(CHANGED_ROWS in sql for sql in on_kpis)  # rebuilt whole: every row
    # a full refresh rebuilds every row and tests every row (so do the weekly pass and
    # full_data_tests: true, by the same condition)
    full = _compiled_tests(tmp_path, "--full-refresh")
    assert len(full) == len(nightly)
    assert not any(CHANGED_ROWS in sql for sql in full.values())
