"""`cjm serve` and `cjm ui` stop their whole process tree, and never run two daemons on a home.
The service end to end (a landed day published, SIGTERM): tests/e2e/test_serve.py."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from orchestration import service
from orchestration.settings import Settings

# a child that ignores SIGTERM and leaves a grandchild that ignores it too; each says "ready"
# once it ignores it
STUBBORN = (
    "import signal, subprocess, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "grandchild = subprocess.Popen([sys.executable, '-c', 'import signal, time;"
    ' signal.signal(signal.SIGTERM, signal.SIG_IGN); print("ready", flush=True);'
    " time.sleep(60)'], stdout=subprocess.PIPE, text=True)\n"
    "grandchild.stdout.readline()\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


def test_stopping_a_tree_kills_what_ignores_sigterm_and_leaves_nothing() -> None:
    child = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    tree = [child.pid, *service.descendants(child.pid)]
    assert len(tree) >= 2  # the child, its grandchild (a coverage or tracker helper may join)
    started = time.monotonic()
    assert service.stop_tree(child.pid, grace=1.0) >= 2  # both ignored SIGTERM: killed
    assert time.monotonic() - started < 5
    child.wait(timeout=5)
    assert not [pid for pid in tree if Path(f"/proc/{pid}").exists() and service._alive(pid)]


def test_a_tree_that_stops_on_sigterm_is_not_killed() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    assert service.stop_tree(child.pid, grace=5.0) == 0  # stopped (and reaped) on SIGTERM
    assert not service._alive(child.pid)


def test_one_service_per_home_and_the_ui_runs_no_second_daemon(tmp_path: Path) -> None:
    settings = Settings.from_env(home=tmp_path / "home")
    assert service.serving(settings) is None
    with service._serve_lock(settings):
        assert service.serving(settings).startswith("`cjm serve` (pid ")
        try:
            with service._serve_lock(settings):
                raise AssertionError("a second service started")
        except service.AlreadyServing as exc:
            assert "already runs" in str(exc)
        assert Path(service.ui_command(3000, with_daemon=False)[0]).name == "dagster-webserver"
    assert service.serving(settings) is None
    assert service.ui_command(3000, with_daemon=True)[1] == "dev"
