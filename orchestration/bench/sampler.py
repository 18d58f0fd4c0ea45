"""Peak memory of a process tree, sampled from /proc (Linux), and per-stage windows."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            resident = int((Path("/proc") / str(current) / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident * PAGE_SIZE
        todo.extend(_children(current))
    return total


class RssSampler:
    """Samples the tree's RSS every `interval` seconds in a thread: [(unix time, bytes)]."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), tree_rss_bytes(self.pid)))
            self._stop.wait(self.interval)

    def peak(self, start: float | None = None, end: float | None = None) -> int:
        values = [
            rss
            for at, rss in self.samples
            if (start is None or at >= start) and (end is None or at <= end)
        ]
        return max(values, default=0)
