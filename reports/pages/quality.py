"""Data quality: publications, the checks that passed the published run, the load ledger and
rejected rows."""

from __future__ import annotations

from orchestration.status import ledger_summary_sql
from reports.context import ReportContext
from reports.html import Page, Section, escape, table


def _blocked(ctx: ReportContext) -> Section:
    if ctx.blocked is None:
        return Section("Latest run", "<p class=ok>The latest run published these data.</p>")
    items = "".join(f"<li>{escape(line)}</li>" for line in ctx.blocked.failures)
    return Section(
        "Latest run: blocked",
        f"<p class=bad>Run {escape(ctx.blocked.run_id[:8])} (started {escape(ctx.blocked.started)}"
        f" UTC) failed; nothing was published.</p><ul>{items}</ul>",
    )


def build(ctx: ReportContext) -> Page:
    publications = ctx.frame(
        "select published_at, run_id, data_through, tables, total_rows from meta.publish_log"
        " order by published_at desc limit 10"
    )
    checks = ctx.frame(
        "select asset_key, check_name, passed, description from meta.check_results"
        " order by passed, asset_key, check_name"
    )
    by_asset = (
        checks.groupby("asset_key")
        .agg(checks=("passed", "size"), passed=("passed", "sum"))
        .reset_index()
    )
    by_asset["failed"] = by_asset["checks"] - by_asset["passed"]
    passed = int(checks["passed"].sum())
    checks_body = (
        table(by_asset, "checks-by-asset")
        + "<details><summary>Every check</summary>"
        + table(checks, "checks")
        + "</details>"
    )
    return Page(
        slug="quality",
        title="Data quality",
        sections=[
            _blocked(ctx),
            Section("Publications", table(publications, "publications")),
            Section(
                f"Checks of the published run: {passed} of {len(checks)} passed",
                checks_body,
                note="Every blocking check (dbt tests, Great Expectations suites, ledger "
                "reconciliation) evaluated in the run that published these data.",
            ),
            Section(
                "Load ledger by source",
                table(ctx.frame(ledger_summary_sql("meta.load_ledger")), "ledger"),
                note="Rows read = rows loaded + rows rejected for every file.",
            ),
            Section(
                "Sources",
                table(ctx.frame("select * from marts.dim_source order by source"), "sources"),
                note="What each landing source has delivered; KPIs and sections built on a "
                "source without data say no data.",
            ),
            Section(
                "Rows kept out, by source, against the gate's threshold",
                table(
                    ctx.frame("select * from meta.quarantine_by_source order by source"),
                    "quarantine",
                    {"kept_out_share": "{:.2%}", "max_quarantined_share": "{:.2%}"},
                ),
                note="A batch blocks when its share kept out is above max_quarantined_share and "
                "more than min_quarantined_rows rows were kept out (dbt vars gate_*, the "
                "source's meta.gate).",
            ),
            Section(
                "Loaded with a warning",
                table(
                    ctx.frame(
                        "select source, file, regexp_extract(reason, 'warning: (.*)$', 1)"
                        " as warning from meta.load_ledger where contains(reason, 'warning: ')"
                        " and superseded_by is null order by loaded_at desc"
                    ),
                    "ledger-warnings",
                ),
                note="A file that lacks a column the source's previous file had: it loaded, "
                "the column empty (a field the export dropped, or renamed: give the new name "
                "as an alias in the source's YAML).",
            ),
            Section(
                "Accepted knowingly",
                table(
                    ctx.frame(
                        "select accepted_at, accepted_by, source, file, batch_id, reason"
                        " from meta.accepted_loads order by accepted_at desc"
                    ),
                    "accepted",
                ),
                note="Files an operator published with cjm accept; their bad rows stay out.",
            ),
            Section(
                "Rejected rows by reason",
                table(
                    ctx.frame(
                        "select * from meta.rejects_by_reason order by rows_rejected desc, source"
                    ),
                    "rejects",
                ),
                note="The rows themselves stay in raw.rejected_rows of the build file.",
            ),
        ],
    )
