"""Opening the DuckDB warehouse files with the project's settings."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.settings import Settings


def connect(settings: Settings, path: Path | None = None, read_only: bool = False):
    """Open `path` (default: the build file) with threads, memory limit and UTC time zone set.

    Extensions never auto-install: nothing may download at run time.
    """
    path = path or settings.build_db
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(path),
        read_only=read_only,
        config={
            "threads": settings.duckdb_threads,
            "memory_limit": settings.duckdb_memory_limit,
            "autoinstall_known_extensions": False,
        },
    )
    con.execute("set TimeZone = 'UTC'")
    return con
