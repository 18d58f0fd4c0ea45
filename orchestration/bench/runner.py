"""Run a benchmark tier: full build from empty, one new day, a re-run with nothing new, and the
baseline script over the same landing files; write bench/results/<tier>-<date>.json and .md."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from orchestration.bench.compiled import run_compiled
from orchestration.bench.sampler import RssSampler
from orchestration.bench.tiers import Tier
from orchestration.project_yaml import read_yaml
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings
from orchestration.transform.project import parse_manifest

BASELINE_SQL = REPO_ROOT / "bench" / "baseline.sql"
RESULTS_DIR = REPO_ROOT / "bench" / "results"
STAGES = ("simulate", "ingest", "dbt", "checks", "publish", "report")
CHECK_SUFFIXES = ("_kpi_expectations",)  # a source's checks run in its ingest step
BASELINE_RUNNER = """
import sys, duckdb
sql = open(sys.argv[1]).read().replace("{landing}", sys.argv[2])
con = duckdb.connect(config={"threads": int(sys.argv[3]), "memory_limit": sys.argv[4]})
con.execute(sql)
"""


def stage_of(step_key: str) -> str:
    """The bench stage of a step of the nightly job."""
    if step_key == "cjm_dbt_assets":
        return "dbt"
    if step_key == "published_warehouse":
        return "publish"
    if step_key == "html_reports":
        return "report"
    if step_key.endswith(CHECK_SUFFIXES):
        return "checks"
    return "ingest"


def _mb(value: int) -> float:
    return round(value / 2**20, 1)


def _timed(command: list[str], env: dict[str, str]) -> tuple[int, float, RssSampler, str]:
    started = time.time()
    process = subprocess.Popen(
        command, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with RssSampler(process.pid) as sampler:
        output, _ = process.communicate()
    return process.returncode, time.time() - started, sampler, output


def _cjm() -> str:
    return str(Path(sys.executable).with_name("cjm"))


def ensure_tier_data(tier: Tier, settings: Settings, say: Callable[[str], None]) -> dict:
    """Simulate the tier once (history + one new day) into CJM_HOME/bench/<tier>/landing."""
    folder = settings.home / "bench" / tier.name
    meta_path = folder / "simulated.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["params"] == tier.as_dict():
            say(f"tier {tier.name}: simulated data cached in {folder / 'landing'}")
            return meta
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    say(f"tier {tier.name}: simulating {tier.customers:,} customers x {tier.days + 1} days ...")
    code, wall, sampler, output = _timed(
        [
            _cjm(),
            "simulate",
            "--customers",
            str(tier.customers),
            "--days",
            str(tier.days + 1),
            "--start",
            tier.start.isoformat(),
            "--seed",
            str(tier.seed),
            "--dirty-rate",
            "0",
            "--out",
            str(folder / "landing"),
        ],
        {**os.environ, **settings.child_env()},
    )
    if code != 0:
        raise RuntimeError(f"cjm simulate failed: {output[-2000:]}")
    meta = {
        "params": tier.as_dict(),
        "simulate_seconds": round(wall, 1),
        "simulate_peak_rss_mb": _mb(sampler.peak()),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


def _link_days(source: Path, target: Path, days: set[str]) -> None:
    for path in source.rglob("*"):
        if path.is_file() and path.parent.name in days:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            if not destination.exists():
                try:
                    os.link(path, destination)
                except OSError:
                    shutil.copy2(path, destination)


@contextlib.contextmanager
def _latest_run(home: Path):
    """(instance, latest run) of `home`'s Dagster instance."""
    import dagster as dg

    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    try:
        with dg.DagsterInstance.get() as instance:
            yield instance, instance.get_runs(limit=1)[0]
    finally:
        if previous is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = previous


def _step_windows(home: Path) -> list[tuple[str, float, float]]:
    """(step key, start, end) of the latest run recorded in `home`'s Dagster instance."""
    with _latest_run(home) as (instance, run):
        return [
            (s.step_key, s.start_time, s.end_time)
            for s in instance.get_run_step_stats(run.run_id)
            if s.start_time and s.end_time
        ]


def _web_load_seconds(home: Path) -> float | None:
    """The loader's own seconds on web events in the latest run (the step's `load_seconds`:
    without the source's checks, which judge the batch in the same step)."""
    import dagster as dg

    with _latest_run(home) as (instance, run):
        for record in instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records:
            materialization = record.event_log_entry.dagster_event.event_specific_data
            if materialization.materialization.asset_key == dg.AssetKey(["web", "events"]):
                seconds = materialization.materialization.metadata.get("load_seconds")
                return getattr(seconds, "value", seconds)
    return None


def _web_rows_read(home: Path) -> int:
    import duckdb

    with duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True) as con:
        row = con.execute(
            "select sum(rows_read) from raw.load_ledger where source = 'web' and batch_id = ("
            " select batch_id from raw.load_ledger where source = 'web'"
            " order by loaded_at desc limit 1)"
        ).fetchone()
    return int(row[0] or 0)


SLOWEST_SHOWN = 5  # models named in the Markdown summary; the JSON keeps every model


def dbt_profile(run_results: dict) -> dict:
    """Node seconds of a dbt invocation: models, tests, seeds, and every model, slowest first."""
    totals: dict[str, float] = {}
    models = []
    for node in run_results["results"]:
        kind = node["unique_id"].split(".", 1)[0]
        totals[kind] = totals.get(kind, 0.0) + node["execution_time"]
        if kind == "model":
            models.append((node["execution_time"], node["unique_id"].rsplit(".", 1)[1]))
    return {
        "node_seconds": {kind: round(seconds, 1) for kind, seconds in sorted(totals.items())},
        "models": [
            {"model": name, "seconds": round(seconds, 2)}
            for seconds, name in sorted(models, reverse=True)
        ],
    }


def _newest_run_target(since: float) -> Path | None:
    """The target folder of the newest dbt run that ended after `since`."""
    target = REPO_ROOT / "dbt_project" / "target"
    found = [p for p in target.glob("*/run_results.json") if p.stat().st_mtime >= since]
    if not found:
        return None
    return max(found, key=lambda p: p.stat().st_mtime).parent


def _scenario_env(home: Path, settings: Settings) -> dict[str, str]:
    env = {**os.environ, **settings.child_env(), "CJM_HOME": str(home)}
    env["DAGSTER_HOME"] = str(home / "dagster")
    return env


def run_scenario(name: str, home: Path, settings: Settings) -> dict:
    env = _scenario_env(home, settings)
    started = time.time()
    code, wall, sampler, output = _timed([_cjm(), "run"], env)
    if code != 0:
        raise RuntimeError(f"scenario {name}: cjm run exited {code}: {output[-3000:]}")
    stages: dict[str, dict] = {}
    for step, start, end in _step_windows(home):
        stage = stages.setdefault(stage_of(step), {"seconds": 0.0, "peak_rss_mb": 0.0})
        stage["seconds"] = round(stage["seconds"] + end - start, 2)
        stage["peak_rss_mb"] = max(stage["peak_rss_mb"], _mb(sampler.peak(start, end)))
    web_rows = _web_rows_read(home) if name != "no-op re-run" else 0
    web_seconds = _web_load_seconds(home) if web_rows else None
    run_target = _newest_run_target(started)
    run_results = json.loads((run_target / "run_results.json").read_text()) if run_target else None
    return {
        "scenario": name,
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": _mb(sampler.peak()),
        "stages": stages,
        "web_rows_ingested": web_rows,
        "web_rows_per_second": round(web_rows / web_seconds) if web_rows and web_seconds else None,
        "dbt": dbt_profile(run_results) if run_results else None,
        "run_target": str(run_target) if run_target else None,
    }


def run_baseline(landing: Path, settings: Settings) -> dict:
    code, wall, sampler, output = _timed(
        [
            sys.executable,
            "-c",
            BASELINE_RUNNER,
            str(BASELINE_SQL),
            str(landing),
            str(settings.duckdb_threads),
            settings.duckdb_memory_limit,
        ],
        {**os.environ},
    )
    if code != 0:
        raise RuntimeError(f"baseline.sql failed: {output[-2000:]}")
    return {"wall_seconds": round(wall, 1), "peak_rss_mb": _mb(sampler.peak())}


def run_tier(
    tier: Tier,
    settings: Settings,
    say: Callable[[str], None],
    command: str = "",
    save: Callable[[dict], None] | None = None,
) -> dict:
    """Full build, one new day, no-op re-run, then the baseline over the same history.

    `save` receives the result after each step, so a long tier keeps what it measured.
    """
    simulated = ensure_tier_data(tier, settings, say)
    folder = settings.home / "bench" / tier.name
    landing = folder / "landing"
    days = [(tier.start + dt.timedelta(days=i)).isoformat() for i in range(tier.days + 1)]
    home, baseline_landing = folder / "home", folder / "baseline-landing"
    for stale in (home, baseline_landing):
        shutil.rmtree(stale, ignore_errors=True)
    _link_days(landing, home / "landing", set(days[:-1]))
    _link_days(landing, baseline_landing, set(days[:-1]))
    result = {
        **tier.as_dict(),
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
            "duckdb_threads": settings.duckdb_threads,
            "duckdb_memory_limit": settings.duckdb_memory_limit,
        },
        "commit": _commit(),
        "command": command,
        "scenarios": [],
        "baseline": None,
        "full_build_vs_baseline": None,
        "compiled_sql": None,
    }
    save = save or (lambda _: None)
    # The manifest as a nightly run finds it (parsed for this warehouse's profile): the full
    # re-parse after a code change or in another CJM_HOME is a one-off, not what is measured.
    parse_manifest(_scenario_env(home, settings))
    say(f"tier {tier.name}: (a) full build of {tier.days} days from empty ...")
    full = run_scenario("full build", home, settings)
    full["stages"]["simulate"] = {
        "seconds": simulated["simulate_seconds"],
        "peak_rss_mb": simulated["simulate_peak_rss_mb"],
    }
    result["scenarios"].append(full)
    save(result)
    build_db = home / "warehouse" / "build.duckdb"
    # The compiled run copies the build's inputs and writes every model again: about twice
    # the warehouse (tier M: more than the disk has left after its full build).
    needed = 2 * build_db.stat().st_size if build_db.exists() else 0
    free = shutil.disk_usage(folder).free
    if full["run_target"] and needed > free:
        result["compiled_sql"] = {
            "skipped": f"needs about {needed / 2**30:.0f} GiB of disk, {free / 2**30:.0f} free"
        }
    elif full["run_target"]:
        say(f"tier {tier.name}: the full build's compiled SQL straight in DuckDB ...")
        result["compiled_sql"] = run_compiled(
            build_db,
            Path(full["run_target"]),
            folder / "compiled",
            settings.duckdb_threads,
            settings.duckdb_memory_limit,
            read_yaml(DBT_PROJECT_DIR / "dbt_project.yml")["vars"]["build_slice_rows"],
        )
        save(result)
    say(f"tier {tier.name}: (b) nightly run adding day {days[-1]} ...")
    _link_days(landing, home / "landing", {days[-1]})
    result["scenarios"].append(run_scenario("one new day", home, settings))
    save(result)
    say(f"tier {tier.name}: (c) re-run with nothing new ...")
    result["scenarios"].append(run_scenario("no-op re-run", home, settings))
    save(result)
    if tier.micro_batch:
        say(f"tier {tier.name}: (d) a landed file to its publication under `cjm serve` ...")
        result["micro_batch"] = run_micro_batch(home, settings, days[-1])
        save(result)
    say(f"tier {tier.name}: baseline.sql over the same {tier.days} days of landing files ...")
    result["baseline"] = run_baseline(baseline_landing, settings)
    result["full_build_vs_baseline"] = round(
        full["wall_seconds"] / result["baseline"]["wall_seconds"], 2
    )
    save(result)
    return result


MICRO_BATCH_SECONDS = 5  # the sensor's interval in the scenario (the setting's default: 60)
MICRO_BATCH_TIMEOUT = 900


def run_micro_batch(home: Path, settings: Settings, day: str) -> dict:
    """`cjm serve --micro-batch 5` on the built home: the seconds from a file landing (a CRM
    export of the next day, one customer changed) to the publication that holds it, and from
    SIGTERM to the service gone."""
    from orchestration.publish.writer import latest_publication

    home_settings = Settings.from_env(home=home)
    before = latest_publication(home_settings)["run_id"]
    service = subprocess.Popen(
        [_cjm(), "serve", "--micro-batch", str(MICRO_BATCH_SECONDS)],
        env=_scenario_env(home, settings),
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        next_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
        [delivered] = (home / "landing" / "crm" / day).glob("*.csv")
        header, first = delivered.read_text().splitlines()[:2]
        # one customer changed the next day (updated_at is the simulator's last column): an
        # identical file would be recognised as the same delivery and load nothing
        changed = first.rsplit(",", 1)[0] + f",{next_day} 02:00:00"
        folder = home / "landing" / "crm" / next_day
        folder.mkdir(parents=True, exist_ok=True)
        landed = time.time()
        (folder / delivered.name).write_text(f"{header}\n{changed}\n")
        published = None
        while time.time() - landed < MICRO_BATCH_TIMEOUT and service.poll() is None:
            time.sleep(1)
            latest = latest_publication(home_settings)
            if latest["run_id"] != before:
                published = time.time() - landed
                break
    finally:
        stopping = time.time()
        service.terminate()
        service.wait(timeout=60)
        stopped = time.time() - stopping
    return {
        "interval_seconds": MICRO_BATCH_SECONDS,
        "landed_to_published_seconds": None if published is None else round(published, 1),
        "sigterm_to_stopped_seconds": round(stopped, 1),
    }


def _commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def markdown(result: dict) -> str:
    lines = [
        f"# Benchmark tier {result['tier']}: {result['customers']:,} customers x "
        f"{result['days']} days",
        "",
        f"Measured {result['measured_at']} at commit {result['commit']} on "
        f"{result['machine']['cpus']} CPUs / {result['machine']['memory_gb']} GiB (DuckDB threads "
        f"{result['machine']['duckdb_threads']}, memory_limit "
        f"{result['machine']['duckdb_memory_limit']}). "
        f"Command: `{result['command']}`.",
        "",
        "| scenario | total s | peak RSS MiB | "
        + " | ".join(f"{s} s (MiB)" for s in STAGES)
        + " | web rows/s |",
        "|---|---:|---:|" + "---:|" * len(STAGES) + "---:|",
    ]
    for scenario in result["scenarios"]:
        cells = []
        for stage in STAGES:
            found = scenario["stages"].get(stage)
            cells.append(f"{found['seconds']:.1f} ({found['peak_rss_mb']:.0f})" if found else "")
        rate = scenario["web_rows_per_second"]
        lines.append(
            f"| {scenario['scenario']} | {scenario['wall_seconds']:.1f} | "
            f"{scenario['peak_rss_mb']:.0f} | " + " | ".join(cells) + f" | {rate or ''} |"
        )
    baseline = result["baseline"]
    if baseline:
        lines.append(
            f"| baseline.sql | {baseline['wall_seconds']:.1f} | {baseline['peak_rss_mb']:.0f} | "
            + " | " * (len(STAGES) - 1)
            + " | |"
        )
    lines += [
        "",
        f"Full build / baseline: **{result['full_build_vs_baseline']}x**. Stage seconds are the "
        "Dagster step durations (ingest includes each source's ledger and batch-rule checks; "
        "dbt includes its tests; checks are the KPI tables' Great Expectations checks); the "
        "total includes process start and loading the definitions. The simulate stage is "
        "measured once, when the tier's data is first simulated.",
        "",
    ]
    micro = result.get("micro_batch")
    if micro:
        lines += [
            f"Micro-batch (`cjm serve --micro-batch {micro['interval_seconds']}`, a CRM file "
            "of one changed customer landed on the built home): published "
            + (
                f"**{micro['landed_to_published_seconds']:.0f} s** after it landed"
                if micro["landed_to_published_seconds"] is not None
                else f"**not within {MICRO_BATCH_TIMEOUT} s**"
            )
            + f" (the file settles 10 s first); the service stopped "
            f"{micro['sigterm_to_stopped_seconds']:.1f} s after SIGTERM.",
            "",
        ]
    compiled = result.get("compiled_sql")
    if compiled and "skipped" in compiled:
        lines += [
            f"The full build's compiled SQL straight in DuckDB: not run ({compiled['skipped']}).",
            "",
        ]
    elif compiled and result["scenarios"]:
        full = result["scenarios"][0]
        dbt_step = full["stages"].get("dbt", {}).get("seconds", 0.0)
        lines += [
            f"The full build's compiled SQL straight in one DuckDB connection (no dbt, Dagster, "
            f"ledger or checks; {compiled['models']} SQL models, the Python models' tables "
            f"copied): **{compiled['seconds']:.1f} s**, against its dbt step {dbt_step:.1f} s "
            f"({dbt_step / compiled['seconds']:.1f}x, with the data tests) and the whole run "
            f"{full['wall_seconds']:.1f} s ({full['wall_seconds'] / compiled['seconds']:.1f}x); "
            "slowest: "
            + ", ".join(f"{m['model']} {m['seconds']:.1f} s" for m in compiled["slowest"])
            + ".",
            "",
        ]
    for scenario in result["scenarios"]:
        dbt = scenario.get("dbt")
        if dbt:
            nodes = ", ".join(f"{kind}s {s:.1f} s" for kind, s in dbt["node_seconds"].items())
            slowest = ", ".join(
                f"{m['model']} {m['seconds']:.1f} s" for m in dbt["models"][:SLOWEST_SHOWN]
            )
            lines.append(
                f"- {scenario['scenario']}: dbt node time {nodes} (4 at once); "
                f"slowest models: {slowest}."
            )
    return "\n".join(lines) + "\n"


def write_results(result: dict, out_dir: Path = RESULTS_DIR) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{result['tier']}-{result['measured_at'][:10]}"
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path
