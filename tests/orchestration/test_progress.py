"""Progress on the terminal during a long step: a large landing file says when it is begun
(issue 17, finding 10)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from orchestration.ingestion import assets, loader
from orchestration.ingestion.sources import SOURCES
from orchestration.logging import PROGRESS_PREFIX, _ProgressFilter
from orchestration.settings import Settings
from orchestration.warehouse import connect


class _Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)


class _Context:
    def __init__(self) -> None:
        self.log = _Log()


def _record(message: str) -> logging.LogRecord:
    record = logging.LogRecord("cjm", logging.INFO, __file__, 1, message, None, None)
    record.dagster_meta = {"dagster_event": None, "orig_message": message}
    return record


def test_a_large_file_is_announced_before_it_is_read(
    cjm_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings.from_env()
    day = settings.landing_dir / "contact_center/2026-09-01"
    day.mkdir(parents=True)
    (day / "big.jsonl").write_text('{"contact_id": "k1"}\n' * 100)  # 2,100 bytes
    (day / "small.jsonl").write_text('{"contact_id": "k2"}\n')
    monkeypatch.setattr(assets, "LARGE_FILE_BYTES", 1000)
    context = _Context()
    con = connect(settings)
    try:
        loader.ingest_source(
            con,
            SOURCES["contact_center"],
            settings.landing_dir,
            on_start=lambda file: assets._announce_large(context, file),
        )
    finally:
        con.close()
    assert context.log.lines == [
        f"{PROGRESS_PREFIX}reading contact_center/2026-09-01/big.jsonl (0 MB) ..."
    ]
    progress = _ProgressFilter()
    shown = _record(context.log.lines[0])
    assert progress.filter(shown)
    assert shown.cjm_line == "  reading contact_center/2026-09-01/big.jsonl (0 MB) ..."
    assert not progress.filter(_record("contact_center/2026-09-01/small.jsonl: loaded"))
