"""dbt's stream goes to the run log; the terminal gets a progress line per quarter of the nodes
(issue 17, finding 10: `make run` printed ~760 lines of dbt's stream)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from orchestration.logging import RUN_LOG_ENV
from orchestration.transform.dbt_output import dbt_output_to_run_log


def test_dbt_lines_go_to_the_log_and_progress_to_the_terminal(tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "run.log"
    log.write_text("earlier lines\n")
    monkeypatch.setenv(RUN_LOG_ENV, str(log))
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    lines = ["Running with dbt=1.11", "1 of 8 START sql view model staging.a ... [RUN]"]
    lines += [
        f"{n} of 8 OK created sql view model staging.m{n} ... [OK in 0.1s]" for n in range(1, 9)
    ]
    with dbt_output_to_run_log():
        for line in lines:
            sys.stdout.write(line + "\n")
    assert log.read_text() == "earlier lines\n" + "".join(line + "\n" for line in lines)
    progress = [line.split("    ", 1)[1] for line in terminal.getvalue().splitlines()]
    assert progress == [f"dbt: {n} of 8 nodes done" for n in (2, 4, 6, 8)]


def test_without_a_run_log_dbt_output_stays_on_stdout(monkeypatch, capsys) -> None:
    monkeypatch.delenv(RUN_LOG_ENV, raising=False)
    with dbt_output_to_run_log():
        print("3 of 4 OK created sql view model x")
    assert "3 of 4 OK" in capsys.readouterr().out


def test_dbt_never_waits_for_its_reader() -> None:
    """dbt's stdout is drained as it is written: a process writing far more than a pipe holds
    (64 KiB) ends before anyone reads a line, and every line then comes out in order."""
    import subprocess

    from orchestration.transform.dbt_output import read_ahead

    writer = "import sys\nfor n in range(20000): sys.stdout.write(f'{n:09d}' * 10 + '\\n')"
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE)
    read_ahead(process)
    assert process.wait(timeout=30) == 0  # a plain pipe would block the writer here
    with process.stdout as stdout:
        lines = list(stdout)
    assert len(lines) == 20000
    assert lines[0] == b"000000000" * 10 + b"\n" and lines[-1].startswith(b"000019999")
    assert stdout.closed


def test_the_dbt_step_says_how_many_data_tests_passed() -> None:
    """Tests, not models or seeds, counted; a warned test counted apart."""
    from orchestration.transform.assets import data_tests_passed

    results = {
        "results": [
            {"unique_id": "model.cjm.fct_contacts", "status": "success"},
            {"unique_id": "test.cjm.not_null_a.1", "status": "pass"},
            {"unique_id": "test.cjm.unique_a.2", "status": "pass"},
            {"unique_id": "test.cjm.accepted_values_b.3", "status": "warn"},
            {"unique_id": "seed.cjm.voc_themes", "status": "success"},
        ]
    }
    assert data_tests_passed(results) == "dbt: 2 of 3 data tests passed, 1 warned"
    assert data_tests_passed({"results": results["results"][:3]}) == (
        "dbt: 2 of 2 data tests passed"
    )
