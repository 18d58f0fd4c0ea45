"""`cjm serve` runs by itself: a file dropped into landing is loaded, built and published with
no command typed (a micro-batch), and SIGTERM stops the service with no process left."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from orchestration.publish.writer import latest_publication
from orchestration.settings import Settings
from tests.conftest import CJM, E2E_HISTORY_DAYS, REPO, cjm_env, copy_days, e2e_day

pytestmark = pytest.mark.slow
ADVANCE_WITHIN_SECONDS = 300  # issue 29: published within 5 minutes at tier S


def _processes_of(home: Path) -> list[str]:
    """Every process whose environment names `home` as its CJM_HOME (this test's excepted)."""
    marker = f"CJM_HOME={home}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append((environ.parent / "cmdline").read_bytes().replace(b"\0", b" "))
        except OSError:
            continue
    return [cmd.decode(errors="replace")[:120] for cmd in found]


def test_a_landed_day_is_published_by_the_service_and_sigterm_leaves_no_process(
    fork: Path, simulated: Path
) -> None:
    home = fork
    settings = Settings.from_env(home=home)
    before = latest_publication(settings)
    service = subprocess.Popen(
        [str(CJM), "serve", "--micro-batch", "2"],
        cwd=REPO,
        env=cjm_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        copy_days(simulated, home, range(E2E_HISTORY_DAYS, E2E_HISTORY_DAYS + 1))
        dropped = time.monotonic()
        published = before
        while time.monotonic() - dropped < ADVANCE_WITHIN_SECONDS and service.poll() is None:
            time.sleep(2)
            published = latest_publication(settings)
            if published["run_id"] != before["run_id"]:
                break
        latency = time.monotonic() - dropped
        assert service.poll() is None, service.stdout.read()
        assert published["run_id"] != before["run_id"], (home / "logs/serve.log").read_text()[
            -3000:
        ]
        assert str(published["data_through"]) == e2e_day(E2E_HISTORY_DAYS)
        print(f"micro-batch: published {latency:.0f} s after the day's files landed")
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            output, _ = service.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
            raise
    assert service.returncode == 0, output
    assert "SIGTERM: stopping dagster-daemon" in output and "stopped" in output, output
    assert _processes_of(home) == []


def test_a_stale_home_makes_status_exit_1_and_alert(fork: Path, tmp_path: Path) -> None:
    """The e2e sample's data ends in September 2026: months past `published_max_age_days`."""
    alert = tmp_path / "alert.txt"
    env = {**cjm_env(fork), "CJM_NOTIFY_COMMAND": f"sh -c 'echo \"$1\" > {alert}' alert"}
    status = subprocess.run(
        [str(CJM), "status", "--alert"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert status.returncode == 1, status.stderr
    assert "published data: STALE" in status.stdout
    assert "source web.events: FRESH" in status.stdout  # loaded today
    sent = alert.read_text()
    assert f"cjm-warehouse {fork}: data STALE: published data: STALE" in sent
    document = subprocess.run(
        [str(CJM), "status", "--json"], cwd=REPO, env=env, capture_output=True, text=True
    )
    parsed = json.loads(document.stdout)
    assert document.returncode == 1 and parsed["stale"] is True
    assert {f["subject"] for f in parsed["freshness"] if f["level"] == "stale"} == {
        "published data"
    }


def test_a_run_that_leaves_the_data_stale_marks_every_page_and_alerts(
    fork: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `cjm run` and the service's sensor do after a run that succeeded (a night with
    nothing new too) when the data is stale: the banner on the pages already there, an alert."""
    from orchestration.alerts import after_success

    alert = tmp_path / "alert.txt"
    monkeypatch.setenv("CJM_NOTIFY_COMMAND", f"sh -c 'echo \"$1\" > {alert}' alert")
    settings = Settings.from_env(home=fork)
    pages = sorted((fork / "reports").glob("*.html"))
    for page in pages:  # as if built while the data was fresh
        text = page.read_text()
        page.write_text(text.replace('id="stale-banner"', 'id="was-a-banner"'))
    line = after_success(settings, "0123456789ab")
    assert line and line.startswith("after run 01234567, data STALE: published data: STALE")
    assert alert.read_text().strip() == f"cjm-warehouse {fork}: {line}"
    assert pages and all('id="stale-banner"' in page.read_text() for page in pages)
