"""`cjm accept`: an operator publishes a blocked file or batch knowingly, with a reason.

The acceptance is recorded per ledger row in `meta.accepted_loads` (who, when, why), and the gate
no longer judges those rows; their bad rows stay quarantined. It covers the delivery accepted,
not a later one of the same file name.
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import duckdb


class NothingToAccept(ValueError):
    """The file or batch is unknown, or has nothing pending."""


def _pending(con: duckdb.DuckDBPyConnection, target: str, landing_dir: Path) -> list[tuple]:
    """Pending ledger rows of `target`: a batch id (run id, or its first 8 characters), or a
    landing file (its path relative to landing/, or any path to it)."""
    relative = target
    path = Path(target)
    if path.is_absolute() or path.exists():
        try:
            relative = str(path.resolve().relative_to(landing_dir.resolve()))
        except ValueError:
            relative = target
    return con.execute(
        """
        select load_id, source, file, batch_id from raw.load_ledger
        where published_at is null
            and load_id not in (select load_id from meta.accepted_loads)
            and (batch_id = $target or starts_with(batch_id, $prefix) or file = $file)
        order by loaded_at, load_id
        """,
        {"target": target, "prefix": target if len(target) >= 8 else "\0", "file": relative},
    ).fetchall()


def accept(
    con: duckdb.DuckDBPyConnection,
    target: str,
    reason: str,
    landing_dir: Path,
    by: str | None = None,
) -> list[tuple]:
    """Record the acceptance of every pending ledger row of `target`; return those rows."""
    if not reason.strip():
        raise NothingToAccept("give the reason for accepting (--reason)")
    rows = _pending(con, target, landing_dir)
    if not rows:
        raise NothingToAccept(
            f"no unpublished file or batch matches {target!r} (see `cjm status`: pending files)"
        )
    batches = {batch for _, _, _, batch in rows if batch}
    if len(batches) > 1 and not any(file == target for _, _, file, _ in rows):
        raise NothingToAccept(f"{target!r} matches {len(batches)} batches: give more of the id")
    accepted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    con.executemany(
        "insert into meta.accepted_loads values (?, ?, ?, ?, ?, ?, ?)",
        [
            [load_id, source, file, batch, accepted_at, by or getpass.getuser(), reason.strip()]
            for load_id, source, file, batch in rows
        ],
    )
    return rows
