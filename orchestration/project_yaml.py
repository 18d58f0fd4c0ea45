"""Reading the dbt project's YAML files (sources, gate, KPI ranges) in the pipeline's process.

libyaml's C parser, about 10x PyYAML's pure-Python one: the ~6k lines read at every run's start
took 1.7 s of a night with nothing new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the wheels ship libyaml


def read_yaml(path: Path) -> Any:
    """The file's YAML as Python values (safe: plain types only)."""
    return yaml.load(path.read_text(), Loader=_LOADER)
