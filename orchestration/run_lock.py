"""One `cjm` command at a time changes a home's warehouse.

`cjm run`, `cjm demo`, `cjm accept` and `cjm erase` hold an exclusive lock on
`warehouse/.cjm.lock` (released by the system when the process ends, even killed); a second
one stops at once with one line naming who holds it, instead of failing halfway on DuckDB's
file lock. A run that Dagster launches (the schedule or a sensor under `cjm serve`, the UI)
takes the same lock through the `Warehouse` resource; inside `cjm run` the lock is already
this process's.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.settings import Settings


class WarehouseBusy(RuntimeError):
    """Another cjm command holds the home's warehouse."""


_held: set[Path] = set()  # the lock files this process holds


class Held(RuntimeError):
    """The lock file is held by another process; the message says who."""


@contextmanager
def file_lock(path: Path, holder: str) -> Iterator[None]:
    """An exclusive lock on `path` (released by the system when the process ends, even
    killed), stamped with `holder` and since when; `Held` naming the other holder if taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise Held(lock.read().strip() or "another process") from None
        lock.seek(0)
        lock.truncate()
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        lock.write(f"{holder} (pid {os.getpid()}) since {since} UTC")
        lock.flush()
        _held.add(path)
        try:
            yield
        finally:
            _held.discard(path)
            fcntl.flock(lock, fcntl.LOCK_UN)


def holder_of(path: Path) -> str | None:
    """Who holds the lock on `path`, or None when nobody does."""
    if not path.exists():
        return None
    try:
        with file_lock(path, "a probe"):
            return None
    except Held as held:
        return str(held)


@contextmanager
def exclusive(settings: Settings, command: str, reentrant: bool = False) -> Iterator[None]:
    """The home's lock for `command`; `reentrant`: already this process's is enough (a run
    `cjm run` executes in its own process)."""
    path = settings.warehouse_dir / ".cjm.lock"
    if reentrant and path in _held:
        yield
        return
    try:
        with file_lock(path, f"`cjm {command}`"):
            yield
    except Held as held:
        raise WarehouseBusy(
            f"the warehouse is busy: {held}; nothing was done (try again when it ends)"
        ) from None
