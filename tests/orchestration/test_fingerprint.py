"""A re-run skips the rebuild only when nothing changed since the last complete run."""

from __future__ import annotations

import dataclasses

import duckdb

from orchestration.publish import fingerprint
from orchestration.settings import Settings


def _settings(cjm_home) -> Settings:
    settings = Settings.from_env()
    settings.warehouse_dir.mkdir(parents=True)
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.load_ledger (load_id varchar, sha256 varchar)")
        con.execute("insert into raw.load_ledger values ('a', 'sha-a')")
    settings.published_db.write_bytes(b"published")
    return settings


def test_unchanged_until_a_file_is_loaded(cjm_home) -> None:
    settings = _settings(cjm_home)
    assert fingerprint.unchanged_since(settings) is None  # no complete run recorded yet
    fingerprint.record_complete_run(settings, "run-1", fingerprint.current(settings))
    assert fingerprint.unchanged_since(settings) == "run-1"
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("insert into raw.load_ledger values ('b', 'sha-b')")
    assert fingerprint.unchanged_since(settings) is None


def test_another_salt_or_a_missing_publication_rebuilds(cjm_home) -> None:
    settings = _settings(cjm_home)
    fingerprint.record_complete_run(settings, "run-1", fingerprint.current(settings))
    salted = dataclasses.replace(settings, pii_salt="another-salt")
    assert fingerprint.unchanged_since(salted) is None
    settings.published_db.unlink()
    assert fingerprint.unchanged_since(settings) is None


def test_code_hash_follows_models_but_not_dbt_target(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(fingerprint, "REPO_ROOT", tmp_path)
    model = tmp_path / "dbt_project/models/fct_x.sql"
    model.parent.mkdir(parents=True)
    model.write_text("select 1 as x")
    before = fingerprint._code_hash()
    (tmp_path / "dbt_project/target").mkdir()
    (tmp_path / "dbt_project/target/manifest.py").write_text("changes every run")
    assert fingerprint._code_hash() == before
    model.write_text("select 2 as x")
    assert fingerprint._code_hash() != before
