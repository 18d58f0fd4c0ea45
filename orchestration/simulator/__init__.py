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

from orchestration.simulator.dirt import Dirt
from orchestration.simulator.params import SimulationParams
from orchestration.simulator.shards import SHARD_CUSTOMER_DAYS, shard_params, simulate_in_shards
from orchestration.simulator.world import build_world
from orchestration.simulator.writer import LandingWriter

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


def simulate_world(
    params: SimulationParams,
    landing_dir: Path,
    truth_dir: Path,
    report: Callable[[str], None] = lambda message: None,
) -> dict[str, dict[str, int]]:
    """Simulate one world in memory and write it."""
    world = build_world(params)
    report(
        f"simulated {params.customers} customers over {params.days} days: "
        f"{len(world.service.legs['number'])} contact legs, {len(world.web['at'])} web events, "
        f"{len(world.surveys['responded'])} survey responses"
    )
    dirt = Dirt(params.dirty_rate, params.seed)
    writer = LandingWriter(world, landing_dir, dirt, report)
    writer.crm()
    writer.contacts()
    writer.web()
    writer.surveys()
    writer.truth(truth_dir)
    report(f"wrote {len(writer.files)} files under {landing_dir}")
    return {source: dict(kinds) for source, kinds in dirt.counts.items()}
