"""One world simulated in memory and written out (a small sample, or one shard of a large one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestration.simulator.dirt import Dirt
from orchestration.simulator.params import SimulationParams
from orchestration.simulator.world import build_world
from orchestration.simulator.writer import LandingWriter


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
