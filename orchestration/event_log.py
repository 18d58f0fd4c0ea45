"""Dagster's SQLite storage with one open engine per event-log database.

Stock `SqliteEventLogStorage` creates and disposes an SQLAlchemy engine for every statement
(`NullPool`): with ~700 events per nightly run (a planned and an evaluated event for each of
~300 checks, outputs, materializations) that was ~19 ms an event, ~20 s of every run. This
subclass keeps each shard's engine (the run's own database and the index) for the life of the
process; files, schema and behaviour are Dagster's own, so the webserver and daemon read them
as usual. Configured in `$DAGSTER_HOME/dagster.yaml` (see settings.DAGSTER_YAML).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from sqlalchemy import Connection, Engine, create_engine


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Run-sharded SQLite event log that reuses one engine per shard."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def _dispose_engines(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()

    def wipe(self) -> None:
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


class PooledSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage (same folders) with the pooled event log."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        super().__init__(base_dir, inst_data)
        self._event_log_storage.dispose()
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
