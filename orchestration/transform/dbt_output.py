"""dbt's own output during a run: the whole stream in the run log, a progress line on the
terminal every quarter of the nodes."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import sys
from collections.abc import Iterator

from orchestration.logging import RUN_LOG_ENV

_NODE_DONE = re.compile(r"^\s*(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|NO-OP)\b")


class _DbtOutput(io.TextIOBase):
    """A stdout for dagster-dbt, which writes every dbt event line to sys.stdout."""

    def __init__(self, log, terminal) -> None:
        self._log = log
        self._terminal = terminal
        self._done = 0
        self._next_share = 0.25

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._log.write(text)
        for line in text.splitlines():
            found = _NODE_DONE.match(line)
            if found is None:
                continue
            self._done += 1
            total = int(found.group(2))
            if self._done >= total * self._next_share:
                stamp = dt.datetime.now().strftime("%H:%M:%S")
                self._terminal.write(f"{stamp}    dbt: {self._done} of {total} nodes done\n")
                self._terminal.flush()
                while self._done >= total * self._next_share:
                    self._next_share += 0.25
        return len(text)

    def flush(self) -> None:
        self._log.flush()


@contextlib.contextmanager
def dbt_output_to_run_log() -> Iterator[None]:
    """Inside the block, dbt's stream goes to the run log ($CJM_RUN_LOG) with progress lines on
    stderr; without a run log (a run from the Dagster UI) it stays on stdout, where Dagster's
    compute logs capture it."""
    path = os.environ.get(RUN_LOG_ENV)
    if not path:
        yield
        return
    with (
        open(path, "a", encoding="utf-8") as log,
        contextlib.redirect_stdout(_DbtOutput(log, sys.stderr)),
    ):
        yield
