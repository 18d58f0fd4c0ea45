"""A blocked run is never shown as current: when the pages cannot be rebuilt, the stale banner
still goes onto the pages already there (issue 17, finding 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.run_state import BlockedRun
from orchestration.settings import Settings
from reports import build


def _page(folder: Path, name: str, banner: str = "") -> Path:
    path = folder / name
    path.write_text(f"<html><body><nav>menu</nav>{banner}<main>figures</main></body></html>\n")
    return path


def test_the_banner_reaches_every_page_when_the_rebuild_fails(
    cjm_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env()
    settings.reports_dir.mkdir(parents=True)
    old = '<div class="banner" id="stale-banner">Data stale since yesterday</div>'
    index = _page(settings.reports_dir, "index.html")
    voc = _page(settings.reports_dir, "voc.html", banner=old)
    blocked = BlockedRun("abcdef123456", "2026-09-02 02:00:00", ["CHECK FAILED web"], "2026-09-01")
    monkeypatch.setattr("orchestration.run_state.blocked_run", lambda settings: blocked)

    def unreadable(settings, blocked, self_contained=False):
        raise OSError("published file unreadable")

    monkeypatch.setattr(build, "build_reports", unreadable)
    with pytest.raises(OSError, match="unreadable"):
        build.build_reports_for_latest_run(settings)
    for page in (index, voc):
        text = page.read_text()
        assert text.count('id="stale-banner"') == 1, page.name
        assert "stale since 2026-09-01 UTC" in text and "CHECK FAILED web" in text
        assert "<main>figures</main>" in text  # the figures stay, under the banner
