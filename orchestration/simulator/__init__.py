"""The source simulator: seeded, realistic customer journeys written as landing files.

`simulate(params, landing_dir, truth_dir)` writes `landing/<source>/<day>/<file>` for the
contact centre (JSON lines), web (gzip'd JSON lines), survey (CSV) and CRM (CSV) sources, and
`truth/` with what was planted. Same parameters, same bytes. A sample larger than one shard
(shards.SHARD_CUSTOMER_DAYS customer-days or shards.SHARD_CUSTOMERS customers) is simulated
shard by shard in worker processes, so memory stays bounded whatever the size.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestration.simulator.one_world import simulate_world
from orchestration.simulator.params import SimulationParams
from orchestration.simulator.shards import SHARD_CUSTOMER_DAYS, shard_params, simulate_in_shards

__all__ = ["SimulationParams", "simulate"]


def simulate(
    params: SimulationParams,
    landing_dir: Path,
    truth_dir: Path,
    progress: Callable[[str], None] | None = None,
    workers: int = 1,
    shard_customer_days: int = SHARD_CUSTOMER_DAYS,
) -> dict[str, dict[str, int]]:
    """Write the landing and truth files; return the dirt planted, per source and kind."""
    report = progress or (lambda message: None)
    shards = shard_params(params, shard_customer_days)
    if len(shards) == 1:
        return simulate_world(params, landing_dir, truth_dir, report)
    report(f"{params.customers} customers in {len(shards)} shards, {workers} worker(s)")
    dirt = simulate_in_shards(params, landing_dir, truth_dir, shards, workers, report)
    report(f"merged {len(shards)} shards under {landing_dir}")
    return dirt
