"""What every page reads: the published warehouse (read-only) and the state of the last run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.run_state import BlockedRun
from reports.rollup import Kpi


@dataclass(frozen=True)
class ReportContext:
    con: duckdb.DuckDBPyConnection  # the published cjm.duckdb, read-only
    kpis: list[Kpi]
    data_through: dt.date
    published_at: str
    run_id: str
    blocked: BlockedRun | None
    sources_without_data: tuple[str, ...] = ()  # landing sources that delivered nothing

    def missing(self, sources: tuple[str, ...]) -> list[str]:
        """Which of `sources` have delivered no data."""
        return [source for source in sources if source in self.sources_without_data]

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def days_back(self, days: int) -> dt.date:
        """First day of the `days`-day window that ends on the last day with data."""
        return self.data_through - dt.timedelta(days=days - 1)
