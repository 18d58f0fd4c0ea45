"""Reading landing files, without a warehouse."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from orchestration.ingestion import files
from orchestration.ingestion.sources import SOURCES
from tests.ingestion.fixtures import SURVEY_CSV, write_broken_landing


def test_discover_orders_by_day_and_flags_contract_errors(tmp_path: Path) -> None:
    write_broken_landing(tmp_path)
    found = files.discover(tmp_path, SOURCES["web"])
    assert [f.relative for f in found] == [
        "web/not-a-date/events.jsonl.gz",
        "web/2026-01-01/events.parquet",
        "web/2026-01-02/events.jsonl.gz",
        "web/2026-01-03/broken.jsonl.gz",
    ]
    assert "not a YYYY-MM-DD date" in found[0].contract_error
    assert found[1].day == dt.date(2026, 1, 1) and found[1].contract_error is None


def test_discover_until_leaves_later_days(tmp_path: Path) -> None:
    write_broken_landing(tmp_path)
    found = files.discover(tmp_path, SOURCES["web"], until=dt.date(2026, 1, 1))
    assert [f.relative for f in found] == [
        "web/not-a-date/events.jsonl.gz",
        "web/2026-01-01/events.parquet",
    ]


def test_discover_rejects_unexpected_suffix(tmp_path: Path) -> None:
    path = tmp_path / "survey/2026-01-01/responses.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    [found] = files.discover(tmp_path, SOURCES["survey"])
    assert "unexpected file type" in found.contract_error


def test_csv_quirks_bom_crlf_quoted_newlines_and_non_latin() -> None:
    parsed = files.read_csv(SURVEY_CSV)
    assert parsed.header[0] == "response_id"  # BOM stripped
    rows = parsed.table.to_pylist()
    verbatims = parsed.column("verbatim")
    assert [r["_row"] for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert [r["_line"] for r in rows] == [2, 3, 5, 6, 7, 8, 9]  # r2 spans lines 3-4
    assert verbatims[0] == "Ļoti labi, paldies!"
    assert verbatims[1] == "Спасибо!\nВсё хорошо"
    assert verbatims[2] == "很好"
    assert verbatims[3] == "Լավ"
    assert verbatims[6] == "Ačiū, gerai"
    assert rows[4]["_error"] == "expected 8 fields, found 4"
    assert rows[5]["_error"].startswith("invalid UTF-8") and parsed.column("response_id")[5] is None
    assert rows[5]["_raw"] == "r6,post_contact,2026-01-01 14:30:00,,2,caf\\xe9,en,v2"


def test_csv_without_header_is_rejected_whole() -> None:
    with pytest.raises(files.FileRejected, match="no header"):
        files.read_csv(b"")


def test_json_lines_crlf_and_bad_bytes() -> None:
    table = files.read_json_lines(b'{"a":1}\r\n{"a":"\xff"}\r\n{"a":3}\r\n').to_pylist()
    assert [r["_raw"] for r in table] == ['{"a":1}\n', '{"a":"\\xff"}\n', '{"a":3}\n']
    assert [r["_error"] is None for r in table] == [True, False, True]


def test_json_lines_across_scan_chunks_and_without_last_newline() -> None:
    data = b'{"a":1}\n\n{"b":22}\r\n{"c":333}\n{"d":4}'
    lines = [line.rstrip(b"\r") for line in data.split(b"\n")]
    for chunk in (1, 2, 3, 7, 64):  # newlines on, before and after every chunk edge
        ends = files._line_ends(data + b"\n", chunk=chunk)
        assert list(ends) == [i + 1 for i, byte in enumerate(data + b"\n") if byte == 10]
    table = files.read_json_lines(data).to_pylist()
    assert [r["_raw"] for r in table] == [line.decode() + "\n" for line in lines]
    assert [r["_row"] for r in table] == [1, 2, 3, 4, 5]


def test_gzip_file_of_several_members_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a":1}\n') + gzip.compress(b'{"a":2}\n{"a":3}\n'))
    landing = files.LandingFile(path, "web/2026-01-01/events.jsonl.gz", dt.date(2026, 1, 1), None)
    read = files.read_landing_file(landing, SOURCES["web"], known=set())
    assert read.error is None
    assert read.table.column("_raw").to_pylist() == ['{"a":1}\n', '{"a":2}\n', '{"a":3}\n']


def test_a_source_is_declared_in_its_sources_yaml_alone(tmp_path) -> None:
    """Adding a source touches no Python: the loader's contract is read from the YAML."""
    import pytest

    from orchestration.ingestion.sources import ContractError, load_sources

    folder = tmp_path / "models/staging/tickets"
    folder.mkdir(parents=True)
    yaml_text = (
        "sources:\n  - name: tickets\n    schema: raw\n    tables:\n      - name: events\n"
        "        identifier: tickets__events\n"
        "        meta: {landing: {format: csv, suffixes: [.csv]}}\n"
        "        columns:\n"
        "          - {name: ticket_id, data_type: varchar, meta: {required: true}}\n"
        "          - {name: opened_at, data_type: timestamp}\n"
        "          - {name: _file}\n"
    )
    (folder / "_tickets__sources.yml").write_text(yaml_text)
    spec = load_sources(tmp_path)["tickets"]
    assert (spec.raw_table, spec.format, spec.suffixes, spec.required) == (
        "raw.tickets__events",
        "csv",
        (".csv",),
        ("ticket_id",),
    )
    assert [(c.name, c.type) for c in spec.columns] == [
        ("ticket_id", "VARCHAR"),
        ("opened_at", "TIMESTAMP"),
    ]
    (folder / "_tickets__sources.yml").write_text(yaml_text.replace(", data_type: timestamp", ""))
    with pytest.raises(ContractError, match="column opened_at has no data_type"):
        load_sources(tmp_path)


def test_a_symlink_is_rejected_without_reading_through_it(tmp_path: Path) -> None:
    """Issue 17, finding 6: a link from landing to a file elsewhere was loaded."""
    outside = tmp_path / "elsewhere/secret.jsonl"
    outside.parent.mkdir(parents=True)
    outside.write_text('{"contact_id": "x"}\n')
    day = tmp_path / "landing/contact_center/2026-01-01"
    day.mkdir(parents=True)
    (day / "contacts.jsonl").symlink_to(outside)
    linked_day = tmp_path / "landing/contact_center/2026-01-02"
    linked_day.symlink_to(outside.parent, target_is_directory=True)
    found = files.discover(tmp_path / "landing", SOURCES["contact_center"])
    assert found and all("symbolic link" in (f.contract_error or "") for f in found)
    read = files.read_landing_file(found[0], SOURCES["contact_center"], set())
    assert read.table is None  # nothing read through the link


def test_landing_folders_no_source_reads_are_named(tmp_path: Path) -> None:
    (tmp_path / "contact_centre/2026-01-01").mkdir(parents=True)  # a typo
    (tmp_path / "web").mkdir()
    assert files.unknown_folders(tmp_path, list(SOURCES)) == ["contact_centre"]


def test_status_names_landing_folders_no_source_reads(cjm_home: Path) -> None:
    from orchestration import status
    from orchestration.settings import Settings

    settings = Settings.from_env()
    (settings.landing_dir / "contact_centre/2026-01-01").mkdir(parents=True)
    line = status.landing_report(settings)  # a section of `cjm status`
    assert line.startswith("landing folders no source reads (not loaded): contact_centre")


def test_an_unclosed_quote_keeps_out_every_line_it_swallowed() -> None:
    """Response 3's verbatim opens a quote it never closes: the CSV reader would make one
    record of it and the 37 responses after it, other respondents' e-mail addresses in its
    verbatim. Each of its lines is kept out instead (38 of 40 counted as read and kept out),
    and no loaded field holds an address."""
    header = "response_id,survey_type,customer_email,responded_at,nps,verbatim\n"
    lines = [
        f"r{i},relationship,person{i}@example.com,2026-01-01 10:00:00,9,"
        + ('"Good, but' if i == 3 else "fine")
        for i in range(1, 41)
    ]
    parsed = files.read_csv((header + "\n".join(lines) + "\n").encode())
    rows = parsed.table.to_pylist()
    assert len(rows) == 40  # every line counted as read
    assert [r["_line"] for r in rows] == list(range(2, 42))
    errors = [r["_error"] for r in rows]
    assert errors[:2] == [None, None]
    assert errors[2].startswith("a quoted field runs over the 37 following line(s), 37 of them")
    assert all(e.startswith("inside the quoted field opened at line 4") for e in errors[3:])
    assert [r["_raw"] for r in rows] == lines  # each line's own text, once
    assert all(v is None or "@" not in v for v in parsed.column("verbatim"))


def test_a_quoted_field_over_lines_that_are_not_records_is_one_record() -> None:
    """A verbatim with line breaks whose lines are prose, not records, stays one record."""
    data = b'id,name,verbatim\n1,a,"Line one,\nline two\nthree"\n2,b,ok\n'
    parsed = files.read_csv(data)
    assert parsed.column("verbatim") == ["Line one,\nline two\nthree", "ok"]
    assert parsed.table.column("_error").to_pylist() == [None, None]
