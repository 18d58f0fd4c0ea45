"""`cjm accept`: which ledger rows an operator's target names, and what is recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion import loader
from orchestration.ingestion.sources import CONTACT_CENTER
from orchestration.quality.acceptance import NothingToAccept, accept

BATCH = "3f9c2a1e-0000-4000-8000-000000000001"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    loader.ensure_tables(con, CONTACT_CENTER)
    rows = [  # load_id, file, batch, published
        ("l1", "contact_center/2026-09-01/contacts.jsonl", "older-run", True),
        ("l2", "contact_center/2026-09-02/contacts.jsonl", BATCH, False),
        ("l3", "contact_center/2026-09-02/contacts_retry.jsonl", BATCH, False),
    ]
    for load_id, file, batch, published in rows:
        con.execute(
            "insert into raw.load_ledger (load_id, source, file, sha256, rows_read, rows_loaded,"
            " rows_rejected, status, loaded_at, batch_id, published_at)"
            " values (?, 'contact_center', ?, ?, 1, 1, 0, 'loaded', ?, ?, ?)",
            [
                load_id,
                file,
                load_id,
                dt.datetime(2026, 9, 2),
                batch,
                dt.datetime(2026, 9, 3) if published else None,
            ],
        )
    return con


def test_a_file_is_accepted_by_its_path_and_recorded_with_who_and_why(con, tmp_path) -> None:
    landing = tmp_path / "landing"
    path = landing / "contact_center/2026-09-02/contacts_retry.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text("")
    rows = accept(con, str(path), "  retry export, known broken ", landing, by="ops")
    assert [row[0] for row in rows] == ["l3"]
    assert con.execute(
        "select load_id, file, batch_id, accepted_by, reason from meta.accepted_loads"
    ).fetchall() == [
        (
            "l3",
            "contact_center/2026-09-02/contacts_retry.jsonl",
            BATCH,
            "ops",
            "retry export, known broken",
        )
    ]
    with pytest.raises(NothingToAccept, match="no unpublished file or batch"):
        accept(con, "contact_center/2026-09-02/contacts_retry.jsonl", "again", landing)


def test_a_batch_is_accepted_by_its_run_id_or_its_first_eight_characters(con) -> None:
    rows = accept(con, BATCH[:8], "holiday volume", Path("/nowhere"), by="ops")
    assert sorted(row[0] for row in rows) == ["l2", "l3"]  # not the published l1


def test_published_files_and_empty_reasons_are_refused(con) -> None:
    with pytest.raises(NothingToAccept, match="no unpublished file or batch"):
        accept(con, "contact_center/2026-09-01/contacts.jsonl", "late", Path("/nowhere"))
    with pytest.raises(NothingToAccept, match="give the reason"):
        accept(con, BATCH, " ", Path("/nowhere"))
    with pytest.raises(NothingToAccept):
        accept(con, "3f9c", "too short a prefix", Path("/nowhere"))
