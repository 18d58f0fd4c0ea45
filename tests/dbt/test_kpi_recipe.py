"""Adding a KPI by the recipe in docs/kpis.md, with no Python edit, puts it under the range gate
and into the reports' roll-up.

The test copies the dbt project, adds exactly what the recipe says (a kpi_* model, its YAML with
`ratio_of` and `value_between` tests, a row in seeds/kpi_targets.csv), builds the new model and
the published KPI catalogue with dbt, then reads them as the gate and the reports do.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from expectations import suites
from expectations.validation import validate
from orchestration.quality import rules
from orchestration.settings import DBT_PROJECT_DIR, Settings
from reports.rollup import find_kpi, headline_kpis, rollup

pytestmark = pytest.mark.slow  # a real dbt build of a copied project: the slow lane

MODEL_SQL = """
with

attempts as (

    select * from (values
        (date '2026-01-01', 3, 4),
        (date '2026-01-02', 1, 6)
    ) as t (date_day, hits, tries)

),

final as (

    select
        attempts.date_day,
        cast(attempts.hits as bigint) as hits,
        cast(attempts.tries as bigint) as tries,
        {{ ratio('attempts.hits', 'attempts.tries') }} as hit_rate
    from attempts

)

select * from final
"""

MODEL_YAML = """
version: 2
models:
  - name: kpi_recipe_demo
    description: A KPI added by the recipe.
    columns:
      - name: date_day
        data_type: date
      - name: hits
        data_type: bigint
      - name: tries
        data_type: bigint
      - name: hit_rate
        data_type: double
        data_tests:
          - ratio_of:
              arguments: {numerator: hits, denominator: tries}
          - value_between:
              arguments: {min_value: 0, max_value: 1}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("recipe") / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    kpi = copy / "models/marts/kpi"
    (kpi / "kpi_recipe_demo.sql").write_text(MODEL_SQL)
    (kpi / "_kpi_recipe_demo__models.yml").write_text(MODEL_YAML)
    with (copy / "seeds/kpi_targets.csv").open("a") as seed:
        seed.write("kpi_recipe_demo,hit_rate,Hit rate,0.5,at_least,ratio,date_day,,,,\n")
    return copy


@pytest.fixture(scope="module")
def built(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    settings = dataclasses.replace(Settings.from_env(), home=home)
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--select",
            "+kpi_headline_targets",
            "kpi_recipe_demo",
        ],
        cwd=project,
        env={**os.environ, **settings.child_env(), "DBT_PROFILES_DIR": str(project)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return settings.build_db


def test_the_new_kpi_is_under_the_range_gate(project: Path, built: Path) -> None:
    ranges = rules.kpi_ranges(project)
    assert ranges["kpi_recipe_demo"] == (("hit_rate", 0, 1),)
    con = duckdb.connect(str(built), read_only=True)
    try:
        frame = con.execute("select * from kpi.kpi_recipe_demo").df()
    finally:
        con.close()
    assert validate("recipe", frame, suites.kpi_suite(ranges["kpi_recipe_demo"])).success
    frame.loc[0, "hit_rate"] = 1.5  # a value outside its range is caught by the same suite
    outcome = validate("recipe", frame, suites.kpi_suite(ranges["kpi_recipe_demo"]))
    assert not outcome.success and "hit_rate" in outcome.failures[0]


def test_the_new_kpi_rolls_up_by_its_own_numerator_and_denominator(built: Path) -> None:
    con = duckdb.connect(str(built), read_only=True)
    try:
        definition = con.execute(
            "select numerator, denominator, scale, min_value, max_value"
            " from kpi.kpi_definitions where kpi_model = 'kpi_recipe_demo'"
        ).fetchall()
        assert definition == [("hits", "tries", 1.0, 0.0, 1.0)]
        kpi = find_kpi(headline_kpis(con), "kpi_recipe_demo", "hit_rate")
        assert (kpi.name, kpi.target, kpi.numerator, kpi.denominator) == (
            "Hit rate",
            0.5,
            "hits",
            "tries",
        )
        # (3 + 1) hits / (4 + 6) tries = 0.4, not the mean of the daily rates (0.4583)
        total = rollup(con, kpi)
        assert total["value"].iloc[0] == pytest.approx(0.4)
        assert total["weight"].iloc[0] == 10
    finally:
        con.close()
