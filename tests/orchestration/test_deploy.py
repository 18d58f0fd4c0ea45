"""What a team runs the service with: the systemd unit verifies, the container image builds
where a container engine runs (neither is faked: each is skipped, saying why, where the tool
is missing)."""

from __future__ import annotations

import getpass
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def test_the_systemd_units_verify_clean(tmp_path: Path) -> None:
    """`systemd-analyze verify` on the units as installed (paths of this checkout, this user):
    no error and no warning (a misspelt setting is only a warning to systemd)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not on this machine")
    service = (DEPLOY / "cjm.service").read_text()
    assert "ExecStart=/opt/cjm-warehouse/.venv/bin/cjm serve" in service
    assert "KillMode=mixed" in service  # SIGTERM to `cjm serve` alone; it stops its tree
    assert "cjm status --alert" in (DEPLOY / "cjm-watch.service").read_text()
    user = getpass.getuser()
    for name in ("cjm.service", "cjm-watch.service", "cjm-watch.timer"):
        installed = tmp_path / name
        installed.write_text(
            (DEPLOY / name)
            .read_text()
            .replace("/opt/cjm-warehouse", str(REPO))
            .replace("/var/lib/cjm", str(tmp_path / "home"))
            .replace("User=cjm", f"User={user}")
            .replace("Group=cjm", f"Group={user}")
        )
    for name in ("cjm.service", "cjm-watch.timer"):  # the timer verifies its service too
        result = subprocess.run(
            ["systemd-analyze", "verify", str(tmp_path / name)], capture_output=True, text=True
        )
        assert result.returncode == 0 and not result.stderr.strip(), (name, result.stderr)


@pytest.mark.slow  # builds an image: the slow lane
def test_the_container_image_builds() -> None:
    docker = shutil.which("docker") or shutil.which("podman")
    if docker is None:
        pytest.skip("no container engine (docker, podman) on this machine")
    if subprocess.run([docker, "info"], capture_output=True).returncode != 0:
        pytest.skip(f"{docker} is installed but its daemon does not run here")
    result = subprocess.run(
        [docker, "build", "-f", str(DEPLOY / "Dockerfile"), "-t", "cjm-warehouse:test", str(REPO)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
