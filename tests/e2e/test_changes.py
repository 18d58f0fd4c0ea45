"""A simulated month with the demo's planted changes and planted verbatim themes (issue 19).

The simulator plants, from 2026-09-15, a bot flow that contains 20 points more (C1) and a voice
staffing cut that makes queue waits 2.5 times as long (C2), and logs a placebo on 2026-09-12 (P1)
with nothing planted; seeds/change_log.csv names the same three. After a real `cjm run`, the
warehouse finds C1 improved with the planted 20 points inside its interval, C2 worse, and P1
no detectable change; and it tags the verbatims with the themes the simulator made them of.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cjm

pytestmark = [pytest.mark.slow, pytest.mark.long]


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with 8,000 customers x 30 days simulated (truth/ beside landing/) and run."""
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
    return home


@pytest.fixture(scope="module")
def impact(month: Path) -> dict[tuple[str, str], dict]:
    with duckdb.connect(str(month / "warehouse/cjm.duckdb"), read_only=True) as con:
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


def test_warehouse_finds_the_verbatim_themes_the_simulator_planted(month: Path) -> None:
    """The themes tagged by the seed rules against the themes each simulated verbatim was made
    of (truth/verbatim_themes.csv), over every loaded response with a verbatim. The phrases are
    the rules' vocabulary, so this proves the wiring; tests/transform measures the rules."""
    import csv

    planted = {
        row["response_id"]: set(row["themes"].split())
        for row in csv.DictReader((month / "truth/verbatim_themes.csv").open())
    }
    with duckdb.connect(str(month / "warehouse/build.duckdb"), read_only=True) as con:
        responses = [
            r[0]
            for r in con.execute(
                "select response_id from marts.fct_survey_responses where verbatim is not null"
            ).fetchall()
        ]
        found: dict[str, set[str]] = {}
        for response_id, theme in con.execute(
            "select response_id, theme from marts.fct_response_themes"
        ).fetchall():
            found.setdefault(response_id, set()).add(theme)
    assert len(responses) > 300 and sum(bool(planted.get(r)) for r in responses) > 100
    tp = sum(len(found.get(r, set()) & planted[r]) for r in responses)
    fp = sum(len(found.get(r, set()) - planted[r]) for r in responses)
    fn = sum(len(planted[r] - found.get(r, set())) for r in responses)
    assert tp / (tp + fp) >= 0.85 and tp / (tp + fn) >= 0.75, (tp, fp, fn)
