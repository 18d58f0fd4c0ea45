"""Run logging: the whole log to a file, a short progress line per step on the terminal."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import dagster as dg

RUN_LOG_ENV = "CJM_RUN_LOG"
DBT_STEP = "cjm_dbt_assets"
_SHOWN = {
    "STEP_START": "started",
    "STEP_SUCCESS": "done",
    "STEP_FAILURE": "FAILED",
}


class _ProgressFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return self._progress_line(record)
        except Exception:  # a progress line must never fail a run
            return False

    def _progress_line(self, record: logging.LogRecord) -> bool:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is None:
            return False
        if event.event_type_value in _SHOWN:
            record.cjm_line = f"{event.step_key}: {_SHOWN[event.event_type_value]}"
            return True
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            if not data.passed:
                record.cjm_line = (
                    f"check failed: {data.asset_key.to_user_string()}:{data.check_name}"
                )
                return True
        if event.event_type_value == "ASSET_MATERIALIZATION" and event.step_key != DBT_STEP:
            # dbt's ~100 models show as its progress lines instead (transform/dbt_output.py)
            record.cjm_line = f"  built {event.asset_key.to_user_string()}"
            return True
        return False


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
