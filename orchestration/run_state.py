"""The state of the latest run: its failures, one line each, and whether it was blocked.

Below both the `cjm` command and the reports (which mark their pages stale with it); imports
neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestration.settings import Settings

_LOCK = re.compile(r'Could not set lock on file "([^"]+)".*?\(PID (\d+)\)', re.DOTALL)


def explain(message: str) -> str:
    """The first line of an error, with the cause named when it is a known one: the warehouse
    file held by another process, a full disk."""
    lock = _LOCK.search(message)
    if lock:
        return (
            f"{lock.group(1)} is held by another process (PID {lock.group(2)}): another run, a"
            " `dbt build`, or a client that opened it read-write; try again when it ends"
        )
    if any(sign in message for sign in ("No space left on device", "disk is full", "ENOSPC")):
        return "the disk is full (No space left on device): free space, then run again"
    return message.strip().splitlines()[0] if message.strip() else message


def failure_lines(events) -> list[str]:
    """One line per failed check that blocks and per failed step, with the innermost error
    message (a failed warning, a source's freshness, blocks nothing: `cjm status` shows it)."""
    lines = []
    for event in events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity.value != "WARN":
                detail = evaluation.description or ""
                # the operator's words come first (the source, files, rule, way out), then
                # the expectations: 600 characters hold them
                lines.append(
                    f"CHECK FAILED {evaluation.asset_key.to_user_string()}:"
                    f"{evaluation.check_name}: {detail[:600]}"
                )
        elif event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
                continue  # the failed check itself is reported above
            message = explain(error.message if error else "unknown error")
            lines.append(f"FAILED {event.step_key}: {message[:300]}")
    return lines


@dataclass(frozen=True)
class BlockedRun:
    """The latest run failed: what failed, and since when the published data is stale."""

    run_id: str
    started: str  # UTC, "YYYY-MM-DD HH:MM:SS"
    failures: list[str]
    stale_since: str | None  # UTC publication time of the data still published; None: never


def blocked_run(settings: Settings) -> BlockedRun | None:
    """The latest Dagster run when it failed (None when it succeeded or there is none)."""
    import dagster as dg

    from orchestration.publish.writer import latest_publication

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
        if not runs or runs[0].status.value != "FAILURE":
            return None
        run = runs[0]
        events = [
            record.event_log_entry.dagster_event
            for record in instance.get_records_for_run(run.run_id, limit=100_000).records
            if record.event_log_entry.dagster_event
        ]
        started = instance.get_run_stats(run.run_id).start_time
    latest = latest_publication(settings)
    return BlockedRun(
        run_id=run.run_id,
        started=format_time(started) if started else "",
        failures=failure_lines(events),
        stale_since=str(latest["published_at"]) if latest else None,
    )


def format_time(timestamp: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
