"""The landing contract summary in docs/sources.md agrees with the sources YAML it comes from."""

from __future__ import annotations

import re

from orchestration.ingestion.sources import SOURCES
from orchestration.quality import rules
from orchestration.settings import REPO_ROOT


def _documented() -> dict[str, tuple[str, str]]:
    """source -> (raw table, natural key) from the table in docs/sources.md."""
    rows = {}
    for line in (REPO_ROOT / "docs/sources.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"`\w+`", cells[0]):
            rows[cells[0].strip("`")] = (cells[2].strip("`"), cells[3].strip("`"))
    return rows


def test_every_landing_source_is_documented_with_its_raw_table_and_natural_key() -> None:
    documented = _documented()
    assert set(documented) == set(SOURCES)
    for name, spec in SOURCES.items():
        key = ", ".join(rules.load()[name].natural_key)
        assert documented[name] == (spec.raw_table, key), name
