"""Rolling a KPI up over days and slices, the one way reports aggregate published KPIs.

A KPI column of a kpi_* table is a ratio or a mean per row (day x slice), declared beside its
model by a `ratio_of` test (numerator, denominator, scale; published in kpi.kpi_definitions and
kpi.kpi_headline_targets). Over several rows it is scale x sum(numerator) / sum(denominator), the
KPI computed over the rows together, e.g. 30 days of abandonment = sum(abandoned) / sum(offered);
never a mean of daily rates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

UNIT_AXIS = {
    "ratio": "%",
    "seconds": "seconds",
    "hours": "hours",
    "score": "points (-100 to 100)",
    "contacts": "contacts",
}


@dataclass(frozen=True)
class Kpi:
    """One row of kpi.kpi_headline_targets."""

    model: str
    column: str
    name: str
    target: float
    direction: str  # at_least | at_most
    unit: str
    numerator: str  # SQL over the model's columns
    denominator: str
    scale: float
    period_column: str
    row_filter: str | None
    context_column: str | None = None  # a ratio shown beside it (how far to trust it)
    context_numerator: str | None = None
    context_denominator: str | None = None
    context_label: str | None = None

    def context(self) -> Kpi | None:
        """The context figure as a KPI of its own (rolled up the same way), if there is one."""
        if not self.context_column:
            return None
        return dataclasses.replace(
            self,
            column=self.context_column,
            numerator=self.context_numerator,
            denominator=self.context_denominator,
            scale=1.0,
            unit="ratio",
            context_column=None,
        )

    def axis_title(self) -> str:
        """The value axis of a chart of this KPI: its unit, as a reader says it."""
        return UNIT_AXIS.get(self.unit, self.unit)

    def meets(self, value: float | None) -> bool | None:
        if value is None or pd.isna(value):
            return None
        return value >= self.target if self.direction == "at_least" else value <= self.target


def headline_kpis(con: duckdb.DuckDBPyConnection) -> list[Kpi]:
    rows = con.execute(
        "select kpi_model, kpi_column, kpi_name, target, direction, unit, numerator, denominator,"
        " scale, period_column, row_filter, context_column, context_numerator,"
        " context_denominator, context_label"
        " from kpi.kpi_headline_targets order by kpi_model, kpi_column"
    ).fetchall()
    return [Kpi(*row) for row in rows]


def find_kpi(kpis: list[Kpi], model: str, column: str) -> Kpi:
    for kpi in kpis:
        if (kpi.model, kpi.column) == (model, column):
            return kpi
    raise KeyError(f"{model}.{column} is not in kpi.kpi_headline_targets")


def defined_ratio(con: duckdb.DuckDBPyConnection, model: str, column: str) -> Kpi:
    """A KPI column without a headline target, rolled up as kpi.kpi_definitions declares it
    (its numerator, denominator and scale); no target, no period (use `rollup` without `since`)."""
    row = con.execute(
        "select numerator, denominator, scale from kpi.kpi_definitions"
        " where kpi_model = ? and kpi_column = ?",
        [model, column],
    ).fetchone()
    if row is None:
        raise KeyError(f"{model}.{column} is not in kpi.kpi_definitions")
    numerator, denominator, scale = row
    return Kpi(
        model,
        column,
        column,
        float("nan"),
        "at_least",
        "ratio",
        numerator,
        denominator,
        scale,
        period_column="",
        row_filter=None,
    )


def rollup(
    con: duckdb.DuckDBPyConnection,
    kpi: Kpi,
    by: list[str] | None = None,
    since: dt.date | None = None,
    equals: dict[str, object] | None = None,
) -> pd.DataFrame:
    """The KPI per group of `by` columns (none: one row), of the rows with period >= `since`
    and the given column values only.

    Columns: the `by` columns, `value` (scale x sum(numerator) / sum(denominator); null where
    the denominator sums to 0) and `weight` (the summed denominator: responses, legs, ...).
    """
    by = by or []
    conditions = [f'"{kpi.column}" is not null']
    params: list = []
    if kpi.row_filter:
        conditions.append(f"({kpi.row_filter})")
    for column, value in (equals or {}).items():
        conditions.append(f'"{column}" = ?')
        params.append(value)
    if since is not None:
        conditions.append(f'"{kpi.period_column}" >= ?')
        params.append(since)
    groups = ", ".join(f'"{c}"' for c in by)
    sql = (
        f"select {groups + ', ' if by else ''}"
        f"{kpi.scale} * cast(sum({kpi.numerator}) as double)"
        f" / nullif(sum({kpi.denominator}), 0) as value, "
        f"cast(coalesce(sum({kpi.denominator}), 0) as double) as weight "
        f"from kpi.{kpi.model} where {' and '.join(conditions)}"
        f"{' group by ' + groups + ' order by ' + groups if by else ''}"
    )
    return con.execute(sql, params).df()


def window_value(
    con: duckdb.DuckDBPyConnection, kpi: Kpi, through: dt.date, days: int
) -> float | None:
    """The KPI over the periods starting in the `days` days up to `through`.

    A monthly KPI whose periods all start earlier uses its latest period instead.
    """
    since = through - dt.timedelta(days=days - 1)
    latest = con.execute(
        f'select max("{kpi.period_column}") from kpi.{kpi.model}'
        f"{' where ' + kpi.row_filter if kpi.row_filter else ''}"
    ).fetchone()[0]
    if latest is None:
        return None
    frame = rollup(con, kpi, since=min(since, _as_date(latest)))
    value = frame["value"].iloc[0] if len(frame) else None
    return None if value is None or pd.isna(value) else float(value)


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
