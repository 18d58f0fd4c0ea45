"""Landing files rewritten without an erased customer's records.

Each file is read with the loader's own reader (a `.tsv` file as TSV), so record numbers are
the ones the raw tables and rejected rows carry; the records kept are written back as they were
delivered (a CSV record's exact text, a JSON line as it was; JSON documents as JSON lines of
their records), and the ledger takes the rewritten file's checksum, so the file is not loaded
again. Parquet files are not rewritten (listed in the erasure's summary).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from orchestration.ingestion import files
from orchestration.ingestion.sources import SOURCES


def _kept_text(
    data: bytes,
    fmt: str,
    records_key: str | None,
    header_rows: int,
    drop: set[int],
    tab_separated: bool = False,
) -> bytes:
    if fmt == "jsonl":
        table = files.read_json_lines(data)
    elif fmt == "json":
        table = files.read_json_documents(data, records_key)
    else:  # a .tsv file as the loader read it: tab-separated, never quoted
        table = files.read_csv(data, header_rows, tab_separated).table
    rows = table.column("_row").to_pylist()
    raws = table.column("_raw").to_pylist()
    kept = [  # a JSON line keeps its newline (files.read_json_lines)
        raw.removesuffix("\n") for row, raw in zip(rows, raws, strict=True) if row not in drop
    ]
    header: list[str] = []
    if fmt == "csv":
        lines = data.decode("utf-8", "backslashreplace").split("\n")
        first = table.column("_line").to_pylist()[0] if rows else len(lines) + 1
        header = [line.rstrip("\r") for line in lines[: first - 1]]
    return "".join(f"{text}\n" for text in [*header, *kept]).encode()


ERASURE_FILES_DDL = """
create table if not exists raw.erasure_files (
    erasure_id varchar not null,
    file varchar not null,
    record_numbers bigint[] not null,
    new_sha256 varchar,
    done_at timestamp,
    outcome varchar
)
"""


def plan(con: duckdb.DuckDBPyConnection, erasure_id: str, by_file: dict[str, set[int]]) -> None:
    """Record which landing files lose which records, in the erasure's transaction: the work
    survives a kill, and `rewrite` finishes it."""
    con.execute(ERASURE_FILES_DDL)
    for relative, drop in sorted(by_file.items()):
        con.execute(
            "insert into raw.erasure_files (erasure_id, file, record_numbers) values (?, ?, ?)",
            [erasure_id, relative, sorted(drop)],
        )


def rewrite(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    erasure_id: str,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[list[str], list[str]]:
    """Rewrite each landing file the erasure planned and has not done, without its records;
    return (rewritten, left as they are: Parquet, missing, or changed since they were loaded,
    each with why). Resumable: the new checksum is recorded before the file is swapped, so a
    file found with it was rewritten by a run killed before it could say so."""
    con.execute(ERASURE_FILES_DDL)
    rewritten, skipped = [], []
    pending = con.execute(
        "select file, record_numbers, new_sha256 from raw.erasure_files"
        " where erasure_id = ? and done_at is null order by file",
        [erasure_id],
    ).fetchall()
    for relative, drop, new_sha in pending:
        outcome = _rewrite_file(con, landing_dir, relative, set(drop), new_sha, erasure_id)
        if outcome == "rewritten":
            rewritten.append(relative)
        else:
            skipped.append(f"{relative} ({outcome})")
        con.execute(
            "update raw.erasure_files set done_at = now()::timestamp, outcome = ?"
            " where erasure_id = ? and file = ?",
            [outcome, erasure_id, relative],
        )
        progress(f"erase: landing file {relative}: {outcome}")
    return rewritten, skipped


def _rewrite_file(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    relative: str,
    drop: set[int],
    new_sha: str | None,
    erasure_id: str,
) -> str:
    path = landing_dir / relative
    spec = SOURCES.get(relative.split("/", 1)[0])
    load = con.execute(
        "select load_id, sha256 from raw.load_ledger where file = ?"
        " and superseded_by is null order by loaded_at desc limit 1",
        [relative],
    ).fetchone()
    if spec is None or load is None:
        return "not in the ledger"
    if not path.is_file() or path.is_symlink():
        return "missing from landing"
    if path.name.endswith(".parquet"):
        return "Parquet, not rewritten"
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    if sha == new_sha:  # rewritten by a run killed before it could record it
        con.execute("update raw.load_ledger set sha256 = ? where load_id = ?", [sha, load[0]])
        return "rewritten"
    if sha != load[1]:
        return "changed since it was loaded"
    compressed = path.name.endswith(".gz")
    data = gzip.decompress(raw) if compressed else raw
    text = _kept_text(
        data,
        spec.format,
        spec.records_key,
        spec.header_rows,
        drop,
        files.is_tab_separated(path.name),
    )
    out = gzip.compress(text, mtime=0) if compressed else text
    out_sha = hashlib.sha256(out).hexdigest()
    con.execute(
        "update raw.erasure_files set new_sha256 = ? where erasure_id = ? and file = ?",
        [out_sha, erasure_id, relative],
    )
    partial = path.with_name(f".{path.name}.erasure.tmp")
    partial.write_bytes(out)
    os.replace(partial, path)
    con.execute("update raw.load_ledger set sha256 = ? where load_id = ?", [out_sha, load[0]])
    return "rewritten"
