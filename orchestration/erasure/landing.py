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
    kept = [raw for row, raw in zip(rows, raws, strict=True) if row not in drop]
    header: list[str] = []
    if fmt == "csv":
        lines = data.decode("utf-8", "backslashreplace").split("\n")
        first = table.column("_line").to_pylist()[0] if rows else len(lines) + 1
        header = [line.rstrip("\r") for line in lines[: first - 1]]
    return "".join(f"{text}\n" for text in [*header, *kept]).encode()


def rewrite(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, by_file: dict[str, set[int]]
) -> tuple[list[str], list[str]]:
    """Rewrite each landing file without the given record numbers; return (rewritten, left as
    they are: Parquet, missing, or changed since they were loaded)."""
    rewritten, skipped = [], []
    for relative, drop in sorted(by_file.items()):
        path = landing_dir / relative
        spec = SOURCES.get(relative.split("/", 1)[0])
        load = con.execute(
            "select load_id, sha256 from raw.load_ledger where file = ?"
            " and superseded_by is null order by loaded_at desc limit 1",
            [relative],
        ).fetchone()
        if spec is None or load is None or not path.is_file() or path.is_symlink():
            skipped.append(relative)
            continue
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != load[1] or path.name.endswith(".parquet"):
            skipped.append(relative)
            continue
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
        partial = path.with_name(f".{path.name}.erasure.tmp")
        partial.write_bytes(out)
        os.replace(partial, path)
        con.execute(
            "update raw.load_ledger set sha256 = ? where load_id = ?",
            [hashlib.sha256(out).hexdigest(), load[0]],
        )
        rewritten.append(relative)
    return rewritten, skipped
