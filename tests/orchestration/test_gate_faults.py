"""The gate's fault matrix: each fault of a real night, judged by the loader and the batch rules
directly (the `raw_expectations` check's own function), in a second or so each.

One clean simulated history (the end-to-end sample: 250 customers, days 0-7) is loaded and
marked published once; each case lands one more day of the same sample, broken one way, loads
it with the real loader into a copy of that warehouse, and judges every source as the nightly
run does. That a failed check blocks publication, keeps the last one and marks the reports
stale is shown once, end to end (tests/e2e/test_gate.py); here each rule shows that it fires,
on what, and with which words for the operator.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.quality import rules
from orchestration.quality.acceptance import accept
from orchestration.quality.checks import batch_check_result
from tests.conftest import E2E_HISTORY_DAYS, copy_days, e2e_day

DAY = e2e_day(E2E_HISTORY_DAYS)  # the night's new day
NEXT = e2e_day(E2E_HISTORY_DAYS + 1)


def _ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    for spec in SOURCES.values():
        loader.ingest_source(con, spec, landing, batch_id="night", salt="test-salt")


@pytest.fixture(scope="module")
def history(simulated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with days 0-7 loaded and published, as after the first night."""
    root = tmp_path_factory.mktemp("gate-history")
    copy_days(simulated, root, range(E2E_HISTORY_DAYS))
    path = root / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("set TimeZone = 'UTC'")
        _ingest(con, root / "landing")
        con.execute("update raw.load_ledger set published_at = now() where published_at is null")
    return path


class Night:
    """One night's landing (the new day's files, to break) and its judged warehouse."""

    def __init__(self, history: Path, simulated: Path, root: Path, days: range) -> None:
        self.root = root
        self.landing = root / "landing"
        self.db = root / "build.duckdb"
        shutil.copy(history, self.db)
        copy_days(simulated, root, days)

    def file(self, relative: str) -> Path:
        return self.landing / relative

    def judge(self) -> dict[str, object]:
        """Load the landing and judge every source that ever delivered a file: source -> its
        check result (a source without a ledger row has nothing to judge)."""
        with duckdb.connect(str(self.db)) as con:
            con.execute("set TimeZone = 'UTC'")
            _ingest(con, self.landing)
            ledger = con.execute("select distinct source from raw.load_ledger").fetchall()
            delivered = [source for (source,) in ledger]
            assert set(delivered) == {"contact_center", "web", "survey", "crm"}
            return {name: batch_check_result(con, rules.for_source(name)) for name in delivered}

    def sql(self, query: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(query, params or []).fetchall()


@pytest.fixture
def night(history: Path, simulated: Path, tmp_path: Path) -> Night:
    return Night(history, simulated, tmp_path, range(E2E_HISTORY_DAYS, E2E_HISTORY_DAYS + 1))


def _contacts(night: Night) -> Path:
    return night.file(f"contact_center/{DAY}/contacts.jsonl.gz")


def _contact_lines(night: Night) -> list[str]:
    return gzip.decompress(_contacts(night).read_bytes()).decode().splitlines()


def _deliver_contacts(night: Night, lines: list[str]) -> None:
    _contacts(night).write_bytes(gzip.compress("".join(f"{line}\n" for line in lines).encode()))


def _out_of_range_score(night: Night) -> None:
    path = night.file(f"survey/{DAY}/late_responses.csv")
    path.write_text(
        "response_id,survey_type,customer_id,responded_at,nps\r\n"
        f"r-out-of-range,relationship,C0000001,{DAY} 10:00:00,11\r\n"
    )


def _duplicate_contact(night: Night) -> None:
    lines = _contact_lines(night)
    _deliver_contacts(night, [*lines, lines[0]])


def _missing_required_column(night: Night) -> None:
    records = [json.loads(line) for line in _contact_lines(night)]
    for record in records:
        del record["initiated_at"]
    _deliver_contacts(night, [json.dumps(record) for record in records])


def _broken_export(night: Night) -> None:
    junk = night.file(f"contact_center/{DAY}/contacts_retry.jsonl")
    junk.write_text('{"contact_id": "broken\n' * 30)  # 30 malformed lines


def _web_volume_collapse(night: Night) -> None:
    events = night.file(f"web/{DAY}/events.jsonl.gz")
    lines = gzip.decompress(events.read_bytes()).split(b"\n")
    events.write_bytes(gzip.compress(b"\n".join(lines[: len(lines) // 10]) + b"\n", mtime=0))


def _not_gzip(night: Night) -> None:
    night.file(f"web/{DAY}/events_extra.jsonl.gz").write_bytes(b"not gzip at all\n")


# case -> (how the night breaks, the source that must block or None, what its check says)
FAULTS: dict[str, tuple[Callable[[Night], None], str | None, tuple[str, ...]]] = {
    # a few bad rows in a good batch are normal: kept out, counted, and the night passes
    "out_of_range_score_is_kept_out": (_out_of_range_score, None, ()),
    "duplicate_contact_is_counted": (_duplicate_contact, None, ()),
    # systemic faults block
    "missing_required_column": (
        _missing_required_column,
        "contact_center",
        (
            "(files_rejected)",
            "contact_center: 1 file(s) rejected whole (missing required column(s):"
            f" initiated_at): contact_center/{DAY}/contacts.jsonl.gz",
            f"contact_center {DAY}: its file was rejected whole (above)",
            "the way out: a corrected file in landing (same name), or to publish it knowingly:"
            " cjm accept",
        ),
    ),
    "kept_out_share_above_threshold": (
        _broken_export,
        "contact_center",
        (
            "(quarantined_share)",
            "contact_center: 30 of",
            "rows kept out",
            f"threshold {rules.for_source('contact_center').max_quarantined_share:.2%}",
            f"in contact_center/{DAY}/contacts_retry.jsonl (30)",
        ),
    ),
    "volume_collapse": (
        _web_volume_collapse,
        "web",
        ("(row_count, low_bound)", f"web {DAY}: ", "(range of the trailing 7 days)"),
    ),
    "unreadable_file": (_not_gzip, "web", ("(files_rejected)", "events_extra.jsonl.gz")),
}


@pytest.mark.parametrize("case", FAULTS)
def test_fault_matrix(night: Night, case: str) -> None:
    fault, blocking, fragments = FAULTS[case]
    fault(night)
    results = night.judge()
    blocked = {name for name, result in results.items() if not result.passed}
    assert blocked == ({blocking} if blocking else set()), {
        name: results[name].description for name in blocked
    }
    if blocking:
        description = results[blocking].description
        # the operator's words first: a line cut short still names the source and the files
        assert description.startswith(blocking), description
        for fragment in fragments:
            assert fragment in description, description


def test_an_out_of_range_score_is_kept_out_with_its_rule_and_reason(night: Night) -> None:
    _out_of_range_score(night)
    night.judge()
    assert night.sql(
        "select rule, reason from raw.rejected_rows where raw_line like 'r-out-of-range%'"
    ) == [("score_out_of_range", "score_out_of_range: nps 11 not in [0, 10]")]


def test_a_duplicated_contact_is_counted_exact_in_the_ledger(night: Night) -> None:
    _duplicate_contact(night)
    night.judge()
    assert night.sql(
        "select duplicates_exact, duplicates_conflicting from raw.load_ledger where file = ?",
        [f"contact_center/{DAY}/contacts.jsonl.gz"],
    ) == [(1, 0)]


def test_a_night_with_nothing_pending_judges_nothing(
    history: Path, simulated: Path, tmp_path: Path
) -> None:
    """Only the published days in the landing: every source passes without running a suite,
    so a night with nothing new does not load Great Expectations."""
    night = Night(history, simulated, tmp_path, range(E2E_HISTORY_DAYS))
    results = night.judge()
    assert all(result.passed for result in results.values())
    assert {r.metadata["expectations_evaluated"].value for r in results.values()} == {0}
    assert {r.metadata["pending_files"].value for r in results.values()} == {0}
    judge_alone = (  # a process of its own: this one may have imported GX for other tests
        "import sys, duckdb\n"
        "from orchestration.quality import rules\n"
        "from orchestration.quality.checks import batch_check_result\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "for name in ('contact_center', 'web', 'survey', 'crm'):\n"
        "    assert batch_check_result(con, rules.for_source(name)).passed\n"
        "print('great_expectations' in sys.modules)\n"
    )
    judged = subprocess.run(
        [sys.executable, "-c", judge_alone, str(night.db)], capture_output=True, text=True
    )
    assert judged.stdout.strip() == "False", judged.stderr[-2000:]


def test_a_missing_day_blocks_a_daily_source(
    history: Path, simulated: Path, tmp_path: Path
) -> None:
    night = Night(
        history, simulated, tmp_path, range(E2E_HISTORY_DAYS + 1, E2E_HISTORY_DAYS + 2)
    )  # day 8 skipped, day 9 delivered
    results = night.judge()
    assert not results["contact_center"].passed
    description = results["contact_center"].description
    assert "(row_count)" in description
    assert f"contact_center {DAY}: no file delivered" in description
    assert f"{NEXT}: no file delivered" not in description


def test_an_accepted_batch_passes_and_its_bad_rows_stay_out(night: Night) -> None:
    _broken_export(night)
    assert not night.judge()["contact_center"].passed
    relative = f"contact_center/{DAY}/contacts_retry.jsonl"
    with duckdb.connect(str(night.db)) as con:
        rows = accept(con, relative, "retry export, known broken", night.landing, by="ops")
        assert [file for _, _, file, _ in rows] == [relative]
        assert batch_check_result(con, rules.for_source("contact_center")).passed
        assert con.execute(
            "select count(*) from raw.rejected_rows where load_id = ?", [rows[0][0]]
        ).fetchone() == (30,)


def test_history_before_the_earliest_date_names_the_setting_and_loads_once_it_changes(
    night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real log older than gate_earliest_date: every row is kept out by a setting, so the
    message names the setting and how to change it (cjm accept would publish none of it); once
    the setting changes, the file loads again, replacing its first load."""
    import dataclasses

    default = rules.for_source
    # the day's 10 legs stand for a real log: above the noise floor of a few kept-out rows
    later = dataclasses.replace(
        default("contact_center"), earliest_date=str(NEXT), min_quarantined_rows=5
    )
    monkeypatch.setattr(
        rules, "for_source", lambda name: later if name == "contact_center" else default(name)
    )
    results = night.judge()
    description = results["contact_center"].description
    assert not results["contact_center"].passed
    assert f"dated before the setting gate_earliest_date ({NEXT}, local time)" in description
    assert "cjm accept" not in description, description
    [(reason,)] = night.sql(
        "select distinct regexp_replace(reason, '^.* UTC ', '') from raw.rejected_rows"
        " where rule = 'timestamp_before_earliest_date'"
    )
    assert reason == f"(before {NEXT} UTC, gate_earliest_date)"

    monkeypatch.setattr(rules, "for_source", default)  # the operator admits the history
    results = night.judge()
    assert results["contact_center"].passed, results["contact_center"].description
    assert night.sql(
        "select count(*), count(superseded_by) from raw.load_ledger where file = ?",
        [f"contact_center/{DAY}/contacts.jsonl.gz"],
    ) == [(2, 1)]
