"""Write-audit-publish under faults and kills: bad data and killed runs never reach
warehouse/cjm.duckdb.

One clean history is simulated and published once (tests/conftest.py); a copy of it then lives
through four nights of one more day of landing files, each night's outcome recorded by the
`nights` fixture and judged by the tests below:

1. the day brings a broken export (30 malformed lines), a contact in a channel no model
   accepts, a duplicated contact and an out-of-range score: the kept-out share blocks; the
   operator accepts the broken export (`cjm accept`);
2. a run killed in the middle of dbt leaves the publication as it was; the next run fails a
   dbt test on the fax contact: blocked with one clear line;
3. the fax file is delivered again, corrected, and so is yesterday's (published) contacts file,
   without its first contact; a run killed while publishing leaves the old publication or the
   new one, never half; the next run, while a BI reader holds the published file open,
   publishes what an uninterrupted night publishes: the broken export's rows and the
   out-of-range score kept out and counted, the duplicate collapsed, yesterday's first
   contact gone from the facts;
4. nothing new: the rebuild is skipped and the publication stands.

Each whole `cjm run` costs ~55 s of CPU, so the nights share one home instead of one copy
each. Each rule of the gate alone: tests/orchestration/test_gate_faults.py.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import (
    E2E_HISTORY_DAYS,
    build_without_dagster,
    copy_days,
    e2e_day,
    run_cjm,
    run_cjm_killed_when,
)
from tests.e2e.conftest import bi_reader, published_content

pytestmark = pytest.mark.slow
DAY = e2e_day(E2E_HISTORY_DAYS)  # the nights' new day
PUBLISHED_DAY = e2e_day(E2E_HISTORY_DAYS - 1)  # the last day already published
BROKEN = f"contact_center/{DAY}/contacts_retry.jsonl"
REASON = "retry export, known broken"


def _blocked(home: Path) -> dict:
    """A night that must block: its run, the status after it, every report page's text and
    the published content."""
    result = run_cjm(home, "run")
    return {
        "result": result,
        "status": run_cjm(home, "status").stdout,
        "pages": {page.name: page.read_text() for page in (home / "reports").glob("*.html")},
        "content": published_content(home),
    }


def _uninterrupted(home: Path) -> dict:
    """What a night publishes from `home`'s landing files when nothing interrupts it: the
    nightly's loader and dbt models on a fresh copy of the landing, published
    (`build_without_dagster`)."""
    fresh = home.parent / "uninterrupted"
    shutil.copytree(home / "landing", fresh / "landing")
    build_without_dagster(fresh, publish_and_report=True)
    return published_content(fresh)


def _published(home: Path, name: str) -> Path:
    """A copy of tonight's publication, for the tests to read after later nights."""
    copy = home.parent / f"{name}.duckdb"
    shutil.copy(home / "warehouse/cjm.duckdb", copy)
    return copy


@pytest.fixture(scope="module")
def nights(published: Path, simulated: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("nights") / "home"
    shutil.copytree(published, home)
    record: dict = {"before": published_content(home), "home": home}
    record["before_db"] = _published(home, "before")
    copy_days(simulated, home, range(E2E_HISTORY_DAYS, E2E_HISTORY_DAYS + 1))
    contacts = home / "landing/contact_center" / DAY / "contacts.jsonl.gz"
    lines = gzip.decompress(contacts.read_bytes()).decode().splitlines()
    first = json.loads(lines[0])
    contacts.write_bytes(gzip.compress(("\n".join([*lines, lines[0]]) + "\n").encode()))  # twice
    (home / "landing" / BROKEN).write_text('{"contact_id": "broken\n' * 30)
    fax = home / "landing/contact_center" / DAY / "fax.jsonl"  # a channel no model accepts
    fax.write_text(json.dumps({**first, "contact_id": "x1", "channel": "fax"}) + "\n")
    survey = home / "landing/survey" / DAY / "late_responses.csv"
    survey.parent.mkdir(parents=True, exist_ok=True)
    survey.write_text(
        "response_id,survey_type,customer_id,responded_at,nps\r\n"
        f"r-out-of-range,relationship,C0000001,{DAY} 10:00:00,11\r\n"
    )
    # night 1
    record["quarantined"] = _blocked(home)
    record["accepted"] = run_cjm(home, "accept", BROKEN, "--reason", REASON)
    # night 2
    # killed in the middle of dbt
    run_cjm_killed_when(home, "cjm_dbt_assets: started", "run", delay_seconds=3.0)
    record["killed_in_dbt"] = published_content(home)
    record["failing_test"] = _blocked(home)
    # night 3: the fax file corrected, and yesterday's (published) contacts delivered again
    # without their first contact
    fax.write_text(json.dumps({**first, "contact_id": "x1"}) + "\n")
    yesterday = home / "landing/contact_center" / PUBLISHED_DAY / "contacts.jsonl.gz"
    record["yesterday"] = gzip.decompress(yesterday.read_bytes()).decode().splitlines()
    yesterday.write_bytes(
        gzip.compress("".join(f"{line}\n" for line in record["yesterday"][1:]).encode())
    )
    record["uninterrupted"] = _uninterrupted(home)
    # killed while publishing
    run_cjm_killed_when(home, "published_warehouse: started", "run")
    record["killed_publishing"] = published_content(home)
    with bi_reader(home / "warehouse/cjm.duckdb", home.parent) as reader:
        record["published"] = run_cjm(home, "run")
    record["reader"] = reader
    record["published_content"] = published_content(home)
    record["published_db"] = _published(home, "published")
    record["published_status"] = run_cjm(home, "status").stdout
    record["accepted_again"] = run_cjm(home, "accept", BROKEN, "--reason", "twice")
    record["duplicated"] = first["contact_id"]
    return record


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _assert_blocked(night: dict, before: dict, *fragments: str) -> None:
    result = night["result"]
    assert result.returncode == 1, result.stderr[-3000:]
    assert "nothing was published" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr[-3000:]
    assert night["content"] == before
    status = night["status"]
    assert "BLOCKED" in status and "stale since" in status
    for fragment in fragments:
        assert fragment in status
    # every report page keeps the last publication's figures under a "stale since" banner
    published_at = re.search(r"stale since (\S+ \S+) UTC", status).group(1)
    assert night["pages"]
    for name, text in night["pages"].items():
        assert 'id="stale-banner"' in text, name
        assert f"stale since {published_at} UTC" in text, name
        for fragment in fragments:
            assert html.escape(fragment) in text, name


def test_batch_quarantined_above_threshold_blocks_until_accepted(nights: dict) -> None:
    _assert_blocked(
        nights["quarantined"],
        nights["before"],
        "contact_center/contacts:raw_expectations",
        # the operator's words first: the source, the share, the file, the way out
        "contact_center: 30 of",
        "rows kept out",
        "contacts_retry.jsonl (30)",
        "cjm accept",
    )
    accepted = nights["accepted"]
    assert accepted.returncode == 0, accepted.stderr
    assert f"accepted {BROKEN}" in accepted.stderr
    assert nights["published"].returncode == 0, nights["published"].stderr[-3000:]
    db = nights["published_db"]
    assert _rows(db, "select file, reason, accepted_by is not null from meta.accepted_loads") == [
        (BROKEN, REASON, True)
    ]
    assert _rows(db, "select count(*) from meta.rejects_by_reason where rows_rejected = 30") == [
        (1,)
    ]
    [(published_day,)] = _rows(db, "select max(contact_date) from marts.fct_contacts")
    assert str(published_day) == DAY
    assert REASON in nights["published_status"]
    again = nights["accepted_again"]
    assert again.returncode == 1 and "no unpublished file or batch" in again.stderr


def test_failing_dbt_test_blocks_with_one_clear_line(nights: dict) -> None:
    night = nights["failing_test"]
    result = night["result"]
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert failed and "cjm_dbt_assets" in failed[0]
    assert "Traceback" not in result.stderr
    log = re.search(r"full log: (\S+)", result.stderr)
    assert log and Path(log.group(1)).exists()
    assert "accepted_values_stg_contact_center__contacts_channel" in Path(log.group(1)).read_text()
    assert night["content"] == nights["before"]
    assert "BLOCKED" in night["status"]


def _facts(content: dict) -> dict:
    """Published content but the load bookkeeping: dim_source counts the files each source
    loaded, and the nights' home loaded the fax file and yesterday's contacts twice (delivered,
    then corrected) where the uninterrupted reference read the landing once."""
    return {table: rows for table, rows in content.items() if table != "marts.dim_source"}


def test_killed_runs_leave_publication_intact_and_next_run_recovers(nights: dict) -> None:
    before, uninterrupted = nights["before"], _facts(nights["uninterrupted"])
    assert nights["killed_in_dbt"] == before  # the published file opens and is unchanged
    killed_publishing = nights["killed_publishing"]
    assert killed_publishing == before or _facts(killed_publishing) == uninterrupted  # never half
    assert nights["published"].returncode == 0, nights["published"].stderr[-3000:]
    assert _facts(nights["published_content"]) == uninterrupted  # as an uninterrupted night


def test_reader_holding_the_published_file_never_blocks_the_run(nights: dict) -> None:
    assert nights["published"].returncode == 0, nights["published"].stderr[-3000:]
    consistent, last_day, queries = nights["reader"]
    assert consistent == "True"  # the reader kept its snapshot through the swap
    assert int(queries) > 10  # it kept querying the KPI table during the run
    assert last_day == PUBLISHED_DAY  # it held the last publication
    assert _rows(
        nights["published_db"], "select max(touchpoint_date) from marts.fct_touchpoints"
    ) == [(dt.date.fromisoformat(DAY),)]  # a new reader sees the new publication


def test_a_corrected_file_withdraws_a_published_record_from_the_facts(nights: dict) -> None:
    """A few bad rows in a good batch are normal in real feeds: an out-of-range score is kept
    out, a duplicated contact collapsed, and the night publishes (each rule's matrix case:
    tests/orchestration/test_gate_faults.py). A file delivered again under the same name
    replaces its first delivery: a contact only the first held leaves the incremental facts
    and the publication, though it was published the night before (issue 17, finding 5)."""
    db = nights["published_db"]
    assert _rows(
        db, f"select count(*) from marts.fct_contacts where contact_id = '{nights['duplicated']}'"
    ) == [(1,)]
    assert _rows(
        db, "select count(*) from marts.fct_survey_responses where response_id = 'r-out-of-range'"
    ) == [(0,)]
    assert "score_out_of_range" in nights["published_status"]
    # the corrected fax file replaced the fax contact with one in a known channel
    [(channel,)] = _rows(db, "select channel from marts.fct_contacts where contact_id = 'x1'")
    assert channel != "fax"
    withdrawn, *kept = [json.loads(line)["contact_id"] for line in nights["yesterday"]]
    for table in ("marts.fct_contacts", "marts.fct_touchpoints"):
        assert _rows(db, f"select count(*) from {table} where contact_id = '{withdrawn}'") == [(0,)]
    # every other contact of the file is still there, once
    [(still,)] = _rows(
        db,
        "select count(*) from marts.fct_contacts where contact_id in"
        f" ({', '.join(repr(contact) for contact in kept)})",
    )
    assert still == len(kept) > 0
    assert _rows(
        nights["home"] / "warehouse/build.duckdb",
        "select record ->> 'contact_id' from raw.superseded_rows"
        f" where record ->> 'contact_id' = '{withdrawn}'",
    ) == [(withdrawn,)]
    with duckdb.connect(str(nights["before_db"]), read_only=True) as con:
        assert con.execute(
            f"select count(*) from marts.fct_contacts where contact_id = '{withdrawn}'"
        ).fetchone() == (1,)  # it was published


def test_rerun_with_nothing_new_skips_the_rebuild_and_keeps_the_publication(
    nights: dict,
) -> None:
    home = nights["home"]
    before = published_content(home)
    published_bytes = (home / "warehouse/cjm.duckdb").read_bytes()
    build = home / "warehouse/build.duckdb"
    ledger = _rows(build, "select * from raw.load_ledger order by load_id")
    publications = _rows(home / "warehouse/cjm.duckdb", "select count(*) from meta.publish_log")
    result = run_cjm(home, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "nothing new since run" in result.stderr
    assert (home / "warehouse/cjm.duckdb").read_bytes() == published_bytes
    assert published_content(home) == before
    assert _rows(build, "select * from raw.load_ledger order by load_id") == ledger
    assert _rows(home / "warehouse/cjm.duckdb", "select count(*) from meta.publish_log") == (
        publications
    )
