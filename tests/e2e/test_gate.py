"""Write-audit-publish under faults: bad data never reaches warehouse/cjm.duckdb.

One clean history is simulated and published once; each fault then runs on a copy of that
home with one more day of landing files, corrupted one way. Readers and kills beside a run:
test_recovery.py; each rule of the gate alone: tests/orchestration/test_gate_faults.py.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import E2E_HISTORY_DAYS, copy_days, e2e_day, run_cjm
from tests.e2e.conftest import published_content

pytestmark = pytest.mark.slow
HISTORY_DAYS = E2E_HISTORY_DAYS
_day = e2e_day


def _assert_blocked(home: Path, before: dict, *fragments: str) -> None:
    result = run_cjm(home, "run")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "nothing was published" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr[-3000:]
    assert published_content(home) == before
    status = run_cjm(home, "status")
    assert "BLOCKED" in status.stdout and "stale since" in status.stdout
    for fragment in fragments:
        assert fragment in status.stdout
    # every report page keeps the last publication's figures under a "stale since" banner
    published_at = re.search(r"stale since (\S+ \S+) UTC", status.stdout).group(1)
    for page in (home / "reports").glob("*.html"):
        text = page.read_text()
        assert 'id="stale-banner"' in text, page.name
        assert f"stale since {published_at} UTC" in text, page.name
        for fragment in fragments:
            assert html.escape(fragment) in text, page.name


def _build(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "warehouse/build.duckdb"), read_only=True)


def test_a_corrected_file_withdraws_a_bogus_record_from_the_published_facts(
    fork: Path, simulated: Path
) -> None:
    """A few bad rows in a good batch are normal in real feeds: an out-of-range score is kept
    out, a duplicated contact collapsed, and the night publishes (each rule's matrix case:
    tests/orchestration/test_gate_faults.py). Then the same file name delivered again replaces
    its first delivery: a contact only the first held leaves the incremental facts and the
    publication (issue 17, finding 5)."""
    copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    contacts = fork / "landing/contact_center" / _day(HISTORY_DAYS) / "contacts.jsonl"
    good = contacts.read_text()
    bogus = json.loads(good.splitlines()[0])
    bogus["contact_id"] = "bogus-17"
    contacts.write_text(good + json.dumps(bogus) + "\n" + good.splitlines()[0] + "\n")
    survey = fork / "landing/survey" / _day(HISTORY_DAYS) / "late_responses.csv"
    survey.parent.mkdir(parents=True, exist_ok=True)
    survey.write_text(
        "response_id,survey_type,customer_id,responded_at,nps\r\n"
        f"r-out-of-range,relationship,C0000001,{_day(HISTORY_DAYS)} 10:00:00,11\r\n"
    )
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]

    def published(sql: str) -> list[tuple]:
        with duckdb.connect(str(fork / "warehouse/cjm.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()

    assert published("select count(*) from marts.fct_contacts where contact_id = 'bogus-17'") == [
        (1,)
    ]
    duplicated = json.loads(good.splitlines()[0])["contact_id"]
    assert published(
        f"select count(*) from marts.fct_contacts where contact_id = '{duplicated}'"
    ) == [(1,)]
    assert published(
        "select count(*) from marts.fct_survey_responses where response_id = 'r-out-of-range'"
    ) == [(0,)]
    assert "score_out_of_range" in run_cjm(fork, "status").stdout
    contacts.write_text(good)  # the corrected delivery, same name
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert published("select count(*) from marts.fct_contacts where contact_id = 'bogus-17'") == [
        (0,)
    ]
    assert published(
        "select count(*) from marts.fct_touchpoints where contact_id = 'bogus-17'"
    ) == [(0,)]
    # every other contact of the file is still there, once
    day_contacts = len(good.splitlines())
    [(kept,)] = published(
        f"select count(*) from marts.fct_contacts where contact_id in"
        f" ({', '.join(repr(json.loads(line)['contact_id']) for line in good.splitlines())})"
    )
    assert kept == day_contacts
    with _build(fork) as con:
        assert con.execute(
            "select record ->> 'contact_id' from raw.superseded_rows"
            " where record ->> 'contact_id' = 'bogus-17'"
        ).fetchall() == [("bogus-17",)]


def test_batch_quarantined_above_threshold_blocks_until_accepted(
    fork: Path, simulated: Path
) -> None:
    before = published_content(fork)
    copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    junk = fork / "landing/contact_center" / _day(HISTORY_DAYS) / "contacts_retry.jsonl"
    junk.write_text('{"contact_id": "broken\n' * 30)  # 30 malformed lines: a broken export
    _assert_blocked(fork, before, "contact_center/contacts:raw_expectations", "(quarantined_share)")
    relative = f"contact_center/{_day(HISTORY_DAYS)}/contacts_retry.jsonl"
    accepted = run_cjm(fork, "accept", relative, "--reason", "retry export, known broken")
    assert accepted.returncode == 0, accepted.stderr
    assert f"accepted {relative}" in accepted.stderr
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(fork / "warehouse/cjm.duckdb"), read_only=True) as con:
        assert con.execute(
            "select file, reason, accepted_by is not null from meta.accepted_loads"
        ).fetchall() == [(relative, "retry export, known broken", True)]
        assert con.execute(
            "select count(*) from meta.rejects_by_reason where rows_rejected = 30"
        ).fetchone() == (1,)
        [(published_day,)] = con.execute(
            "select max(contact_date) from marts.fct_contacts"
        ).fetchall()
    assert str(published_day) == _day(HISTORY_DAYS)
    status = run_cjm(fork, "status").stdout
    assert "retry export, known broken" in status
    again = run_cjm(fork, "accept", relative, "--reason", "twice")
    assert again.returncode == 1 and "no unpublished file or batch" in again.stderr


def test_failing_dbt_test_blocks_with_one_clear_line(fork: Path, simulated: Path) -> None:
    before = published_content(fork)
    copy_days(simulated, fork, range(HISTORY_DAYS, HISTORY_DAYS + 1))
    contacts = fork / "landing/contact_center" / _day(HISTORY_DAYS) / "contacts.jsonl"
    with contacts.open("a") as handle:  # a channel code the model does not accept
        handle.write(
            f'{{"contact_id":"x1","channel":"fax","initiated_at":"{_day(HISTORY_DAYS)}T10:00:00Z"}}\n'
        )
    result = run_cjm(fork, "run")
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("FAILED")]
    assert failed and "cjm_dbt_assets" in failed[0]
    assert "Traceback" not in result.stderr
    log = re.search(r"full log: (\S+)", result.stderr)
    assert log and Path(log.group(1)).exists()
    assert "accepted_values_stg_contact_center__contacts_channel" in Path(log.group(1)).read_text()
    assert published_content(fork) == before


def test_rerun_with_nothing_new_skips_the_rebuild_and_keeps_the_publication(fork: Path) -> None:
    before = published_content(fork)
    published_bytes = (fork / "warehouse/cjm.duckdb").read_bytes()
    with duckdb.connect(str(fork / "warehouse/build.duckdb"), read_only=True) as con:
        ledger = con.execute("select * from raw.load_ledger order by load_id").fetchall()
    result = run_cjm(fork, "run")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "nothing new since run" in result.stderr
    assert (fork / "warehouse/cjm.duckdb").read_bytes() == published_bytes
    assert published_content(fork) == before
    with duckdb.connect(str(fork / "warehouse/build.duckdb"), read_only=True) as con:
        assert con.execute("select * from raw.load_ledger order by load_id").fetchall() == ledger
    with duckdb.connect(str(fork / "warehouse/cjm.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from meta.publish_log").fetchone() == (1,)
