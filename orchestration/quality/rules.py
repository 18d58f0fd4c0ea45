"""Row rules and batch rules, read from the dbt project (one home for each threshold).

Defaults live in `dbt_project/dbt_project.yml` (`vars: gate_*`); each source table may override
them and declares its own row rules under `meta: gate:` in its sources YAML
(`models/staging/<source>/_<source>__sources.yml`). An analytics engineer edits YAML there, never
Python. Row rules quarantine a row at load; batch rules block publication
(docs/operations.md, "The gate").

A source table's `meta: gate:` may hold:

    natural_key: contact_id           # or a list; duplicates are counted on it, against
                                      # the loads of gate_duplicate_window_days around the file
    row_rules:                        # a row breaking one is kept out with the rule's name
      - {name: leg_timestamps_out_of_order, in_order: [initiated_at, queued_at, ended_at]}
      - {name: negative_duration, not_negative: [hold_seconds]}
      - {name: score_out_of_range, column: nps, min: 0, max: 10}
    volume: true                      # a day's volume must sit in the weekday band
    daily: true                       # a landing day with no file blocks
    max_quarantined_share: 0.01       # overrides the default

Every TIMESTAMP column also gets two rules without saying so: `timestamp_in_future` (more than
`gate_future_tolerance_hours` after the load) and `timestamp_before_earliest_date`
(`gate_earliest_date`, a local date in the centre's time zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.ingestion.sources import landing_tables
from orchestration.project_yaml import read_yaml
from orchestration.settings import DBT_PROJECT_DIR

# the rule every TIMESTAMP column gets from the setting gate_earliest_date
EARLIEST_DATE_RULE = "timestamp_before_earliest_date"


@dataclass(frozen=True)
class RowRule:
    name: str
    kind: str  # in_order, not_negative, in_range
    columns: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    tolerance_seconds: int = 0


@dataclass(frozen=True)
class GateConfig:
    """Everything the gate knows about one source."""

    # thresholds: no defaults here, they come from the dbt vars gate_* (one home)
    source: str
    max_quarantined_share: float
    min_quarantined_rows: int
    volume_band: tuple[float, float]
    volume_weeks: int
    volume_min_history_days: int
    volume_min_rows: int
    future_tolerance_hours: int
    earliest_date: str
    duplicate_window_days: int
    natural_key: tuple[str, ...] = ()
    row_rules: tuple[RowRule, ...] = ()
    volume: bool = False
    daily: bool = False


DEFAULT_KEYS = {
    "max_quarantined_share": "gate_max_quarantined_share",
    "min_quarantined_rows": "gate_min_quarantined_rows",
    "volume_band": "gate_volume_band",
    "volume_weeks": "gate_volume_weeks",
    "volume_min_history_days": "gate_volume_min_history_days",
    "volume_min_rows": "gate_volume_min_rows",
    "future_tolerance_hours": "gate_future_tolerance_hours",
    "earliest_date": "gate_earliest_date",
    "duplicate_window_days": "gate_duplicate_window_days",
}


def _row_rule(entry: dict) -> RowRule:
    name = entry["name"]
    tolerance = int(entry.get("tolerance_seconds", 0))
    if "in_order" in entry:
        return RowRule(name, "in_order", tuple(entry["in_order"]), tolerance_seconds=tolerance)
    if "not_negative" in entry:
        return RowRule(name, "not_negative", tuple(entry["not_negative"]))
    if "column" in entry and ("min" in entry or "max" in entry):
        return RowRule(name, "in_range", (entry["column"],), entry.get("min"), entry.get("max"))
    raise ValueError(f"row rule {name!r}: give in_order, not_negative, or column with min/max")


def _defaults(project_dir: Path) -> dict:
    variables = read_yaml(project_dir / "dbt_project.yml").get("vars", {})
    missing = [var for var in DEFAULT_KEYS.values() if var not in variables]
    if missing:
        raise ValueError(f"dbt_project.yml vars lack the gate's {', '.join(missing)}")
    values = {field_: variables[var] for field_, var in DEFAULT_KEYS.items()}
    values["volume_band"] = tuple(float(v) for v in values["volume_band"])
    return values


@cache
def load(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, GateConfig]:
    """source name -> its gate configuration, from the dbt project's YAML."""
    defaults = _defaults(project_dir)
    configs: dict[str, GateConfig] = {}
    for _, source, table in landing_tables(project_dir):
        gate = dict(table["meta"].get("gate") or {})
        key = gate.pop("natural_key", ())
        rules = tuple(_row_rule(entry) for entry in gate.pop("row_rules", []))
        values = {**defaults, **gate}
        if "volume_band" in gate:
            values["volume_band"] = tuple(float(v) for v in gate["volume_band"])
        configs[source["name"]] = GateConfig(
            source=source["name"],
            natural_key=(key,) if isinstance(key, str) else tuple(key),
            row_rules=rules,
            **values,
        )
    return configs


@cache
def kpi_ranges(
    project_dir: Path = DBT_PROJECT_DIR,
) -> dict[str, tuple[tuple[str, float, float], ...]]:
    """KPI model -> (column, min, max) of every `value_between` test in the kpi models' YAML:
    the ranges the dbt tests hold are the ones the Great Expectations gate holds, declared once
    (a KPI added with its `value_between` tests is under the gate without a Python edit)."""
    ranges: dict[str, tuple[tuple[str, float, float], ...]] = {}
    for path in sorted((project_dir / "models/marts/kpi").glob("*.yml")):
        for model in (read_yaml(path) or {}).get("models", []):
            found = []
            for column in model.get("columns", []):
                for test in column.get("data_tests") or []:
                    if isinstance(test, dict) and "value_between" in test:
                        spec = test["value_between"]
                        arguments = spec.get("arguments", spec)
                        found.append(
                            (column["name"], arguments["min_value"], arguments["max_value"])
                        )
            if found:
                ranges[model["name"]] = tuple(found)
    return ranges


def for_source(name: str) -> GateConfig:
    """The gate configuration of one source (defaults only when its YAML declares none)."""
    return load().get(name) or GateConfig(source=name, **_defaults(DBT_PROJECT_DIR))
