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


def _rewrite(con, landing_dir: Path, by_file: dict[str, set[int]]) -> tuple[list, list]:
    landing.plan(con, "erasure-1", by_file)
    return landing.rewrite(con, landing_dir, "erasure-1")


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
    assert _rewrite(con, tmp_path, {relative: {1, 3}}) == ([relative], [])
    assert path.read_bytes() == b"\xef\xbb\xbfcustomer_id,email,note\nC2,ben@example.com,\n"
    [(sha,)] = con.execute("select sha256 from raw.load_ledger").fetchall()
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()  # not loaded again


def test_json_lines_and_gzip(tmp_path: Path) -> None:
    data = gzip.compress(b'{"contact_id": "k1"}\n{"contact_id": "k2"}\n{"contact_id": "k3"}\n')
    relative = "contact_center/2026-09-01/contacts.jsonl.gz"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    _rewrite(con, tmp_path, {relative: {2}})
    assert gzip.decompress(path.read_bytes()) == b'{"contact_id": "k1"}\n{"contact_id": "k3"}\n'


def test_json_documents_become_json_lines_of_the_records_kept(tmp_path: Path) -> None:
    data = b'{"conversations": [{"conversationId": "a"}, {"conversationId": "b"}]}'
    relative = "genesys_cloud/2026-09-01/result.json"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    _rewrite(con, tmp_path, {relative: {1}})
    assert path.read_bytes() == b'{"conversationId":"b"}\n'


def test_a_file_changed_since_it_was_loaded_is_left_alone(tmp_path: Path) -> None:
    relative = "contact_center/2026-09-01/contacts.jsonl"
    _put(tmp_path, relative, b'{"contact_id": "new delivery"}\n')
    con = _warehouse()
    _ledger(con, relative, b'{"contact_id": "k1"}\n')
    assert _rewrite(con, tmp_path, {relative: {1}}) == (
        [],
        [f"{relative} (changed since it was loaded)"],
    )


def test_a_tsv_file_is_rewritten_as_tsv(tmp_path: Path) -> None:
    """Snowplow's TSV is unquoted: a `,"` in a field must not shift the records (read as CSV,
    record 2 would swallow record 3 and her line would stay)."""
    data = b'event_id\tcontext\tuser_id\ne1\t{"a":","x"}\tC1\ne2\tplain\tC2\ne3\t"\tC3\n'
    relative = "snowplow/2026-09-01/events.tsv"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    assert _rewrite(con, tmp_path, {relative: {2}}) == ([relative], [])
    assert path.read_bytes() == b'event_id\tcontext\tuser_id\ne1\t{"a":","x"}\tC1\ne3\t"\tC3\n'


def test_a_rewrite_killed_after_the_swap_is_finished_not_skipped(tmp_path: Path) -> None:
    """Killed after the file was swapped but before the ledger took its checksum: the rerun
    finds the checksum it recorded first, and finishes (not "changed since it was loaded")."""
    data = b'{"contact_id": "k1"}\n{"contact_id": "k2"}\n'
    relative = "contact_center/2026-09-01/contacts.jsonl"
    path = _put(tmp_path, relative, data)
    con = _warehouse()
    _ledger(con, relative, data)
    landing.plan(con, "erasure-1", {relative: {1}})
    kept = b'{"contact_id": "k2"}\n'
    con.execute("update raw.erasure_files set new_sha256 = ?", [hashlib.sha256(kept).hexdigest()])
    path.write_bytes(kept)  # the swap happened; the ledger still has the old checksum
    assert landing.rewrite(con, tmp_path, "erasure-1") == ([relative], [])
    [(sha,)] = con.execute("select sha256 from raw.load_ledger").fetchall()
    assert sha == hashlib.sha256(kept).hexdigest()
