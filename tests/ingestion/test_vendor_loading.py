"""Loading vendor exports: records kept whole, fields extracted by JSON path, bad parts
quarantined with their reason, counts reconciled, empty files harmless."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import REPO_ROOT, Settings
from orchestration.warehouse import connect

FIXTURES = REPO_ROOT / "tests/fixtures/genesys_cloud"
SPEC = SOURCES["genesys_cloud"]


def _load(settings: Settings) -> list[tuple]:
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SPEC, settings.landing_dir)
        return [(f.file.split("/")[-1], f.status, f.rows_read, f.rows_loaded) for f in result.files]
    finally:
        con.close()


def _query(settings: Settings, sql: str) -> list[tuple]:
    con = connect(settings, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_genesys_exports_load_whole_with_their_keys(cjm_home: Path) -> None:
    settings = Settings.from_env()
    day = settings.landing_dir / "genesys_cloud/2026-09-02"
    day.mkdir(parents=True)
    for name in ("voice_email_callback_query_result.json", "chat_closed.json"):
        shutil.copy(FIXTURES / name, day / name)
    assert sorted(_load(settings)) == [
        ("chat_closed.json", "loaded", 1, 1),
        ("voice_email_callback_query_result.json", "loaded", 5, 5),
    ]
    rows = _query(
        settings,
        "select conversation_id, conversation_start, conversation_end, originating_direction,"
        " json_array_length(record -> 'participants'), _extra"
        " from raw.genesys_cloud__conversations order by conversation_start",
    )
    first = rows[0]
    assert first[0] == "1bc96a39-6725-40c4-9345-db72aa67b8c6"
    assert str(first[1]) == "2021-04-01 12:27:53.386000" and str(first[2]).startswith(
        "2021-04-01 12:43"
    )
    assert first[3:] == ("inbound", 3, None)  # the record is whole: no _extra beside it
    assert [r[0][-2:] for r in rows[1:]] == ["01", "02", "03", "04", "05"]
    original = json.loads((FIXTURES / "chat_closed.json").read_text())
    [(record,)] = _query(
        settings,
        "select record from raw.genesys_cloud__conversations"
        " where conversation_id = '1bc96a39-6725-40c4-9345-db72aa67b8c6'",
    )
    assert json.loads(record) == original  # nothing of the vendor's record is lost


def test_bad_records_are_quarantined_and_counts_reconcile(cjm_home: Path) -> None:
    settings = Settings.from_env()
    day = settings.landing_dir / "genesys_cloud/2026-09-02"
    day.mkdir(parents=True)
    good = {"conversationId": "c1", "conversationStart": "2026-09-01T08:00:00Z"}
    (day / "mixed.json").write_text(
        json.dumps(good)
        + '{"conversationId": "c2", "conversationStart": }\n'  # not JSON: up to the newline
        + json.dumps({"conversationStart": "2026-09-01T09:00:00Z"})  # no id
        + json.dumps({"conversationId": "c4", "conversationStart": "yesterday"})
    )
    (day / "empty.json").write_text("")
    assert sorted(_load(settings)) == [
        ("empty.json", "loaded", 0, 0),
        ("mixed.json", "loaded_with_rejects", 4, 1),
    ]
    assert _query(
        settings,
        "select row_number, rule, reason from raw.rejected_rows"
        " where source = 'genesys_cloud' order by row_number",
    ) == [
        (2, "unreadable", "malformed JSON: Expecting value"),
        (3, "required_value_missing", "column conversation_id: required value missing"),
        (4, "untypeable_value", "column conversation_start: cannot read yesterday as TIMESTAMP"),
    ]
    assert _query(settings, "select conversation_id from raw.genesys_cloud__conversations") == [
        ("c1",)
    ]


def test_qualtrics_exports_load_with_their_header_rows(cjm_home: Path) -> None:
    """Qualtrics CSV as Qualtrics writes it: three header rows (ids, question text, import ids)
    over the records, and the legacy layout (V1..Vn placeholders over a row of names, where
    ResponseID and ExternalDataReference name the columns); questions are kept in `_extra`."""
    settings = Settings.from_env()
    day = settings.landing_dir / "qualtrics/2026-09-02"
    day.mkdir(parents=True)
    fixtures = REPO_ROOT / "tests/fixtures/qualtrics"
    for name in ("sample.csv", "sample_legacy.csv", "nps_csat_ces_export.csv"):
        shutil.copy(fixtures / name, day / name)
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SOURCES["qualtrics"], settings.landing_dir)
    finally:
        con.close()
    assert sorted(
        (f.file.split("/")[-1], f.status, f.rows_read, f.rows_loaded) for f in result.files
    ) == [
        ("nps_csat_ces_export.csv", "loaded", 3, 3),
        ("sample.csv", "loaded", 1, 1),
        ("sample_legacy.csv", "loaded", 1, 1),
    ]
    rows = _query(
        settings,
        "select \"ResponseId\", \"StartDate\", _extra ->> 'Q1', _extra ->> 'Q4'"
        " from raw.qualtrics__responses order by _file, _row",
    )
    assert rows[0][0] == "R_1aBcDeFgHiJkLmN" and rows[0][2] == "9"
    assert rows[1][3] == "Долго ждал ответа,\nа проблема так и не решена"  # quoted newline
    # the same genuine response in both layouts: the legacy file's question ids and names
    assert (
        rows[3][:3]
        == rows[4][:3]
        == (
            "R_2YPOQ602ER1jkf1",
            dt.datetime(2017, 7, 18, 8, 28, 9),
            "2",
        )
    )
