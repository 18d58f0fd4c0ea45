"""Every published rate or mean declares how it is computed, beside its model."""

from __future__ import annotations

import yaml

from orchestration.settings import DBT_PROJECT_DIR

CATALOGUE = {"kpi_definitions", "kpi_headline_targets"}  # describe the KPIs, hold none


def _kpi_models() -> list[dict]:
    models = []
    for path in sorted((DBT_PROJECT_DIR / "models/marts/kpi").glob("*.yml")):
        models += (yaml.safe_load(path.read_text()) or {}).get("models", [])
    return [m for m in models if m["name"] not in CATALOGUE]


def _tests(column: dict) -> dict[str, dict]:
    found = {}
    for test in column.get("data_tests") or []:
        if isinstance(test, dict):
            ((name, spec),) = test.items()
            found[name] = spec.get("arguments", spec)
    return found


def test_every_double_column_is_a_ratio_a_summable_part_or_says_why_not() -> None:
    """A double (non-count) KPI column is a rate or mean with its `ratio_of` test (numerator and
    denominator are columns of the model, so it rolls up as sum / sum), a numerator of one, or
    declares in `meta: not_a_ratio` why it is neither (a median, a difference of two rates)."""
    undeclared = []
    for model in _kpi_models():
        columns = {c["name"]: c for c in model["columns"]}
        ratios = {n: _tests(c)["ratio_of"] for n, c in columns.items() if "ratio_of" in _tests(c)}
        parts = set()
        for name, ratio in ratios.items():
            for part in (ratio["numerator"], ratio["denominator"]):
                words = str(part).replace("-", " ").split()
                missing = [w for w in words if w not in columns]
                assert not missing, f"{model['name']}.{name}: {missing} are not its columns"
                parts |= set(words)
        for name, column in columns.items():
            if column.get("data_type") != "double" or name in ratios or name in parts:
                continue
            if not (column.get("meta") or {}).get("not_a_ratio"):
                undeclared.append(f"{model['name']}.{name}")
    assert undeclared == []


def test_every_range_checked_column_has_a_ratio() -> None:
    for model in _kpi_models():
        for column in model["columns"]:
            tests = _tests(column)
            if "value_between" in tests:
                assert "ratio_of" in tests, f"{model['name']}.{column['name']}"
