"""The source simulator: seeded, realistic customer journeys written as landing files.

`simulate(params, landing_dir, truth_dir)` writes `landing/<source>/<day>/<file>` for the
contact centre (JSON lines), web (gzip'd JSON lines), survey (CSV) and CRM (CSV) sources, and
`truth/` with what was planted. Same parameters, same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestration.simulator.dirt import Dirt
from orchestration.simulator.params import SimulationParams
from orchestration.simulator.world import build_world
from orchestration.simulator.writer import LandingWriter

__all__ = ["SimulationParams", "simulate"]


def simulate(
    params: SimulationParams,
    landing_dir: Path,
    truth_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, int]]:
    """Write the landing and truth files; return the dirt planted, per source and kind."""
    report = progress or (lambda message: None)
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
