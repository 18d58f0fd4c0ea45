"""Blocking Dagster asset checks that run the Great Expectations suites.

A failed check stops everything downstream of its asset, the publish step included.
"""

import contextlib
import ctypes

import dagster as dg
import pandas as pd
import pyarrow as pa

from orchestration.ingestion.sources import SourceSpec
from orchestration.quality import frames, rules
from orchestration.resources import Warehouse


def _release_memory() -> None:
    """Hand the memory a check freed back to the system: the run process lives on through dbt,
    whose DuckDB needs it (Arrow's pool and glibc's heap otherwise keep it, ~0.4 GiB after a
    27M-row web check). No gc.collect(): it costs ~0.3 s with Dagster and GX loaded, and the
    frames are freed when their last reference goes."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


RAW_EXPECTATIONS = "raw_expectations"
RAW_EXPECTATIONS_DESCRIPTION = (
    "Batch rules (Great Expectations) on the source's files not yet published or accepted: no"
    " file rejected whole, the share of rows kept out by row rules at most the threshold, no"
    " landing day missing (daily sources), each day's volume within the band of the same"
    " weekday (thresholds: dbt vars gate_* and the source's meta.gate)."
)


def _result(
    outcomes, metadata: dict, details: list[str] = (), check_name: str | None = None
) -> dg.AssetCheckResult:
    failures = [f"{o.suite}: {line}" for o in outcomes for line in o.failures]
    if failures:
        # the operator's words first (the source, the files, the rule, the way out), then the
        # expectations that failed: a line cut short still says what to do
        failures = [*details, *failures]
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(failures)[:2000] if failures else "all expectations met",
        metadata={
            **metadata,
            "expectations_evaluated": sum(o.evaluated for o in outcomes),
            "failed_expectations": dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in failures) or "none"
            ),
        },
    )


def _some(items: list[str], shown: int = 3) -> str:
    """The first few of a list, and how many more: "a, b, c and 7 more"."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def _batch_details(con, gate: rules.GateConfig, summary, volume) -> list[str]:
    """What an operator needs to act on a blocked batch, in their words: the source, which
    files, the rule, and the way out (a corrected file, `cjm accept`, or a setting)."""
    rejected = frames.rejected_files(con, gate)
    lines = []
    if rejected:
        reasons = sorted({reason for _, reason, _ in rejected})
        lines.append(
            f"{gate.source}: {len(rejected)} file(s) rejected whole ({_some(reasons, 2)}):"
            f" {_some([file for file, _, _ in rejected])}"
        )
    row = summary.iloc[0]
    by_setting = 0
    if (
        row.quarantined_share > gate.max_quarantined_share
        and row.rows_kept_out > gate.min_quarantined_rows
    ):
        kept_out = frames.kept_out_by_rule(con, gate)
        by_rule = ", ".join(f"{rule} {n}" for rule, n in kept_out)
        by_file = [f"{file} ({n})" for file, n in frames.kept_out_by_file(con, gate)]
        lines.append(
            f"{gate.source}: {row.rows_kept_out:.0f} of {row.rows_read:.0f} rows kept out"
            f" ({row.quarantined_share:.2%}, threshold {gate.max_quarantined_share:.2%}):"
            f" {by_rule}; in {_some(by_file)}"
        )
        by_setting = dict(kept_out).get(rules.EARLIEST_DATE_RULE, 0)
    rejected_days = {day for _, _, day in rejected}
    for day in volume.itertuples():
        missing = pd.isna(day.row_count)
        if missing and gate.daily and day.file_expected:
            delivered = day.day.date() in rejected_days
            lines.append(
                f"{gate.source} {day.day:%Y-%m-%d}: "
                + ("its file was rejected whole (above)" if delivered else "no file delivered")
            )
        elif (
            gate.volume
            and not missing
            and not pd.isna(day.low_bound)
            and not day.low_bound <= day.row_count <= day.high_bound
        ):
            lines.append(
                f"{gate.source} {day.day:%Y-%m-%d}: {day.row_count:.0f} rows, outside"
                f" {day.low_bound:.0f}-{day.high_bound:.0f} ({day.basis})"
            )
    if by_setting:
        # cjm accept cannot bring these rows back: only the setting can
        lines.append(
            f"{by_setting} rows are dated before the setting gate_earliest_date"
            f" ({gate.earliest_date}, local time): if that history is real, set an earlier date"
            " (dbt_project/dbt_project.yml vars: gate_earliest_date, or earliest_date in the"
            " source's meta.gate) and run again: the files load again under the new date"
        )
    # every kept-out row is the setting's and nothing else is wrong: accepting would publish
    # nothing of these files, so the setting is the only way
    only_the_setting = 0 < by_setting == row.rows_kept_out and len(lines) == 2
    if lines and not only_the_setting:
        lines.append(
            "the way out: a corrected file in landing (same name), or to publish it knowingly:"
            " cjm accept <file or batch> --reason '...'"
        )
    return lines


def batch_check_result(con, gate: rules.GateConfig) -> dg.AssetCheckResult:
    """The batch rules on one source's pending files (the `raw_expectations` check of its
    ingestion asset): files rejected whole, the kept-out share, missing days, the volume band;
    the failures and what to do about them in the description."""
    summary = frames.batch_summary(con, gate)
    volume = frames.daily_volume(con, gate)
    row = summary.iloc[0]
    outcomes = []
    # no pending file and no day to judge: every expectation holds, and Great Expectations
    # (seconds to import) is not loaded for it; a night with nothing new judges nothing
    if int(row.files) or not volume.empty:
        from expectations import suites
        from expectations.validation import validate

        outcomes.append(validate(f"{gate.source}_batch", summary, suites.batch_suite(gate)))
        if gate.daily or gate.volume:
            outcomes.append(validate(f"{gate.source}_volume", volume, suites.volume_suite(gate)))
    details = _batch_details(con, gate, summary, volume)
    return _result(
        outcomes,
        {
            "pending_files": int(row.files),
            "rows_read": int(row.rows_read),
            "rows_kept_out": int(row.rows_kept_out),
            "quarantined_share": float(row.quarantined_share),
            "days_judged": len(volume),
        },
        details,
        RAW_EXPECTATIONS,
    )


def raw_check_result(con, spec: SourceSpec) -> dg.AssetCheckResult:
    """The `raw_expectations` check of a source's ingestion asset, judged in its step."""
    try:
        return batch_check_result(con, rules.for_source(spec.name))
    finally:
        _release_memory()


def _kpi_check(
    model: str, ranges: tuple[tuple[str, float, float], ...]
) -> dg.AssetChecksDefinition:
    relation = f"kpi.{model}"

    @dg.asset_check(
        asset=dg.AssetKey(["kpi", model]),
        name="kpi_expectations",
        blocking=True,
        description=(
            "Great Expectations on the KPI table: every column within the range of its dbt "
            "value_between test (ratios in [0, 1], NPS in [-100, 100], ...), and where it applies "
            "KPI counts reconcile with the facts and every day of the period is present."
        ),
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        from expectations import suites
        from expectations.validation import validate

        con = warehouse.connect(read_only=True)
        try:
            outcomes = [validate(model, frames.table(con, relation), suites.kpi_suite(ranges))]
            if relation in frames.RECONCILIATIONS:
                outcomes.append(
                    validate(
                        f"{model}_reconciles",
                        frames.reconciliation(con, relation),
                        suites.reconciliation_suite(),
                    )
                )
            if model == "kpi_contact_centre_daily":
                outcomes.append(
                    validate(f"{model}_calendar", frames.calendar(con), suites.calendar_suite())
                )
        finally:
            con.close()
        return _result(outcomes, {})

    return _check


def quality_checks() -> list[dg.AssetChecksDefinition]:
    """A range check per KPI model with ranges, derived from the dbt YAML (adding a KPI adds
    its check). Each source's batch rules are judged in its ingestion step (`raw_check_result`)."""
    return [_kpi_check(model, ranges) for model, ranges in rules.kpi_ranges().items()]
