"""Loading into a real DuckDB file: ledger, rejects, idempotence, all-or-nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orchestration.ingestion import files, loader
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import Settings
from orchestration.status import landing_report, ledger_report
from orchestration.warehouse import connect
from tests.ingestion.fixtures import (
    CONTACT_REJECTS,
    EXPECTED_LEDGER,
    SURVEY_CSV,
    SURVEY_REJECTS,
    write_broken_landing,
)


def _ingest_all(settings: Settings) -> None:
    con = connect(settings)
    try:
        for spec in SOURCES.values():
            loader.ingest_source(con, spec, settings.landing_dir)
    finally:
        con.close()


@pytest.fixture
def loaded(cjm_home: Path) -> Settings:
    settings = Settings.from_env()
    write_broken_landing(settings.landing_dir)
    _ingest_all(settings)
    return settings


def _query(settings: Settings, sql: str, params=None) -> list[tuple]:
    con = connect(settings, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_ledger_has_every_file_with_hand_counted_rows(loaded: Settings) -> None:
    rows = _query(
        loaded, "select file, status, rows_read, rows_loaded, rows_rejected from raw.load_ledger"
    )
    assert {r[0]: tuple(r[1:]) for r in rows} == EXPECTED_LEDGER


def test_read_equals_loaded_plus_rejected_and_tables_agree(loaded: Settings) -> None:
    [(bad,)] = _query(
        loaded,
        "select count(*) from raw.load_ledger where rows_read <> rows_loaded + rows_rejected",
    )
    assert bad == 0
    for spec in SOURCES.values():
        [(in_ledger,)] = _query(
            loaded,
            "select coalesce(sum(rows_loaded), 0) from raw.load_ledger where source = ?",
            [spec.name],
        )
        [(in_raw,)] = _query(loaded, f"select count(*) from {spec.raw_table}")
        assert in_raw == in_ledger, spec.name


def test_rejected_rows_keep_reason_and_raw_line(loaded: Settings) -> None:
    contacts = _query(
        loaded,
        "select row_number, reason, raw_line from raw.rejected_rows"
        " where file = 'contact_center/2026-01-01/contacts.jsonl' order by row_number",
    )
    assert [r[0] for r in contacts] == sorted(CONTACT_REJECTS)
    for row_number, reason, raw_line in contacts:
        assert CONTACT_REJECTS[row_number] in reason
        assert raw_line is not None
    assert contacts[0][2] == '{"contact_id":"c3","channel":"chat"'

    surveys = _query(
        loaded,
        "select row_number, line_number, reason from raw.rejected_rows"
        " where source = 'survey' order by row_number",
    )
    assert [(r[0], r[1]) for r in surveys] == [(k, v[0]) for k, v in SURVEY_REJECTS.items()]
    for row_number, _, reason in surveys:
        assert SURVEY_REJECTS[row_number][1] in reason


def test_typed_values_lineage_and_extra_column(loaded: Settings) -> None:
    rows = _query(
        loaded,
        "select contact_id, channel, initiated_at, hold_seconds, _extra, _row, _file,"
        " _load_id is not null from raw.contact_center__contacts order by _row",
    )
    assert [(r[0], r[1], r[5]) for r in rows] == [
        ("c1", "voice", 1),
        ("c2", "chat", 2),
        ("c1", "chat", 10),
    ]
    assert rows[0][3] == 5
    assert json.loads(rows[0][4]) == {"experiment": "x"}
    assert str(rows[1][2]) == "2026-01-01 10:00:00"  # +02:00 converted to UTC
    assert all(r[6] == "contact_center/2026-01-01/contacts.jsonl" and r[7] for r in rows)
    [(extra_columns, reason)] = _query(
        loaded,
        "select extra_columns, reason from raw.load_ledger where source = 'contact_center'"
        " and status <> 'rejected'",
    )
    assert extra_columns == ["experiment"] and "experiment" in reason
    survey_extra = _query(loaded, "select distinct _extra from raw.survey__responses")
    assert [json.loads(r[0]) for r in survey_extra] == [{"survey_version": "v2"}]


def test_missing_required_column_rejects_the_whole_file(loaded: Settings) -> None:
    reasons = dict(
        _query(loaded, "select file, reason from raw.load_ledger where status = 'rejected'")
    )
    assert reasons["contact_center/2026-01-02/contacts.jsonl"] == (
        "missing required column(s): initiated_at"
    )
    assert reasons["crm/2026-01-01/customers.csv"] == ("missing required column(s): customer_id")
    assert "cannot decompress gzip" in reasons["web/2026-01-03/broken.jsonl.gz"]
    assert "not a YYYY-MM-DD date" in reasons["web/not-a-date/events.jsonl.gz"]
    [(d_rows,)] = _query(
        loaded, "select count(*) from raw.contact_center__contacts where contact_id like 'd%'"
    )
    assert d_rows == 0


def test_second_run_loads_nothing_and_leaves_ledger_unchanged(loaded: Settings) -> None:
    before = _query(loaded, "select * from raw.load_ledger order by load_id")
    raw_before = _query(loaded, "select count(*) from raw.web__events")
    _ingest_all(loaded)
    assert _query(loaded, "select * from raw.load_ledger order by load_id") == before
    assert _query(loaded, "select count(*) from raw.web__events") == raw_before


def test_a_night_reads_only_the_files_changed_since_they_were_read(
    loaded: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loaded files are known by their stat: a night opens none of them again. A file rewritten
    with other bytes of the same size, its modification time set back, is still read again
    (its change time moved) and loads as a new load."""
    read: list[str] = []
    reader = files.read_landing_file
    monkeypatch.setattr(
        files, "read_landing_file", lambda file, *a: read.append(file.relative) or reader(file, *a)
    )
    _ingest_all(loaded)
    assert read == []
    path = loaded.landing_dir / "contact_center/2026-01-01/contacts.jsonl"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b'"c1"', b'"c9"'))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    _ingest_all(loaded)
    assert read == ["contact_center/2026-01-01/contacts.jsonl"]
    assert _query(
        loaded,
        "select count(*) from raw.load_ledger where file = ?",
        ["contact_center/2026-01-01/contacts.jsonl"],
    ) == [(2,)]


def test_changed_file_is_loaded_again_as_a_new_load(loaded: Settings) -> None:
    path = loaded.landing_dir / "contact_center/2026-01-01/contacts.jsonl"
    path.write_bytes(
        path.read_bytes() + b'{"contact_id":"c11","channel":"bot",'
        b'"initiated_at":"2026-01-01T10:00:00Z"}\n'
    )
    _ingest_all(loaded)
    [(loads,)] = _query(
        loaded,
        "select count(*) from raw.load_ledger"
        " where file = 'contact_center/2026-01-01/contacts.jsonl'",
    )
    assert loads == 2


def test_failure_mid_file_leaves_nothing_and_next_run_loads_it(
    cjm_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env()
    write_broken_landing(settings.landing_dir)
    real_ledger_row = loader._ledger_row

    def crash_on_survey(con, load_id, spec, file, *args):
        if spec.name == "survey":  # rows and rejects are written, the ledger row is not
            raise RuntimeError("disk full")
        return real_ledger_row(con, load_id, spec, file, *args)

    monkeypatch.setattr(loader, "_ledger_row", crash_on_survey)
    with pytest.raises(RuntimeError, match="disk full"):
        _ingest_all(settings)
    assert _query(settings, "select count(*) from raw.survey__responses") == [(0,)]
    assert _query(settings, "select count(*) from raw.rejected_rows where source = 'survey'") == [
        (0,)
    ]
    assert _query(settings, "select count(*) from raw.load_ledger where source = 'survey'") == [
        (0,)
    ]

    monkeypatch.setattr(loader, "_ledger_row", real_ledger_row)
    _ingest_all(settings)
    assert _query(settings, "select count(*) from raw.survey__responses") == [(4,)]
    assert _query(
        settings,
        "select rows_read, rows_loaded, rows_rejected from raw.load_ledger where source = 'survey'",
    ) == [(7, 4, 3)]


def test_an_empty_file_loads_nothing_and_stops_nothing(cjm_home: Path) -> None:
    """A 0-byte JSON lines file and a header-only CSV are files with no rows, not errors that
    stop the source's ingestion (issue 17, finding 2)."""
    settings = Settings.from_env()
    landing = settings.landing_dir
    (landing / "contact_center/2026-01-01").mkdir(parents=True)
    (landing / "contact_center/2026-01-01/a_empty.jsonl").write_bytes(b"")
    (landing / "contact_center/2026-01-01/b_one.jsonl").write_text(
        json.dumps({"contact_id": "k1", "channel": "voice", "initiated_at": "2026-01-01T10:00:00Z"})
        + "\n"
    )
    header = SURVEY_CSV.split(b"\r\n")[0].decode("utf-8-sig")
    (landing / "survey/2026-01-01").mkdir(parents=True)
    (landing / "survey/2026-01-01/responses.csv").write_text(header + "\n")
    _ingest_all(settings)
    assert _query(
        settings,
        "select source, file, status, rows_read, rows_loaded from raw.load_ledger order by file",
    ) == [
        ("contact_center", "contact_center/2026-01-01/a_empty.jsonl", "loaded", 0, 0),
        ("contact_center", "contact_center/2026-01-01/b_one.jsonl", "loaded", 1, 1),
        ("survey", "survey/2026-01-01/responses.csv", "loaded", 0, 0),
    ]


def test_a_header_holding_a_quote_loads_and_keeps_the_column(cjm_home: Path) -> None:
    """Issue 17, finding 3: header names were pasted into SQL unescaped."""
    settings = Settings.from_env()
    day = settings.landing_dir / "crm/2026-01-01"
    day.mkdir(parents=True)
    (day / "customers.csv").write_text(
        'customer_id,updated_at,"note ""vip"""\nC1,2026-01-01 00:00:00,gold\n'
    )
    _ingest_all(settings)
    assert _query(settings, "select status, rows_loaded from raw.load_ledger") == [("loaded", 1)]
    assert _query(settings, "select customer_id, _extra from raw.crm__customers") == [
        ("C1", '{"note \\"vip\\"":"gold"}')
    ]


def test_a_file_rejected_for_its_path_loads_once_moved_where_it_belongs(cjm_home: Path) -> None:
    """Issue 17, finding 4: its checksum stayed in the ledger, so the moved copy was skipped
    without a ledger row."""
    settings = Settings.from_env()
    record = json.dumps(
        {"contact_id": "k1", "channel": "voice", "initiated_at": "2026-01-01T10:00:00Z"}
    )
    wrong = settings.landing_dir / "contact_center/latest/contacts.jsonl"
    wrong.parent.mkdir(parents=True)
    wrong.write_text(record + "\n")
    _ingest_all(settings)
    _ingest_all(settings)  # left where it is: rejected once, not again every night
    right = settings.landing_dir / "contact_center/2026-01-01/contacts.jsonl"
    right.parent.mkdir(parents=True)
    wrong.rename(right)
    _ingest_all(settings)
    assert _query(
        settings, "select file, status, rows_loaded from raw.load_ledger order by loaded_at"
    ) == [
        ("contact_center/latest/contacts.jsonl", "rejected", 0),
        ("contact_center/2026-01-01/contacts.jsonl", "loaded", 1),
    ]


def _contact(contact_id: str) -> str:
    return (
        json.dumps(
            {"contact_id": contact_id, "channel": "voice", "initiated_at": "2026-01-01T10:00:00Z"}
        )
        + "\n"
    )


def test_a_corrected_file_withdraws_the_records_of_the_file_it_replaces(cjm_home: Path) -> None:
    """A re-delivery of the same name replaces its first delivery's records: a bogus contact in
    the first is gone once the corrected file loads, kept aside with the load that withdrew it,
    and the counts still reconcile (issue 17, finding 5)."""
    settings = Settings.from_env()
    day = settings.landing_dir / "contact_center/2026-01-01"
    day.mkdir(parents=True)
    (day / "contacts.jsonl").write_text(_contact("k1") + _contact("bogus"))
    (day / "other.jsonl").write_text(_contact("k9"))
    _ingest_all(settings)
    (day / "contacts.jsonl").write_text(_contact("k1") + _contact("k2"))
    _ingest_all(settings)
    assert _query(
        settings, "select contact_id, _file from raw.contact_center__contacts order by 1"
    ) == [
        ("k1", "contact_center/2026-01-01/contacts.jsonl"),
        ("k2", "contact_center/2026-01-01/contacts.jsonl"),
        ("k9", "contact_center/2026-01-01/other.jsonl"),  # another file: untouched
    ]
    first, second = _query(
        settings,
        "select load_id, superseded_by, duplicates_exact from raw.load_ledger"
        " where file = 'contact_center/2026-01-01/contacts.jsonl' order by loaded_at",
    )
    assert first[1] == second[0] and second[1] is None
    assert second[2] == 0  # k1 again is not a duplicate of the record it replaces
    withdrawn = _query(
        settings,
        "select load_id, row_number, record ->> 'contact_id', superseded_by"
        " from raw.superseded_rows order by row_number",
    )
    assert withdrawn == [(first[0], 1, "k1", second[0]), (first[0], 2, "bogus", second[0])]
    # raw rows + withdrawn rows = every row the ledger says was loaded
    [(ledger_loaded,)] = _query(
        settings, "select sum(rows_loaded) from raw.load_ledger where source = 'contact_center'"
    )
    assert ledger_loaded == 3 + 2


def test_a_correction_rejected_whole_withdraws_nothing(cjm_home: Path) -> None:
    """Until a corrected file loads, the delivery it corrects stands (the gate blocks on it)."""
    settings = Settings.from_env()
    day = settings.landing_dir / "contact_center/2026-01-01"
    day.mkdir(parents=True)
    (day / "contacts.jsonl").write_text(_contact("k1"))
    _ingest_all(settings)
    (day / "contacts.jsonl").write_text('{"channel": "voice"}\n' * 2)  # no contact_id column
    _ingest_all(settings)
    assert _query(settings, "select contact_id from raw.contact_center__contacts") == [("k1",)]
    assert _query(settings, "select count(*) from raw.superseded_rows") == [(0,)]


def test_an_erased_customer_is_kept_out_of_later_files(cjm_home: Path) -> None:
    """Once a customer is erased (`cjm erase`), a later file naming them loads without them:
    their rows are rejected with the rule `erased_customer` and no raw text."""
    import hashlib

    settings = Settings.from_env()
    con = connect(settings)
    try:
        con.execute("create schema raw")
        con.execute(
            "create table raw.suppressed_identifiers"
            " (kind varchar, identifier_hash varchar, erasure_id varchar)"
        )
        email = hashlib.sha256(f"{settings.pii_salt}:anna@example.com".encode()).hexdigest()
        con.execute("insert into raw.suppressed_identifiers values ('email', ?, 'e-1')", [email])
    finally:
        con.close()
    day = settings.landing_dir / "contact_center/2026-01-01"
    day.mkdir(parents=True)
    anna = json.loads(_contact("k1"))
    anna["customer_email"] = "Anna@Example.com"
    (day / "contacts.jsonl").write_text(json.dumps(anna) + "\n" + _contact("k2"))
    con = connect(settings)
    try:
        loader.ingest_source(
            con, SOURCES["contact_center"], settings.landing_dir, salt=settings.pii_salt
        )
    finally:
        con.close()
    assert _query(settings, "select contact_id from raw.contact_center__contacts") == [("k2",)]
    assert _query(settings, "select rule, raw_line from raw.rejected_rows") == [
        ("erased_customer", "[erased]")
    ]
    assert _query(
        settings, "select rows_read, rows_loaded, rows_rejected from raw.load_ledger"
    ) == [(2, 1, 1)]


def _land(settings: Settings, relative: str, text: str) -> None:
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_column_the_previous_file_had_and_this_one_lacks_is_a_warning(cjm_home: Path) -> None:
    """A survey export that dropped its verbatim column loads (the column empty) with a
    warning in the ledger that `cjm status` shows; a third file without it warns no more."""
    settings = Settings.from_env()
    header = "response_id,survey_type,responded_at,nps"
    _land(
        settings, "survey/2026-01-01/a.csv", f"{header},verbatim\nr1,relationship,2026-01-01,9,ok\n"
    )
    _ingest_all(settings)
    _land(settings, "survey/2026-01-02/b.csv", f"{header}\nr2,relationship,2026-01-02,9\n")
    _ingest_all(settings)
    _land(settings, "survey/2026-01-03/c.csv", f"{header}\nr3,relationship,2026-01-03,9\n")
    _ingest_all(settings)
    assert _query(
        settings,
        "select file, status, reason from raw.load_ledger where source = 'survey' order by file",
    ) == [
        ("survey/2026-01-01/a.csv", "loaded", None),
        (
            "survey/2026-01-02/b.csv",
            "loaded",
            "warning: column(s) the previous file had are missing, loaded empty: verbatim",
        ),
        ("survey/2026-01-03/c.csv", "loaded", None),
    ]
    assert "survey/2026-01-02/b.csv" in ledger_report(settings)


def test_a_renamed_json_field_loads_under_its_alias(cjm_home: Path) -> None:
    """`meta: aliases` works for JSON records as for CSV headers: an export that renamed
    contact_id to ContactId loads it (and the alias is no extra column)."""
    import dataclasses

    settings = Settings.from_env()
    spec = SOURCES["contact_center"]
    spec = dataclasses.replace(
        spec,
        columns=tuple(
            dataclasses.replace(c, aliases=("ContactId",)) if c.name == "contact_id" else c
            for c in spec.columns
        ),
    )
    _land(
        settings,
        "contact_center/2026-01-01/contacts.jsonl",
        '{"ContactId": "k1", "channel": "voice", "initiated_at": "2026-01-01T10:00:00Z"}\n',
    )
    con = connect(settings)
    try:
        loader.ingest_source(con, spec, settings.landing_dir)
    finally:
        con.close()
    assert _query(settings, "select contact_id, _extra from raw.contact_center__contacts") == [
        ("k1", None)
    ]


def test_status_names_hidden_files_and_loaded_files_gone_from_landing(cjm_home: Path) -> None:
    """A file saved as `.export.csv` is not loaded, and a loaded file deleted from landing
    stays loaded: `cjm status` names both, and lists every rejected file (10, then how many
    more)."""
    settings = Settings.from_env()
    header = "response_id,survey_type,responded_at,nps\n"
    _land(settings, "survey/2026-01-01/a.csv", header + "r1,relationship,2026-01-01,9\n")
    _land(settings, "survey/2026-01-01/.export.csv", header + "r2,relationship,2026-01-01,9\n")
    for i in range(12):
        _land(settings, f"survey/2026-01-01/broken_{i:02}.csv", "no,contract,columns\n1,2,3\n")
    _ingest_all(settings)
    (settings.landing_dir / "survey/2026-01-01/a.csv").unlink()
    assert "survey/2026-01-01/.export.csv" in landing_report(settings)
    report = ledger_report(settings)
    assert "Loaded files no longer in landing" in report and "survey/2026-01-01/a.csv" in report
    assert "broken_09.csv" in report and "... and 2 more" in report
