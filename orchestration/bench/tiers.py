"""Benchmark tiers: how much data each simulates (cached once under CJM_HOME/bench/<tier>)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    name: str
    customers: int
    days: int  # history days; one more day is simulated for the "new day" scenario
    # Every simulated day must lie in the past when the bench loads it: the gate keeps out a
    # timestamp more than a day after its load (`gate_future_tolerance_hours`). A year from
    # 2025-11-01 ends 2026-11-01.
    start: dt.date = dt.date(2025, 11, 1)
    seed: int = 7
    micro_batch: bool = False  # also time a landed file to its publication under `cjm serve`

    def as_dict(self) -> dict:
        return {
            "tier": self.name,
            "customers": self.customers,
            "days": self.days,
            "start": self.start.isoformat(),
            "seed": self.seed,
        }


TIERS = {
    "S": Tier("S", customers=10_000, days=30, micro_batch=True),
    "M": Tier("M", customers=1_000_000, days=365),
    "L": Tier("L", customers=10_000_000, days=365),
}
