"""The bench's pure parts: stage of each step, memory of a process tree, the results table."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from orchestration.bench.runner import STAGES, markdown, stage_of
from orchestration.bench.sampler import RssSampler, tree_rss_bytes


def test_every_step_of_the_nightly_job_has_a_stage() -> None:
    from orchestration.definitions import build_definitions
    from orchestration.settings import Settings

    job = build_definitions(Settings.from_env()).resolve_job_def("nightly")
    stages = {node.name: stage_of(node.name) for node in job.graph.node_defs}
    assert set(stages.values()) <= set(STAGES)
    assert stages["web__events"] == "ingest"
    assert stages["cjm_dbt_assets"] == "dbt"
    assert stages["published_warehouse"] == "publish"
    assert stages["html_reports"] == "report"
    assert stage_of("kpi__kpi_voc_kpi_expectations") == "checks"


def test_tree_rss_counts_children() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "x = bytearray(200 * 2**20); import time; time.sleep(30)"]
    )
    try:
        with RssSampler(os.getpid(), interval=0.05) as sampler:
            for _ in range(100):
                if tree_rss_bytes(child.pid) > 200 * 2**20:
                    break
                sampler._stop.wait(0.05)
        own = tree_rss_bytes(os.getpid())
        assert own > tree_rss_bytes(child.pid) > 200 * 2**20
        assert sampler.peak() > 200 * 2**20
    finally:
        child.kill()
        child.wait()


def test_markdown_shows_stages_and_the_ratio() -> None:
    result = {
        "tier": "S",
        "customers": 10_000,
        "days": 30,
        "measured_at": "2026-11-23T02:00:00Z",
        "commit": "abc1234",
        "command": "cjm bench --tier S",
        "machine": {"cpus": 2, "memory_gb": 24, "duckdb_threads": 2, "duckdb_memory_limit": "8GB"},
        "scenarios": [
            {
                "scenario": "full build",
                "wall_seconds": 60.0,
                "peak_rss_mb": 900.0,
                "stages": {
                    "ingest": {"seconds": 10.0, "peak_rss_mb": 500.0},
                    "dbt": {"seconds": 30.0, "peak_rss_mb": 900.0},
                },
                "web_rows_per_second": 80000,
            }
        ],
        "baseline": {"wall_seconds": 3.0, "peak_rss_mb": 300.0},
        "full_build_vs_baseline": 20.0,
        "compiled_sql": {
            "seconds": 5.0,
            "models": 70,
            "python_models_copied": ["int_tags"],
            "slowest": [{"model": "fct_a", "seconds": 2.0}],
        },
    }
    text = markdown(result)
    assert "**5.0 s**, against its dbt step 30.0 s (6.0x" in text
    assert "the whole run 60.0 s (12.0x)" in text
    assert "| full build | 60.0 | 900 |  | 10.0 (500) | 30.0 (900) |" in text
    assert "| baseline.sql | 3.0 | 300 |" in text
    assert "**20.0x**" in text
    assert "`cjm bench --tier S`" in text


def test_dbt_profile_sums_node_time_by_kind() -> None:
    from orchestration.bench.runner import dbt_profile

    results = {
        "results": [
            {"unique_id": "model.cjm.fct_a", "execution_time": 3.0},
            {"unique_id": "model.cjm.fct_b", "execution_time": 1.0},
            {"unique_id": "test.cjm.unique_fct_a_id.1234", "execution_time": 0.25},
            {"unique_id": "test.cjm.not_null_fct_a_id.5678", "execution_time": 0.5},
            {"unique_id": "seed.cjm.channels", "execution_time": 0.2},
        ]
    }
    profile = dbt_profile(results)
    assert profile["node_seconds"] == {"model": 4.0, "seed": 0.2, "test": 0.8}
    assert profile["models"] == [
        {"model": "fct_a", "seconds": 3.0},
        {"model": "fct_b", "seconds": 1.0},
    ]


def _model(
    name: str, schema: str, materialized: str, sql: str, parents=(), language="sql", pre_hook=""
):
    return {
        "resource_type": "model",
        "name": name,
        "alias": name,
        "schema": schema,
        "language": language,
        "package_name": "cjm",
        "config": {
            "materialized": materialized,
            "pre-hook": [{"sql": pre_hook, "transaction": True, "index": None}] if pre_hook else [],
        },
        "depends_on": {"nodes": [f"model.cjm.{p}" for p in parents]},
        "compiled_code": sql,
    }


def test_the_compiled_sql_runs_straight_in_duckdb_in_dependency_order(tmp_path) -> None:
    """`cjm bench` times the full build's own SQL without dbt: each model after its parents,
    from a copy of what the models read; a Python model's table is copied, not run; a sliced
    model is built in the slices its hooks would make (4 rows, 3 a slice: 2 slices)."""
    import duckdb

    from orchestration.bench.compiled import models_in_order, run_compiled

    build = tmp_path / "home/build.duckdb"
    build.parent.mkdir()
    with duckdb.connect(str(build)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.events as select range as n from range(10)")
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_tags as select 1 as tag")
    nodes = {  # named so that sorting by id alone would put the children first
        "model.cjm.a_fct": _model(
            "a_fct",
            "marts",
            "incremental",
            'select count(*) as events from "build"."staging"."z_stg"',
            ["z_stg"],
        ),
        "model.cjm.z_stg": _model(
            "z_stg", "staging", "view", 'select n from "build"."raw"."events" where n < 4'
        ),
        "model.cjm.int_tags": _model("int_tags", "intermediate", "table", "", language="python"),
        "model.cjm.m_sliced": _model(
            "m_sliced",
            "marts",
            "incremental",
            "select n, getvariable('cjm_build_slice') as slice"
            ' from "build"."staging"."z_stg"'
            " where hash('c' || n) % coalesce(getvariable('cjm_build_slices'), 1)"
            " = coalesce(getvariable('cjm_build_slice'), 0)",
            ["z_stg"],
            pre_hook="{{ start_sliced_build(ref('z_stg')) }}",
        ),
        "model.cjm.n_check": _model(
            "n_check",
            "marts",
            "table",
            "select case when count(*) = 4 and count(distinct slice) = 2 then 1"
            " else error('not every row in its slice') end as ok"
            ' from "build"."marts"."m_sliced"',
            ["m_sliced"],
        ),
    }
    manifest = {"nodes": nodes}
    assert [n["name"] for n in models_in_order(manifest)][:2] == ["z_stg", "a_fct"]
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps(manifest))
    work = tmp_path / "work"
    result = run_compiled(build, target, work, threads=1, memory_limit="1GB", slice_rows=3)
    assert result["models"] == 4
    assert result["python_models_copied"] == ["int_tags"]
    assert not work.exists()
