"""Reading vendor JSON exports: documents, wrapped query results, records back to back."""

from __future__ import annotations

import json

import pytest

from orchestration.ingestion import files


def _records(data: bytes, key: str | None = None) -> list[tuple[str, str | None]]:
    table = files.read_json_documents(data, key)
    assert table.column("_row").to_pylist() == list(range(1, table.num_rows + 1))
    return list(
        zip(table.column("_raw").to_pylist(), table.column("_error").to_pylist(), strict=True)
    )


def test_one_pretty_printed_document_is_one_record() -> None:
    data = json.dumps({"conversationId": "c1", "participants": [{"purpose": "acd"}]}, indent=4)
    [(raw, error)] = _records(data.encode())
    assert json.loads(raw) == {"conversationId": "c1", "participants": [{"purpose": "acd"}]}
    assert error is None and "\n" not in raw


def test_a_query_result_gives_its_records() -> None:
    data = {"conversations": [{"conversationId": "a"}, {"conversationId": "b"}], "totalHits": 2}
    records = _records(json.dumps(data).encode(), "conversations")
    assert [json.loads(raw)["conversationId"] for raw, _ in records] == ["a", "b"]
    # without the key the wrapper is one record (its own source may want it whole)
    assert len(_records(json.dumps(data).encode())) == 1


def test_objects_back_to_back_without_newlines_as_firehose_writes_them() -> None:
    data = b'{"ContactId":"1","x":"\\u00e9"}{"ContactId":"2"}\n{"ContactId":"3"} {"ContactId":"4"}'
    records = _records(data)
    assert [json.loads(raw)["ContactId"] for raw, _ in records] == ["1", "2", "3", "4"]
    assert json.loads(records[0][0])["x"] == "é"


def test_an_array_bom_and_json_lines() -> None:
    assert len(_records(b'\xef\xbb\xbf[{"a": 1}, {"a": 2}]')) == 2
    assert len(_records(b'{"a": 1}\r\n{"a": 2}\r\n\r\n')) == 2


def test_a_broken_part_is_one_unreadable_record_and_reading_goes_on() -> None:
    data = b'{"a": 1}\n{"a": \n{"a": 3}\n[1, {"a": 4}]'
    records = _records(data)
    errors = [error for _, error in records]
    assert errors[0] is None and errors[1].startswith("malformed JSON: ")
    assert errors[2:] == [None, "not a JSON object", None]
    assert records[1][0] == '{"a": '
    assert json.loads(records[4][0]) == {"a": 4}


def test_an_empty_file_has_no_records_and_invalid_utf8_rejects_the_file() -> None:
    assert _records(b"") == [] and _records(b"  \n ") == []
    with pytest.raises(files.FileRejected, match="not UTF-8"):
        files.read_json_documents(b'{"a": "\xff"}')


def test_a_page_of_records_cut_short_is_rejected_whole() -> None:
    """A compact query result cut short: one kept-out row would stand for its 15 records and
    the night would publish without them, under the noise floor. The file is rejected."""
    page = json.dumps({"conversations": [{"conversationId": str(i)} for i in range(15)]})
    with pytest.raises(files.FileRejected, match="does not parse as a whole"):
        files.read_json_documents(page[:-30].encode(), "conversations")
    with pytest.raises(files.FileRejected, match="no JSON record could be read"):
        files.read_json_documents(b'{"a": [1, 2')


def test_a_document_nested_too_deeply_is_malformed_not_a_crash() -> None:
    records = _records(b'{"a": 1}\n' + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    assert records[1][1] == "malformed JSON: nested too deeply"
