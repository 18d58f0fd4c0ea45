"""Real feeds are dirty: the simulator's default dirt publishes, quarantined and counted.

Three weeks of a weekly cycle (quiet weekends), simulated twice with one seed: at the default
dirt rate and clean. The dirty one goes through `cjm run`: it must publish, keep out exactly the
rows the simulator planted (per rule), count the duplicates it planted, and publish the same
KPIs as the clean one, which the loader and dbt build without Dagster (`build_without_dagster`):
every fault sits beside an intact record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.simulator import SimulationParams, simulate
from orchestration.simulator.dirt import DUPLICATE_KINDS
from tests.conftest import build_without_dagster, run_cjm

pytestmark = pytest.mark.slow
PARAMS = {"customers": 2000, "days": 22, "seed": 5, "start": dt.date(2026, 9, 7)}  # a Monday


def _simulated_home(root: Path, dirty_rate: float | None) -> Path:
    home = root / "home"
    kwargs = {} if dirty_rate is None else {"dirty_rate": dirty_rate}
    simulate(SimulationParams(**PARAMS, **kwargs), home / "landing", home / "truth")
    return home


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, object]:
    home = _simulated_home(tmp_path_factory.mktemp("dirty"), None)  # the default rate
    return home, run_cjm(home, "run")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """The clean twin's warehouse (build.duckdb)."""
    home = _simulated_home(tmp_path_factory.mktemp("clean"), 0.0)
    build_without_dagster(home)
    return home / "warehouse/build.duckdb"


def test_the_default_dirty_sample_publishes(dirty) -> None:
    home, result = dirty
    assert result.returncode == 0, result.stderr[-3000:]
    truth = json.loads((home / "truth/summary.json").read_text())
    assert truth["params"]["dirty_rate"] == 0.002
    assert sum(truth["kept_out_by_rule"].values()) > 0


def test_rows_kept_out_per_rule_are_the_planted_ones(dirty) -> None:
    home, _ = dirty
    truth = json.loads((home / "truth/summary.json").read_text())
    with duckdb.connect(str(home / "warehouse/build.duckdb"), read_only=True) as con:
        kept_out = dict(
            con.execute(
                "select source || '/' || rule, count(*) from raw.rejected_rows group by all"
            ).fetchall()
        )
        exact, conflicting = con.execute(
            "select sum(duplicates_exact), sum(duplicates_conflicting) from raw.load_ledger"
        ).fetchone()
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        published = dict(
            con.execute(
                "select source || '/' || rule, sum(rows_rejected) from meta.rejects_by_reason"
                " group by all"
            ).fetchall()
        )
    assert kept_out == truth["kept_out_by_rule"]
    assert published == kept_out  # counted in the published file too (never the raw text)
    planted = truth["dirt"]
    for kinds, counted in zip(DUPLICATE_KINDS, (exact, conflicting), strict=True):
        assert counted == sum(n for s in planted.values() for k, n in s.items() if k in kinds)
    assert exact > 0 and conflicting > 0


def _rounded(rows: list[tuple]) -> list[tuple]:
    """Rows sorted, floats to 9 significant digits (a sum's order changes its last bits)."""
    return sorted(
        (tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row) for row in rows),
        key=repr,
    )


def test_the_planted_dirt_changes_no_published_kpi(dirty, clean) -> None:
    dirty_home, _ = dirty
    with (
        duckdb.connect(str(dirty_home / "warehouse/cjm.duckdb"), read_only=True) as a,
        duckdb.connect(str(clean), read_only=True) as b,
    ):
        tables = [
            t
            for (t,) in a.execute(
                "select table_name from information_schema.tables where table_schema = 'kpi'"
                " order by 1"
            ).fetchall()
        ]
        assert len(tables) >= 10
        for table in tables:
            dirty_rows = _rounded(a.execute(f"select * from kpi.{table}").fetchall())
            clean_rows = _rounded(b.execute(f"select * from kpi.{table}").fetchall())
            assert dirty_rows and dirty_rows == clean_rows, table


def test_a_weekly_cycle_passes_the_volume_band(dirty) -> None:
    """Weekends are quiet (20-40 % of a weekday), and every day published in one run."""
    home, _ = dirty
    daily = pd.read_csv(home / "truth/daily.csv", parse_dates=["day"])
    weekend = daily.day.dt.day_of_week >= 5
    ratio = daily.contacts[weekend].mean() / daily.contacts[~weekend].mean()
    assert 0.2 <= ratio <= 0.4
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        [(passed, description)] = con.execute(
            "select passed, description from meta.check_results"
            " where asset_key = 'contact_center/contacts' and check_name = 'raw_expectations'"
        ).fetchall()
        days = con.execute(
            "select count(distinct day) from meta.load_ledger where source = 'contact_center'"
        ).fetchone()[0]
    assert passed, description
    assert days == PARAMS["days"]


@pytest.fixture(scope="module")
def contact_centre_only(dirty, tmp_path_factory) -> Path:
    """A first deployment: the telephony export only (no web, survey or CRM yet), built and
    published without Dagster (a platform alone through a whole `cjm run`: test_vendors.py)."""
    home = tmp_path_factory.mktemp("cc-only") / "home"
    shutil.copytree(dirty[0] / "landing/contact_center", home / "landing/contact_center")
    build_without_dagster(home, publish_and_report=True)
    return home


def test_a_contact_centre_only_deployment_publishes_honest_no_data(contact_centre_only) -> None:
    home = contact_centre_only
    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        assert con.execute(
            "select source, feeds, has_data from marts.dim_source order by 1"
        ).fetchall() == [
            ("amazon_connect", "contact_center", False),
            ("contact_center", "contact_center", True),
            ("crm", "crm", False),
            ("ga4", "web", False),
            ("genesys_cloud", "contact_center", False),
            ("hubspot", "crm", False),
            ("hubspot_companies", "crm", False),
            ("hubspot_contact_merges", "crm", False),
            ("qualtrics", "survey", False),
            ("qualtrics_embedded_data", "survey", False),
            ("qualtrics_question_responses", "survey", False),
            ("qualtrics_survey_responses", "survey", False),
            ("salesforce", "crm", False),
            ("salesforce_accounts", "crm", False),
            ("snowplow", "web", False),
            ("survey", "survey", False),
            ("twilio", "contact_center", False),
            ("twilio_messages", "contact_center", False),
            ("web", "web", False),
            ("zendesk_ticket_comments", "contact_center", False),
            ("zendesk_tickets", "contact_center", False),
            ("zendesk_users", "contact_center", False),
        ]
        # stages whose next stage only web, survey or CRM data can show: no data, not 0
        unobservable = con.execute(
            "select count(*), count(stage_conversion_rate), count(journey_breaks)"
            " from kpi.kpi_journey_stages where next_stage in ('purchase', 'loyalty')"
        ).fetchone()
        assert unobservable[0] > 0 and unobservable[1:] == (0, 0)
        # FCR only over known customers, with their share of contacts beside it
        known, episodes, share = con.execute(
            "select sum(known_customer_episodes), sum(episodes),"
            " sum(known_customer_contacts) / sum(contacts) from kpi.kpi_service_daily"
        ).fetchone()
        assert 0 < known < episodes and 0 < share < 1
        assert con.execute("select count(*) from kpi.kpi_voc").fetchone() == (0,)
    overview = (home / "reports/index.html").read_text()
    for kpi in ("kpi_voc.nps", "kpi_churn_monthly.churn_rate", "kpi_journey_stages."):
        card = overview[overview.index(f'data-kpi="{kpi}') :]
        card = card[: card.index('<div class="card"') if '<div class="card"' in card else None]
        assert "no data" in card[:600] and "on target" not in card[:600], kpi
    assert "of contacts from known customers" in overview
    assert "No data yet from: crm, survey, web" in overview
    voc = (home / "reports/voc.html").read_text()
    assert 'id="no-data-' in voc and "<b>survey</b>" in voc
    assert 'id="chart-voc-dimensions"' not in voc  # no empty axes


def test_stage_conversion_rolls_up_by_its_own_denominator(dirty) -> None:
    """30 days of conversion = converted / (converted + breaks) over the rows, as the formula
    says: the roll-up weight is the formula's denominator, not the customers entering."""
    from reports.rollup import find_kpi, headline_kpis, rollup

    home, _ = dirty

    with duckdb.connect(str(home / "warehouse/cjm.duckdb"), read_only=True) as con:
        headline = find_kpi(headline_kpis(con), "kpi_journey_stages", "stage_conversion_rate")
        kpi = dataclasses.replace(headline, row_filter=None)  # every step, as the funnel page
        rolled = rollup(con, kpi)["value"].iloc[0]
        [(formula,)] = con.execute(
            "select sum(customers_converted) / sum(customers_converted + journey_breaks)"
            " from kpi.kpi_journey_stages where stage_conversion_rate is not null"
        ).fetchall()
        rows = con.execute(
            "select count(*) from kpi.kpi_journey_stages where stage_conversion_rate is not null"
        ).fetchone()[0]
    assert rows > 1  # several rows, so a wrong weight shows
    assert formula is not None and rolled == pytest.approx(formula)
