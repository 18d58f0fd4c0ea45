"""Run a list of expectations on a DataFrame with an in-memory Great Expectations context.

great_expectations costs seconds to import: it is imported on first use only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import pandas as pd

_names = itertools.count()


@dataclass(frozen=True)
class Outcome:
    suite: str
    success: bool
    evaluated: int
    failures: list[str]  # one line per failed expectation


@cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas("cjm")


def validate(suite_name: str, frame: pd.DataFrame, expectations: list) -> Outcome:
    """Validate `frame` against `expectations` (GX expectation objects) as suite `suite_name`."""
    import great_expectations as gx

    context, source = _context()
    unique = f"{suite_name}-{next(_names)}"
    batch = source.add_dataframe_asset(unique).add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=unique, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=unique, data=batch, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame})
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        column = config.kwargs.get("column") or ", ".join(
            config.kwargs.get(key) for key in ("column_A", "column_B") if config.kwargs.get(key)
        )
        sample = item.result.get("partial_unexpected_list") or []
        shown = ", ".join(_plain(value) for value in sample[:3])
        failures.append(
            f"{config.type}({column}): {item.result.get('unexpected_count', '?')} unexpected"
            + (f", e.g. {shown}" if shown else "")
        )
    return Outcome(suite_name, bool(result.success), len(result.results), failures)


def _plain(value) -> str:
    """A sampled value as a person reads it (numpy scalars and pairs without their types)."""
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    return str(value.item() if hasattr(value, "item") else value)
