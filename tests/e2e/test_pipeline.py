"""The whole nightly job, for real: `cjm simulate` then `cjm run` in new processes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.sources import SOURCES
from tests.conftest import E2E_HISTORY_DAYS, e2e_day, run_cjm, run_dbt

pytestmark = pytest.mark.slow
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)


@pytest.fixture(scope="module")
def home(published_run) -> Path:
    return published_run[0]


@pytest.fixture(scope="module")
def first_run(published_run) -> subprocess.CompletedProcess:
    return published_run[1]


def _db(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse/build.duckdb"), read_only=True)


def test_run_succeeds_and_builds_staging(home: Path, first_run) -> None:
    assert first_run.returncode == 0, first_run.stderr[-3000:]
    assert "succeeded" in first_run.stderr and "published" in first_run.stderr
    # one line per step, with what it did and how long it took
    with _db(home) as con:
        files, rows = con.execute(
            "select count(*), sum(rows_read) from raw.load_ledger where source = 'web'"
        ).fetchone()
    assert re.search(
        rf"web__events: {files} files loaded, 0 rejected whole; {rows} rows read, 0 kept out"
        r" \(\d+\.\d s\)",
        first_run.stderr,
    ), first_run.stderr[-3000:]
    assert re.search(r"cjm_dbt_assets: \d+ models built \(", first_run.stderr)
    assert re.search(r"dbt: (\d+) of \1 data tests passed\n", first_run.stderr)
    assert re.search(r"published_warehouse: \d+ tables \(\d+ rows\) published", first_run.stderr)
    # dbt's stream is in the run log, not on the terminal: a progress line per quarter instead
    terminal = (first_run.stdout + first_run.stderr).splitlines()
    assert not [line for line in terminal if re.match(r"\s*\d+ of \d+ (START|OK|PASS) ", line)]
    assert "dbt: " in first_run.stderr and "nodes done" in first_run.stderr
    assert len(terminal) < 200, len(terminal)
    log = max((home / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime).read_text()
    assert " START sql " in log  # ... all of it
    with _db(home) as con:
        views = {
            r[0]
            for r in con.execute(
                "select view_name from duckdb_views() where schema_name = 'staging'"
            ).fetchall()
        }
        assert views == {
            "stg_loader__files",
            "stg_contact_center__contacts",
            "stg_web__events",
            "stg_survey__responses",
            "stg_crm__customers",
            # the vendors' legs: views over empty raw tables in this home
            "stg_amazon_connect__legs",
            "stg_genesys_cloud__legs",
            "stg_twilio__legs",
            "stg_twilio__message_legs",
            "stg_qualtrics__responses",
            "stg_qualtrics__connector_responses",
            "stg_zendesk__legs",
            # the web analytics tools' events
            "stg_ga4__events",
            "stg_snowplow__events",
            # the CRMs' contacts and merges
            "stg_salesforce__contacts",
            "stg_salesforce__contact_merges",
            "stg_hubspot__contacts",
            "stg_hubspot__contact_merges",
        }
        [(raw,)] = con.execute("select count(*) from raw.contact_center__contacts").fetchall()
        [(stg,)] = con.execute(
            "select count(*) from staging.stg_contact_center__contacts"
        ).fetchall()
        [(dupes,)] = con.execute(
            "select count(*) - count(distinct contact_id) from raw.contact_center__contacts"
        ).fetchall()
        assert stg == raw - dupes


def test_status_shows_a_reconciling_ledger(home: Path, first_run) -> None:
    status = run_cjm(home, "status")
    # the sample's data ends in September 2026: past published_max_age_days, so stale (exit 1)
    assert status.returncode == 1, status.stderr
    assert "published data: STALE" in status.stdout
    rows = [
        line.split()
        for line in status.stdout.splitlines()
        if line.split()[:1]
        and line.split()[0] in {"contact_center", "web", "survey", "crm"}
        and len(line.split()) > 9
    ]
    assert {row[0] for row in rows} == {"contact_center", "web", "survey", "crm"}
    for row in rows:  # source, files, rejected files, read, loaded, rejected, dups x 2, reconciles
        read, loaded, rejected, reconciles = int(row[3]), int(row[4]), int(row[5]), row[8]
        assert read == loaded + rejected and reconciles == "True"
    assert "SUCCESS" in status.stdout


def _assert_no_pii(con: duckdb.DuckDBPyConnection, schema: str) -> int:
    """No text value of the schema is an e-mail, a raw CRM phone or a CRM name; return tables."""
    phones = {
        r[0]
        for r in con.execute(
            "select distinct regexp_replace(phone, '[^0-9]', '', 'g') from raw.crm__customers"
        ).fetchall()
    }
    names = {
        r[0]
        for r in con.execute(
            "select first_name from raw.crm__customers"
            " union select last_name from raw.crm__customers"
        ).fetchall()
    }
    columns = con.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = ? and data_type = 'VARCHAR'",
        [schema],
    ).fetchall()
    # identifier columns declared PII (meta: {pii: true}) never reach the schema by name; free
    # text declared PII (a ticket's description, a vendor's whole record) is caught by its
    # values below: marts have their own `description` columns, from the seeds
    free_text = {"description", "subject", "body", "record"}
    pii_names = {column for spec in SOURCES.values() for column in spec.pii} - free_text
    assert {"first_name", "email", "phone", "customer_email", "customer_phone"} <= pii_names
    assert not [column for column in columns if column[1] in pii_names]
    for table, column in columns:
        values = {
            r[0]
            for r in con.execute(
                f'select distinct "{column}" from {schema}."{table}" where "{column}" is not null'
            ).fetchall()
        }
        assert not [v for v in values if EMAIL.search(v)], (table, column)
        assert not values & phones, (table, column)
        assert not values & names, (table, column)
    return len({table for table, _ in columns})


def test_no_raw_email_phone_or_name_in_staging(home: Path, first_run) -> None:
    with _db(home) as con:
        assert _assert_no_pii(con, "staging") == 18


def test_marts_hold_no_raw_email_phone_or_name(home: Path, first_run) -> None:
    with _db(home) as con:
        assert _assert_no_pii(con, "marts") >= 13  # every mart but dim_date has text


def _copy(home: Path, tmp_path: Path) -> Path:
    """A copy to write to: the published home is shared with the other worker's tests."""
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    return copy


def test_analytics_engineer_can_run_dbt_directly(home: Path, first_run, tmp_path: Path) -> None:
    """`dbt build` from dbt_project/ against the home's warehouse, as an engineer edits one
    source's staging: its views and their data tests."""
    result = run_dbt(_copy(home, tmp_path), "build", "--select", "staging.contact_center")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Completed successfully" in result.stdout
    assert "stg_contact_center__contacts" in result.stdout


def test_warehouse_finds_what_the_simulator_planted(home: Path, first_run, simulated) -> None:
    import csv

    loaded_days = {e2e_day(offset) for offset in range(E2E_HISTORY_DAYS)}
    truth = [
        day
        for day in csv.DictReader((simulated / "truth/daily.csv").open())
        if day["day"] in loaded_days
    ]
    with _db(home) as con:
        [(rejected,)] = con.execute(
            "select sum(rows_rejected) from raw.load_ledger where source = 'contact_center'"
        ).fetchall()
        by_channel = dict(
            con.execute(
                "select channel, count(*) from marts.fct_contacts group by channel"
            ).fetchall()
        )
        [(abandoned,)] = con.execute(
            "select count(*) from marts.fct_contacts where is_abandoned"
        ).fetchall()
        [(sessions,)] = con.execute("select count(*) from marts.fct_web_sessions").fetchall()
        [(episodes,)] = con.execute("select count(*) from marts.fct_service_journeys").fetchall()
        [(repeat_contacts,)] = con.execute(
            "select sum(contacts - 1) from marts.fct_service_journeys"
        ).fetchall()
    planted = {
        c: sum(int(day[f"contacts_{c}"]) for day in truth)
        for c in ("voice", "chat", "email", "callback", "bot")
    }
    # Every planted contact is in the warehouse, less the rows the loader rejected.
    assert sum(by_channel.values()) == sum(planted.values()) - rejected
    for channel, count in planted.items():
        assert planted[channel] - rejected <= by_channel.get(channel, 0) <= count
    planted_abandoned = sum(int(day["abandoned"]) for day in truth)
    assert planted_abandoned - rejected <= abandoned <= planted_abandoned
    planted_sessions = sum(int(day["web_sessions"]) for day in truth)
    assert abs(sessions - planted_sessions) <= 0.03 * planted_sessions
    # Episodes: one per planted issue, give or take issues split by a gap over 7 days or
    # merged with another issue of the same reason within 7 days.
    issues = sum(int(day["issues_started"]) for day in truth)
    assert abs(episodes - issues) <= 0.15 * issues
    planted_repeats = sum(int(day["repeat_contacts"]) for day in truth)
    assert abs(repeat_contacts - planted_repeats) <= 0.25 * planted_repeats + 5


def test_dbt_docs_generate_documents_every_model(home: Path, first_run, tmp_path: Path) -> None:
    import json

    target = tmp_path / "target"
    result = run_dbt(
        _copy(home, tmp_path), "docs", "generate", "--static", "--target-path", str(target)
    )
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 23
    assert not [m["name"] for m in models if not m["description"].strip()]
    marts = [m for m in models if m["fqn"][1] == "marts"]
    for model in marts:
        undocumented = [c for c, spec in model["columns"].items() if not spec["description"]]
        assert not undocumented, (model["name"], undocumented)
        assert "One row per" in model["description"] or "one row per" in model["description"], (
            model["name"]
        )
    catalog = json.loads((target / "catalog.json").read_text())
    assert any(key.endswith("fct_touchpoints") for key in catalog["nodes"])
    _static_docs_open_from_file(target / "static_index.html")


def _static_docs_open_from_file(page_path: Path) -> None:
    """`make docs` (`--static`): one page holding the manifest and catalog, so a browser opens
    it from file:// (the default index.html fetches manifest.json, which file:// blocks)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.test_reports import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri() + "#!/model/model.cjm.fct_touchpoints")
            page.wait_for_function("document.body.innerText.includes('touchpoint_id')")
            text = page.inner_text("body")
        finally:
            browser.close()
    assert "fct_touchpoints" in text and "contact_center" in text
