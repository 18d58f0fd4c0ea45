"""The run's settings and its warehouse as Dagster resources.

Assets, checks and sensors take these as parameters instead of reading the environment, so
the definitions can be pointed at any home (a test's temporary one) without touching
`os.environ`. The PII salt and the DuckDB knobs still come from the environment (the salt is a
secret and must not show in Dagster's resource config).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import dagster as dg
import duckdb

from orchestration.settings import Settings
from orchestration.warehouse import connect


class CjmSettings(dg.ConfigurableResource):
    """Where the run's data lives (CJM_HOME) and the settings derived from it."""

    home: str

    @classmethod
    def of(cls, settings: Settings) -> CjmSettings:
        return cls(home=str(settings.home))

    def get(self) -> Settings:
        return Settings.from_env(home=self.home)

    @contextlib.contextmanager
    def child_environment(self) -> Iterator[None]:
        """The environment a child process (dbt) must see for this home, for the block only."""
        saved = dict(os.environ)
        os.environ.update(self.get().child_env())
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


class Warehouse(dg.ConfigurableResource):
    """The build warehouse (DuckDB) of the run's home, held for the whole run: a run Dagster
    launches takes the home's run lock like `cjm run` (orchestration/run_lock.py), so a
    micro-batch or a scheduled run never fights a command typed meanwhile."""

    settings: CjmSettings

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[Warehouse]:
        from orchestration.run_lock import exclusive

        with exclusive(self.settings.get(), "run (launched by Dagster)", reentrant=True):
            yield self

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return connect(self.settings.get(), read_only=read_only)
