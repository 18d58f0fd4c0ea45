"""Change impact on a simulated month with the demo's planted changes (issue 19).

The simulator plants, from 2026-09-15, a bot flow that contains 20 points more (C1) and a voice
staffing cut that makes queue waits 2.5 times as long (C2), and logs a placebo on 2026-09-12 (P1)
with nothing planted; seeds/change_log.csv names the same three. After a real `cjm run`, the
warehouse finds C1 improved with the planted 20 points inside its interval, C2 worse, and P1
no detectable change.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.conftest import run_cjm

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def impact(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    home = tmp_path_factory.mktemp("changes") / "home"
    result = run_cjm(
        home,
        "simulate",
        "--customers",
        "8000",
        "--days",
        "30",
        "--seed",
        "23",
        "--dirty-rate",
        "0",
        "--workers",
        "1",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_cjm(home, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        frame = con.execute("select * from kpi.kpi_change_impact").df()
    return {(r["change_id"], r["kpi"]): r for r in frame.to_dict("records")}


def test_the_planted_bot_flow_is_found_with_its_true_size_inside_the_interval(impact) -> None:
    from orchestration.simulator.params import SimulationParams

    planted = {change_id: size for change_id, _, _, size in SimulationParams().changes}
    row = impact["C1", "kpi_self_service_daily.containment_rate"]
    assert row["verdict"] == "improved"
    # containment is contained / sessions: the planted 20 points more is the true effect
    assert row["did_difference_low"] <= planted["C1"] <= row["did_difference_high"]


def test_the_planted_staffing_cut_makes_the_speed_of_answer_worse(impact) -> None:
    row = impact["C2", "kpi_contact_centre_daily.average_speed_of_answer_seconds"]
    assert row["verdict"] == "worse" and row["did_difference"] > 0


def test_the_placebo_shows_no_detectable_change(impact) -> None:
    placebo = {k: r for k, r in impact.items() if k[0] == "P1"}
    assert placebo and {r["verdict"] for r in placebo.values()} == {"no detectable change"}
