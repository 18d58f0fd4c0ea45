"""Large samples in bounded memory: customer shards simulated in worker processes, then merged.

A world is simulated in memory (about 1 KB per customer-day), so a large sample is cut into
shards of at most SHARD_CUSTOMER_DAYS customer-days and SHARD_CUSTOMERS customers. Shard k
simulates its own customers with its own seed (so ids made by `uid()` differ) and numbers them
from `first_customer`. Shards are merged in order into one file per source, day and name: JSON
lines and gzip members are appended, a CSV keeps the first shard's header. Same parameters,
same bytes.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from orchestration.simulator.params import SimulationParams

SHARD_CUSTOMER_DAYS = 3_000_000  # about 2.5 GiB of memory per worker
SHARD_CUSTOMERS = 50_000  # per-customer work (names, CRM rows) bounds short, wide samples too


def shard_params(params: SimulationParams, customer_days: int) -> list[SimulationParams]:
    """The shards of a sample: consecutive customer numbers, one seed per shard."""
    size = max(1, min(SHARD_CUSTOMERS, customer_days // max(params.days, 1)))
    if params.customers <= size:
        return [params]
    shards = []
    for k, first in enumerate(range(0, params.customers, size)):
        shards.append(
            dataclasses.replace(
                params,
                customers=min(size, params.customers - first),
                seed=params.seed * 100_000 + k,
                first_customer=params.first_customer + first,
            )
        )
    return shards


def add_counts(into: dict[str, dict[str, int]], counts: dict[str, dict[str, int]]) -> None:
    """Add per-source, per-kind counts into `into`."""
    for source, kinds in counts.items():
        totals = into.setdefault(source, {})
        for kind, n in kinds.items():
            totals[kind] = totals.get(kind, 0) + n


def _simulate_shard(params: SimulationParams, folder: Path) -> dict[str, dict[str, int]]:
    from orchestration.simulator.one_world import simulate_world

    return simulate_world(params, folder / "landing", folder / "truth")


def _append(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        source.replace(target)
        return
    with source.open("rb") as reader, target.open("ab") as writer:
        if source.name.endswith(".csv"):
            reader.readline()  # the header (with the byte-order mark, if any)
        shutil.copyfileobj(reader, writer, 1 << 20)


def _merge_truth(truths: list[Path], params: SimulationParams, landing: Path, out: Path) -> None:
    daily = [pd.read_csv(t / "daily.csv") for t in truths]
    total = daily[0].copy()
    for frame in daily[1:]:
        numbers = total.columns.drop("day")
        total[numbers] = total[numbers] + frame[numbers]
    out.mkdir(parents=True, exist_ok=True)
    total.to_csv(out / "daily.csv", index=False, lineterminator="\n")
    shutil.copyfile(truths[0] / "changes.csv", out / "changes.csv")  # the same in every shard
    pd.concat([pd.read_csv(t / "verbatim_themes.csv", dtype=str) for t in truths]).to_csv(
        out / "verbatim_themes.csv", index=False, lineterminator="\n"
    )
    summaries = [json.loads((t / "summary.json").read_text()) for t in truths]
    summary: dict = {
        "params": params.to_json(),
        "shards": len(truths),
        "dirt": {},
        "kept_out_by_rule": {},
    }
    for part in summaries:
        for key, value in part.items():
            if isinstance(value, int):
                summary[key] = summary.get(key, 0) + value
        add_counts(summary["dirt"], part["dirt"])
        for rule, n in part.get("kept_out_by_rule", {}).items():
            summary["kept_out_by_rule"][rule] = summary["kept_out_by_rule"].get(rule, 0) + n
    summary["files"] = sorted(
        p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()
    )
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


def simulate_in_shards(
    params: SimulationParams,
    landing_dir: Path,
    truth_dir: Path,
    shards: list[SimulationParams],
    workers: int,
    report: Callable[[str], None],
) -> dict[str, dict[str, int]]:
    """Simulate each shard in a worker process; merge them, in order, as they finish."""
    landing_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".shards-", dir=landing_dir.parent))
    folders = [work / f"shard-{k:04d}" for k in range(len(shards))]
    dirt: dict[str, dict[str, int]] = {}
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=1) as pool:
            results = pool.map(_simulate_shard, shards, folders)
            for k, (folder, planted) in enumerate(zip(folders, results, strict=True)):
                shard_landing = folder / "landing"
                for path in sorted(p for p in shard_landing.rglob("*") if p.is_file()):
                    _append(path, landing_dir / path.relative_to(shard_landing))
                shutil.rmtree(shard_landing)
                add_counts(dirt, planted)
                report(f"shard {k + 1}/{len(shards)} merged ({shards[k].customers} customers)")
        _merge_truth([f / "truth" for f in folders], params, landing_dir, truth_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dirt
