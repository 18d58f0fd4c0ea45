"""What a complete run was built from, so a re-run with nothing new can skip the rebuild.

The fingerprint covers the load ledger (every file loaded), the code (dbt project, checks,
publishing, reports) and the PII salt. The report asset records it when a run has published and
built its reports; the dbt asset skips dbt, checks, publish and reports when the fingerprint is
unchanged and the published file is there.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import duckdb

from orchestration.settings import REPO_ROOT, Settings

CODE_DIRS = ("dbt_project", "orchestration", "expectations", "reports")
CODE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".py"}
SKIPPED_DIRS = {"target", "logs", "dbt_packages", "__pycache__"}


def _code_hash() -> str:
    digest = hashlib.sha256()
    for top in CODE_DIRS:
        for folder, dirs, names in os.walk(REPO_ROOT / top):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(names):
                path = Path(folder) / name
                if path.suffix in CODE_SUFFIXES:
                    digest.update(str(path.relative_to(REPO_ROOT)).encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()


def current(settings: Settings) -> str | None:
    """The fingerprint of what a run would build now (None before anything was loaded)."""
    if not settings.build_db.exists():
        return None
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        has_ledger = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw'"
            " and table_name = 'load_ledger'"
        ).fetchone()[0]
        if not has_ledger:
            return None
        ledger = con.execute(
            "select count(*), string_agg(sha256, ',' order by load_id) from raw.load_ledger"
        ).fetchone()
    digest = hashlib.sha256()
    digest.update(json.dumps([ledger[0], ledger[1], settings.pii_salt, _code_hash()]).encode())
    return digest.hexdigest()


def _record_path(settings: Settings) -> Path:
    return settings.warehouse_dir / "last_complete_run.json"


def record_complete_run(settings: Settings, run_id: str, fingerprint: str | None) -> None:
    path = _record_path(settings)
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(json.dumps({"run_id": run_id, "fingerprint": fingerprint}))
    os.replace(partial, path)


def unchanged_since(settings: Settings) -> str | None:
    """The run id of the last complete run when nothing changed since; None otherwise."""
    path = _record_path(settings)
    if not path.exists() or not settings.published_db.exists():
        return None
    record = json.loads(path.read_text())
    now = current(settings)
    return record["run_id"] if now is not None and record["fingerprint"] == now else None
