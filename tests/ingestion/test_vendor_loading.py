"""Loading vendor exports: records kept whole, fields extracted by JSON path, bad parts
quarantined with their reason, counts reconciled, empty files harmless."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import REPO_ROOT, Settings
from orchestration.warehouse import connect

FIXTURES = REPO_ROOT / "tests/fixtures/genesys_cloud"
SPEC = SOURCES["genesys_cloud"]


def _load(settings: Settings) -> list[tuple]:
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SPEC, settings.landing_dir)
        return [(f.file.split("/")[-1], f.status, f.rows_read, f.rows_loaded) for f in result.files]
    finally:
        con.close()


def _query(settings: Settings, sql: str) -> list[tuple]:
    con = connect(settings, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_genesys_exports_load_whole_with_their_keys(cjm_home: Path) -> None:
    settings = Settings.from_env()
    day = settings.landing_dir / "genesys_cloud/2026-09-02"
    day.mkdir(parents=True)
    for name in ("voice_email_callback_query_result.json", "chat_closed.json"):
        shutil.copy(FIXTURES / name, day / name)
    assert sorted(_load(settings)) == [
        ("chat_closed.json", "loaded", 1, 1),
        ("voice_email_callback_query_result.json", "loaded", 5, 5),
    ]
    rows = _query(
        settings,
        "select conversation_id, conversation_start, conversation_end, originating_direction,"
        " json_array_length(record -> 'participants'), _extra"
        " from raw.genesys_cloud__conversations order by conversation_start",
    )
    first = rows[0]
    assert first[0] == "1bc96a39-6725-40c4-9345-db72aa67b8c6"
    assert str(first[1]) == "2021-04-01 12:27:53.386000" and str(first[2]).startswith(
        "2021-04-01 12:43"
    )
    assert first[3:] == ("inbound", 3, None)  # the record is whole: no _extra beside it
    assert [r[0][-2:] for r in rows[1:]] == ["01", "02", "03", "04", "05"]
    original = json.loads((FIXTURES / "chat_closed.json").read_text())
    [(record,)] = _query(
        settings,
        "select record from raw.genesys_cloud__conversations"
        " where conversation_id = '1bc96a39-6725-40c4-9345-db72aa67b8c6'",
    )
    assert json.loads(record) == original  # nothing of the vendor's record is lost


def test_bad_records_are_quarantined_and_counts_reconcile(cjm_home: Path) -> None:
    settings = Settings.from_env()
    day = settings.landing_dir / "genesys_cloud/2026-09-02"
    day.mkdir(parents=True)
    good = {"conversationId": "c1", "conversationStart": "2026-09-01T08:00:00Z"}
    (day / "mixed.json").write_text(
        json.dumps(good)
        + '{"conversationId": "c2", "conversationStart": }\n'  # not JSON: up to the newline
        + json.dumps({"conversationStart": "2026-09-01T09:00:00Z"})  # no id
        + json.dumps({"conversationId": "c4", "conversationStart": "yesterday"})
    )
    (day / "empty.json").write_text("")
    assert sorted(_load(settings)) == [
        ("empty.json", "loaded", 0, 0),
        ("mixed.json", "loaded_with_rejects", 4, 1),
    ]
    assert _query(
        settings,
        "select row_number, rule, reason from raw.rejected_rows"
        " where source = 'genesys_cloud' order by row_number",
    ) == [
        (2, "unreadable", "malformed JSON: Expecting value"),
        (3, "required_value_missing", "column conversation_id: required value missing"),
        (4, "untypeable_value", "column conversation_start: cannot read yesterday as TIMESTAMP"),
    ]
    assert _query(settings, "select conversation_id from raw.genesys_cloud__conversations") == [
        ("c1",)
    ]


def test_qualtrics_exports_load_with_their_header_rows(cjm_home: Path) -> None:
    """Qualtrics CSV as Qualtrics writes it: three header rows (ids, question text, import ids)
    over the records, and the legacy layout (V1..Vn placeholders over a row of names, where
    ResponseID and ExternalDataReference name the columns); questions are kept in `_extra`."""
    settings = Settings.from_env()
    day = settings.landing_dir / "qualtrics/2026-09-02"
    day.mkdir(parents=True)
    fixtures = REPO_ROOT / "tests/fixtures/qualtrics"
    for name in ("sample.csv", "sample_legacy.csv", "nps_csat_ces_export.csv"):
        shutil.copy(fixtures / name, day / name)
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SOURCES["qualtrics"], settings.landing_dir)
    finally:
        con.close()
    assert sorted(
        (f.file.split("/")[-1], f.status, f.rows_read, f.rows_loaded) for f in result.files
    ) == [
        ("nps_csat_ces_export.csv", "loaded", 3, 3),
        ("sample.csv", "loaded", 1, 1),
        ("sample_legacy.csv", "loaded", 1, 1),
    ]
    rows = _query(
        settings,
        "select \"ResponseId\", \"StartDate\", _extra ->> 'Q1', _extra ->> 'Q4'"
        " from raw.qualtrics__responses order by _file, _row",
    )
    assert rows[0][0] == "R_1aBcDeFgHiJkLmN" and rows[0][2] == "9"
    assert rows[1][3] == "Долго ждал ответа,\nа проблема так и не решена"  # quoted newline
    # the same genuine response in both layouts: the legacy file's question ids and names
    assert (
        rows[3][:3]
        == rows[4][:3]
        == (
            "R_2YPOQ602ER1jkf1",
            dt.datetime(2017, 7, 18, 8, 28, 9),
            "2",
        )
    )


def test_snowplow_atomic_events_load_with_their_duplicates_counted(cjm_home: Path) -> None:
    """Snowplow's own test sample (160 atomic events, 135 columns, CRLF, JSON context columns):
    the event without a domain_userid is kept out with its reason; the three copies of an
    event_id (the tracker resends) load and are counted as conflicting duplicates (their
    collector_tstamp or fingerprints differ); the columns the contract does not name stay in
    `_extra`."""
    settings = Settings.from_env()
    day = settings.landing_dir / "snowplow/2026-09-02"
    day.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "tests/fixtures/snowplow/snowplow_web_events.csv", day / "events.csv")
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SOURCES["snowplow"], settings.landing_dir)
    finally:
        con.close()
    (loaded,) = result.files
    assert (loaded.status, loaded.rows_read, loaded.rows_loaded, loaded.rows_rejected) == (
        "loaded_with_rejects",
        160,
        159,
        1,
    )
    assert (loaded.duplicates_exact, loaded.duplicates_conflicting) == (0, 3)
    assert _query(settings, "select rule, reason from raw.rejected_rows") == [
        ("required_value_missing", "column domain_userid: required value missing")
    ]
    first = _query(
        settings,
        "select collector_tstamp, derived_tstamp, event_name, domain_sessionidx,"
        " _extra ->> 'useragent' like 'Mozilla/5.0%', _extra ->> 'br_lang'"
        " from raw.snowplow__events where event_id = '9e983d4a-e07c-4858-8e97-bdb7feb31241'"
        " order by collector_tstamp",
    )
    assert [row[0] for row in first] == [
        dt.datetime(2021, 3, 3, 21, 27, 32, 696000),
        dt.datetime(2021, 3, 3, 21, 27, 35, 176000),
    ]
    assert first[0][2:] == ("link_click", 1, True, "en-au")


def _land_ga4(settings: Settings, day: str, *names: str) -> list[tuple]:
    folder = settings.landing_dir / "ga4" / day
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(REPO_ROOT / "tests/fixtures/ga4" / name, folder / name)
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SOURCES["ga4"], settings.landing_dir)
    finally:
        con.close()
    return [(f.file, f.status, f.rows_read, f.rows_loaded, f.reason) for f in result.files]


def test_a_ga4_day_is_replaced_by_its_later_delivery(cjm_home: Path) -> None:
    """The intraday table of 2026-09-01 (3 events) lands that day; the daily table of the same
    day lands the next (8 events, one without user_pseudo_id: consent mode without analytics
    storage, kept out). The daily table withdraws the intraday one whole (its 07:35 page view,
    which Google dropped from the day, goes with it); the intraday table delivered again after
    it is rejected; a re-export of the day on a later landing day replaces the day again."""
    settings = Settings.from_env()
    intraday, daily = "events_intraday_20260901.json", "events_20260901.json"
    assert _land_ga4(settings, "2026-09-01", intraday) == [
        ("ga4/2026-09-01/" + intraday, "loaded", 3, 3, None)
    ]
    assert _land_ga4(settings, "2026-09-02", daily) == [
        (
            "ga4/2026-09-02/" + daily,
            "loaded_with_rejects",
            8,
            7,
            "1 row(s) rejected, see raw.rejected_rows",
        )
    ]
    raw = _query(
        settings,
        "select _file, count(*), min(event_timestamp), count(user_id) from raw.ga4__events"
        " group by _file",
    )
    assert raw == [("ga4/2026-09-02/" + daily, 7, dt.datetime(2026, 9, 1, 7, 30), 4)]
    assert _query(
        settings,
        "select file, count(*) from raw.superseded_rows group by file",
    ) == [("ga4/2026-09-01/" + intraday, 3)]
    # the intraday table again, after its day's daily table: rejected whole, nothing withdrawn
    late = settings.landing_dir / "ga4/2026-09-03"
    late.mkdir(parents=True)
    # (one more newline: other bytes than the loaded copy, which would be skipped as known)
    (late / intraday).write_bytes(
        (REPO_ROOT / "tests/fixtures/ga4" / intraday).read_bytes() + b"\n"
    )
    (status,) = _land_ga4(settings, "2026-09-03")
    assert status[1:4] == ("rejected", 3, 0)
    assert "provisional file of delivery 20260901" in status[4]
    # the daily table re-exported two days later (as Google rewrites up to 72 hours late)
    redelivered = settings.landing_dir / "ga4/2026-09-04" / "events_20260901-000000000000.json"
    redelivered.parent.mkdir(parents=True)
    lines = (REPO_ROOT / "tests/fixtures/ga4" / daily).read_text().splitlines()
    redelivered.write_text("\n".join(lines[:6]) + "\n")  # Anna's six events only
    assert _land_ga4(settings, "2026-09-04")[0][1:4] == ("loaded", 6, 6)
    assert _query(settings, "select _file, count(*) from raw.ga4__events group by _file") == [
        ("ga4/2026-09-04/events_20260901-000000000000.json", 6)
    ]


def _ingest(settings: Settings, source: str, *files: Path) -> list[tuple]:
    day = settings.landing_dir / source / "2026-09-02"
    day.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy(path, day / path.name)
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SOURCES[source], settings.landing_dir)
    finally:
        con.close()
    return sorted(
        (f.file.split("/")[-1], f.status, f.rows_read, f.rows_loaded) for f in result.files
    )


def test_crm_connector_tables_load_with_their_fivetran_columns(cjm_home: Path) -> None:
    """Salesforce's Contact (368 columns; history mode's `_fivetran_start` read under its alias),
    HubSpot's contacts, merge audits and companies, as the Fivetran connector lands them;
    every column the contract does not name stays in `_extra`."""
    settings = Settings.from_env()
    salesforce = REPO_ROOT / "tests/fixtures/salesforce"
    hubspot = REPO_ROOT / "tests/fixtures/hubspot"
    assert _ingest(
        settings,
        "salesforce",
        salesforce / "sf_contact_data.csv",
        salesforce / "sf_contact_history_data.csv",
    ) == [
        ("sf_contact_data.csv", "loaded", 4, 4),
        ("sf_contact_history_data.csv", "loaded", 4, 4),
    ]
    assert _ingest(settings, "salesforce_accounts", salesforce / "sf_account_data.csv") == [
        ("sf_account_data.csv", "loaded", 10, 10)
    ]
    assert _query(
        settings,
        "select is_deleted, _extra ->> 'master_record_id' from raw.salesforce_accounts__account"
        " where id = '0015500000Ygpq1AAB'",
    ) == [(True, "L4izOo4yZpLq5io5YM8pvA==")]
    assert _ingest(settings, "hubspot", hubspot / "contact_data.csv") == [
        ("contact_data.csv", "loaded", 22, 22)
    ]
    assert _ingest(
        settings, "hubspot_contact_merges", hubspot / "contact_merge_audit_data.csv"
    ) == [("contact_merge_audit_data.csv", "loaded", 4, 4)]
    assert _ingest(settings, "hubspot_companies", hubspot / "company_data.csv") == [
        ("company_data.csv", "loaded", 4, 4)
    ]
    assert _query(
        settings,
        "select id, property_type, is_deleted, fivetran_deleted, _extra ->> 'property_domain'"
        " from raw.hubspot_companies__company where property_hs_lastmodifieddate < '2026-06-01'",
    ) == [("2258956513", "OTHER", True, True, "oldname.example")]
    assert _query(
        settings,
        "select fivetran_start, fivetran_synced, _extra ->> '_fivetran_end', phone"
        " from raw.salesforce__contact where id = '0031G00000q9jPQAQ' order by fivetran_start",
    ) == [
        (
            dt.datetime(2018, 11, 12, 19, 53),
            dt.datetime(2018, 11, 12, 19, 53),
            "9999-12-31 23:59:59",
            "(555) 555-5555",
        ),
        (None, dt.datetime(2018, 11, 12, 19, 53), None, "(555) 555-5555"),
    ]
    assert _query(
        settings,
        "select property_hs_merged_object_ids, fivetran_deleted, _extra ->> 'property_company'"
        " from raw.hubspot__contact where id = '78971951'",
    ) == [("76340251;46897301;76226001", False, "SampleCompany")]


def test_qualtrics_connector_tables_load(cjm_home: Path) -> None:
    """The Fivetran connector's Qualtrics tables, each in its own landing folder: responses,
    answers (`_fivetran_id` read as fivetran_id) and embedded data."""
    settings = Settings.from_env()
    connector = REPO_ROOT / "tests/fixtures/qualtrics/connector"
    assert _ingest(settings, "qualtrics_survey_responses", connector / "survey_response.csv") == [
        ("survey_response.csv", "loaded", 5, 5)
    ]
    assert _ingest(
        settings, "qualtrics_question_responses", connector / "question_response.csv"
    ) == [("question_response.csv", "loaded", 5, 5)]
    assert _ingest(settings, "qualtrics_embedded_data", connector / "survey_embedded_data.csv") == [
        ("survey_embedded_data.csv", "loaded", 5, 5)
    ]
    assert _query(
        settings,
        "select fivetran_id, question_id, value, text from raw"
        ".qualtrics_question_responses__question_response where response_id = 'R_2w6q9pgBpebvjCg'",
    ) == [("vnzZKokL2ijFL+3cv266gKI+R3U=", "QID2", "2", "example a")]
    assert _query(
        settings,
        "select recorded_date, progress, finished, user_language"
        " from raw.qualtrics_survey_responses__survey_response where id = 'R_3e9aZTqhcgXRH0o'",
    ) == [(dt.datetime(2022, 12, 14, 9, 2), 20, False, "EN")]


def test_snowplow_events_load_from_tsv_as_from_csv(cjm_home: Path) -> None:
    """The same atomic events exported tab-separated (`.tsv`, unquoted: the JSON contexts keep
    their quotes) load as the CSV does: the same rows kept out, the same values."""
    import csv
    import io

    settings = Settings.from_env()
    source = REPO_ROOT / "tests/fixtures/snowplow/snowplow_web_events.csv"
    records = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline="")))
    assert not any("\t" in field or "\n" in field for record in records for field in record)
    tsv = "\n".join("\t".join(record) for record in records) + "\n"
    day = settings.landing_dir / "snowplow/2026-09-02"
    day.mkdir(parents=True)
    (day / "events.tsv").write_text(tsv, encoding="utf-8")
    shutil.copy(source, day / "events.csv")
    con = connect(settings)
    try:
        result = loader.ingest_source(con, SOURCES["snowplow"], settings.landing_dir)
    finally:
        con.close()
    assert sorted((f.file[-10:], f.rows_read, f.rows_loaded) for f in result.files) == [
        ("events.csv", 160, 159),
        ("events.tsv", 160, 159),
    ]
    context = "contexts_com_snowplowanalytics_snowplow_web_page_1_0_0"
    by_file = _query(
        settings,
        f"select _file, count(distinct event_id), count(_extra ->> '{context}'),"
        f" max(_extra ->> '{context}'), max(derived_tstamp) from raw.snowplow__events"
        " group by _file order by _file",
    )
    assert by_file[0][1:] == by_file[1][1:]
    assert by_file[1][3].startswith('[{"') and by_file[1][2] > 100  # JSON, quotes and all
