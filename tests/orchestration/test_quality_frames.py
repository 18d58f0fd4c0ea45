"""Raw checks read the latest batch in parts on big loads: no row lost, keys kept together."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from expectations import suites
from expectations.validation import validate
from orchestration.ingestion import loader
from orchestration.ingestion.sources import WEB
from orchestration.quality import frames

LOADED = dt.datetime(2026, 1, 2, 3, 0)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    loader.ensure_tables(con, WEB)
    # An older batch (one row, a copy of e1) and the latest batch: 11 rows, e1 twice, one
    # event without an id.
    batches = {"old": ["e1"], "new": ["e1", *[f"e{i}" for i in range(1, 10)], None]}
    for batch, ids in batches.items():
        load_id = f"web-{batch}"
        con.execute(
            "insert into raw.load_ledger (load_id, source, file, sha256, rows_read, rows_loaded,"
            " rows_rejected, status, loaded_at, batch_id) values (?, 'web', ?, ?, ?, ?, 0,"
            " 'loaded', ?, ?)",
            [
                load_id,
                f"web/{batch}.jsonl",
                batch,
                len(ids),
                len(ids),
                LOADED if batch == "new" else LOADED - dt.timedelta(days=1),
                batch,
            ],
        )
        for row, event_id in enumerate(ids, start=1):
            con.execute(
                "insert into raw.web__events (event_id, event_at, cookie_id, event_name, _file,"
                " _row, _load_id, _loaded_at) values (?, ?, 'k1', 'page_view', ?, ?, ?, ?)",
                [event_id, LOADED, f"web/{batch}.jsonl", row, load_id, LOADED],
            )
    return con


def _parts(con, parts: int) -> list[list]:
    return [
        frames.latest_batch(
            con, WEB, "event_at", ["event_id"], key="event_id", part=part, parts=parts
        )["event_id"]
        .astype(object)
        .where(lambda ids: ids.notna(), None)
        .tolist()
        for part in range(parts)
    ]


def test_batch_is_split_in_parts_of_at_most_the_part_size(con, monkeypatch) -> None:
    assert frames.batch_parts(con, WEB) == 1
    monkeypatch.setattr(frames, "BATCH_PART_ROWS", 3)
    assert frames.batch_parts(con, WEB) == 4  # 11 rows of the latest batch, 3 at a time


def test_parts_hold_every_row_of_the_latest_batch_once_with_keys_together(con) -> None:
    parts = _parts(con, 4)
    rows = [event_id for part in parts for event_id in part]
    assert sorted(rows, key=str) == sorted(["e1", *[f"e{i}" for i in range(1, 10)], None], key=str)
    holding_e1 = [part for part in parts if "e1" in part]
    assert len(holding_e1) == 1 and holding_e1[0].count("e1") == 2


def test_suite_over_the_parts_finds_what_the_whole_batch_has(con) -> None:
    columns = sorted({expectation.column for expectation in suites.raw_batch_suite(WEB)})
    failures = []
    for part in range(4):
        batch = frames.latest_batch(
            con, WEB, "event_at", columns, key="event_id", part=part, parts=4
        )
        failures += validate(
            f"web_batch_part{part + 1}of4", batch, suites.raw_batch_suite(WEB)
        ).failures
    assert len(failures) == 2
    assert sum("expect_column_values_to_be_unique(event_id): 2 unexpected" in f for f in failures)
    assert sum("expect_column_values_to_not_be_null(event_id): 1 unexpected" in f for f in failures)
