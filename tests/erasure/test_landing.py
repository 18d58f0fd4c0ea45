"""Landing files rewritten without an erased customer's records: every other record as it was
delivered, record numbers as the loader counts them."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import duckdb

from orchestration.erasure import landing


def _ledger(con: duckdb.DuckDBPyConnection, file: str, data: bytes) -> None:
    con.execute(
        "insert into raw.load_ledger values ('load-1', ?, ?, null, now()::timestamp)",
        [file, hashlib.sha256(data).hexdigest()],
    )


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.load_ledger (load_id varchar, file varchar, sha256 varchar,"
        " superseded_by varchar, loaded_at timestamp)"
    )
    return con


def _put(landing_dir: Path, relative: str, data: bytes) -> Path:
    path = landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_csv_records_leave_by_number_and_the_rest_stay_as_delivered(tmp_path: Path) -> None:
    data = (
        b"\xef\xbb\xbfcustomer_id,email,note\r\n"
        b'C1,anna@example.com,"two\r\nlines"\r\n'
        b"C2,ben@example.com,\r\n"
        b'C3,carl@example.com,"say ""hi"""\r\n'
    )
    relative = "crm/2026-09-01/customers.csv"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    assert landing.rewrite(con, tmp_path, {relative: {1, 3}}) == ([relative], [])
    assert path.read_bytes() == b"\xef\xbb\xbfcustomer_id,email,note\nC2,ben@example.com,\n"
    [(sha,)] = con.execute("select sha256 from raw.load_ledger").fetchall()
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()  # not loaded again


def test_json_lines_and_gzip(tmp_path: Path) -> None:
    data = gzip.compress(b'{"contact_id": "k1"}\n{"contact_id": "k2"}\n{"contact_id": "k3"}\n')
    relative = "contact_center/2026-09-01/contacts.jsonl.gz"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    landing.rewrite(con, tmp_path, {relative: {2}})
    assert gzip.decompress(path.read_bytes()) == b'{"contact_id": "k1"}\n{"contact_id": "k3"}\n'


def test_json_documents_become_json_lines_of_the_records_kept(tmp_path: Path) -> None:
    data = b'{"conversations": [{"conversationId": "a"}, {"conversationId": "b"}]}'
    relative = "genesys_cloud/2026-09-01/result.json"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    landing.rewrite(con, tmp_path, {relative: {1}})
    assert path.read_bytes() == b'{"conversationId":"b"}\n'


def test_a_file_changed_since_it_was_loaded_is_left_alone(tmp_path: Path) -> None:
    relative = "contact_center/2026-09-01/contacts.jsonl"
    _put(tmp_path, relative, b'{"contact_id": "new delivery"}\n')
    con = _warehouse()
    _ledger(con, relative, b'{"contact_id": "k1"}\n')
    assert landing.rewrite(con, tmp_path, {relative: {1}}) == ([], [relative])
