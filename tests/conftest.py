"""Shared fixtures: an isolated CJM_HOME per test, and helpers to open its warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CJM = Path(sys.executable).with_name("cjm")


@pytest.fixture
def cjm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh CJM_HOME for one test; the settings object reads it from the environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("CJM_HOME", str(home))
    monkeypatch.setenv("CJM_PII_SALT", "test-salt")
    yield home


def run_cjm(home: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real `cjm` command (a new process, as a user or the scheduler would)."""
    env = {**os.environ, "CJM_HOME": str(home), "CJM_PII_SALT": "test-salt"}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [str(CJM), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
