"""Run logging: the whole log to a file, a short progress line per step on the terminal."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import dagster as dg

RUN_LOG_ENV = "CJM_RUN_LOG"
DBT_STEP = "cjm_dbt_assets"
# steps long enough to say when they start (dbt also prints its progress)
ANNOUNCED_STEPS = {DBT_STEP, "published_warehouse", "html_reports"}
# a step's own log message with this prefix is shown on the terminal too (a large file begun)
PROGRESS_PREFIX = "progress: "


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _ingestion_summary(meta: dict) -> str:
    loaded = meta.get("files_loaded", 0) - meta.get("files_rejected", 0)
    if not meta.get("files_loaded"):
        skipped = meta.get("files_skipped", 0)
        return f"nothing new ({_count(skipped, 'file')} already loaded)" if skipped else "no files"
    return (
        f"{_count(loaded, 'file')} loaded, {meta.get('files_rejected', 0)} rejected whole;"
        f" {meta.get('rows_read', 0)} rows read, {meta.get('rows_rejected', 0)} kept out"
    )


class _StepSummaries:
    """One line per step when it ends: what it did (files, rows, models, checks, tables) and how
    long it took, from the step's own events."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.built: dict[str, list[dict]] = {}
        self.checks: dict[str, list[bool]] = {}

    def line(self, event, created: float) -> str | None:
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START":
            self.started[step] = created
            return f"{step}: started" if step in ANNOUNCED_STEPS else None
        if kind == "ASSET_MATERIALIZATION":
            metadata = event.event_specific_data.materialization.metadata
            values = {k: getattr(v, "value", v) for k, v in metadata.items()}
            self.built.setdefault(step, []).append(values)
            return None
        if kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            self.checks.setdefault(step, []).append(bool(data.passed))
            if not data.passed:
                return f"check failed: {data.asset_key.to_user_string()}:{data.check_name}"
            return None
        if kind not in ("STEP_SUCCESS", "STEP_FAILURE"):
            return None
        took = created - self.started.get(step, created)
        verdict = "FAILED" if kind == "STEP_FAILURE" else self._summary(step)
        return f"{step}: {verdict} ({took:.1f} s)"

    def _summary(self, step: str) -> str:
        built, checks = self.built.get(step, []), self.checks.get(step, [])
        passed = f"{sum(checks)} of {_count(len(checks), 'check')} passed" if checks else ""
        if step == DBT_STEP:
            models = _count(len(built), "model")
            return f"{models} built" if built else "nothing new: skipped"
        if built and "files_loaded" in built[0]:
            return _ingestion_summary(built[0])
        if built and "tables" in built[0]:
            meta = built[0]
            return (
                f"{meta['tables']} tables ({meta.get('total_rows', 0)} rows) published, data"
                f" through {meta.get('data_through')}; {meta.get('exports', 0)} Parquet exports"
            )
        if built and "index" in built[0]:
            return f"reports written: {built[0]['index']}"
        return passed or "done"


class _ProgressFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._steps = _StepSummaries()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            meta = getattr(record, "dagster_meta", {})
            event, message = meta.get("dagster_event"), meta.get("orig_message") or ""
            if event is None:
                progress = message.startswith(PROGRESS_PREFIX)
                line = f"  {message.removeprefix(PROGRESS_PREFIX)}" if progress else None
            else:
                line = self._steps.line(event, record.created)
        except Exception:  # a progress line must never fail a run
            return False
        if line is None:
            return False
        record.cjm_line = line
        return True


class _ProgressFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{self.formatTime(record, '%H:%M:%S')}  {record.cjm_line}"


@dg.logger(description="Full log to $CJM_RUN_LOG (when set); step progress on stderr.")
def cjm_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"cjm.run.{id(init_context)}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.DEBUG)
    terminal.addFilter(_ProgressFilter())
    terminal.setFormatter(_ProgressFormatter())
    logger.addHandler(terminal)
    log_path = os.environ.get(RUN_LOG_ENV)
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_path, encoding="utf-8")
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(file_handler)
    return logger
