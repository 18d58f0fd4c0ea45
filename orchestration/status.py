"""`cjm status`: the load ledger per source, recent rejects and the last runs."""

from __future__ import annotations

import duckdb

from orchestration.run_state import blocked_run, format_time
from orchestration.settings import Settings
from orchestration.warehouse import connect


def ledger_summary_sql(table: str) -> str:
    """Per source: files, rows read / loaded / rejected and whether they reconcile. `table` is
    raw.load_ledger in the build file or meta.load_ledger in the published one."""
    return f"""
        select
            source,
            count(*) as files,
            count(*) filter (where status = 'rejected') as files_rejected,
            cast(sum(rows_read) as bigint) as rows_read,
            cast(sum(rows_loaded) as bigint) as rows_loaded,
            cast(sum(rows_rejected) as bigint) as rows_rejected,
            cast(sum(duplicates_exact) as bigint) as exact_duplicates,
            cast(sum(duplicates_conflicting) as bigint) as conflicting_duplicates,
            bool_and(rows_read = rows_loaded + rows_rejected) as reconciles,
            max(day) as latest_day,
            date_trunc('second', max(loaded_at)) as last_loaded_at
        from {table}
        group by source
        order by source
    """


def _table(headers: list[str], rows: list[tuple]) -> str:
    cells = [headers, *[["" if v is None else str(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def landing_report(settings: Settings) -> str:
    """Landing folders no source reads, and files no source loads (a name starting with a
    dot): they would otherwise wait there unseen."""
    from orchestration.ingestion.files import hidden_files, unknown_folders
    from orchestration.ingestion.sources import SOURCES

    lines = []
    folders = unknown_folders(settings.landing_dir, list(SOURCES))
    if folders:
        lines.append(
            f"landing folders no source reads (not loaded): {', '.join(folders)}"
            " (a typo, or a source not declared: docs/sources.md)"
        )
    hidden = hidden_files(settings.landing_dir, list(SOURCES))
    if hidden:
        shown = ", ".join(hidden[:5]) + (f" and {len(hidden) - 5} more" if len(hidden) > 5 else "")
        lines.append(
            f"landing files skipped, their names starting with a dot (not loaded): {shown}"
        )
    return "\n".join(lines)


def ledger_report(settings: Settings) -> str:
    if not settings.build_db.exists():
        return "warehouse: not built yet (run `cjm run` or `cjm demo`)"
    try:
        con = connect(settings, read_only=True)
    except duckdb.IOException:
        return "warehouse: busy (a run holds the write lock); try again when it finishes"
    try:
        has_ledger = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw'"
            " and table_name = 'load_ledger'"
        ).fetchone()[0]
        if not has_ledger:
            return "load ledger: empty"
        summary = con.execute(ledger_summary_sql("raw.load_ledger")).fetchall()
        reasons = con.execute(
            "select source, coalesce(rule, 'unreadable') as rule, split_part(reason, ':', 1),"
            " count(*) as n from raw.rejected_rows group by all"
            " order by n desc, source, rule limit 12"
        ).fetchall()
        pending = _pending(con)
        accepted = con.execute(
            "select date_trunc('second', accepted_at), accepted_by, source, file, reason"
            " from meta.accepted_loads order by accepted_at desc limit 10"
        ).fetchall()
        rejected_files = con.execute(
            "select file, reason from raw.load_ledger where status = 'rejected'"
            " order by loaded_at desc"
        ).fetchall()
        standing = con.execute(
            "select file from raw.load_ledger where status <> 'rejected'"
            " and superseded_by is null order by file"
        ).fetchall()
        warnings = con.execute(
            "select file, regexp_extract(reason, 'warning: (.*)$', 1) from raw.load_ledger"
            " where contains(reason, 'warning: ') and superseded_by is null"
            " order by loaded_at desc"
        ).fetchall()
        erasures = (
            con.execute(
                "select erasure_id, date_trunc('second', erased_at) from raw.erasure_log"
                " where completed_at is null order by erased_at"
            ).fetchall()
            if con.execute(
                "select count(*) from duckdb_columns() where schema_name = 'raw'"
                " and table_name = 'erasure_log' and column_name = 'completed_at'"
            ).fetchone()[0]
            else []
        )
    finally:
        con.close()
    out = [
        "Load ledger (rows read = loaded + rejected):",
        _table(
            [
                "source",
                "files",
                "rejected files",
                "read",
                "loaded",
                "rejected",
                "exact dups",
                "conflicting dups",
                "reconciles",
                "latest day",
                "last loaded at",
            ],
            summary,
        ),
    ]
    if pending:
        out += [
            "",
            "Not yet published (judged by the gate on the next run):",
            _table(["source", "files", "rows read", "kept out", "share", "threshold"], pending),
        ]
    if reasons:
        out += [
            "",
            "Rows kept out, by rule (raw.rejected_rows):",
            _table(["source", "rule", "reason", "rows"], reasons),
        ]
    if accepted:
        out += [
            "",
            "Accepted knowingly (cjm accept, meta.accepted_loads):",
            _table(["accepted at (UTC)", "by", "source", "file", "reason"], accepted),
        ]
    if rejected_files:
        out += ["", "Rejected files:", _table(["file", "reason"], _newest(rejected_files))]
    gone = [(file,) for (file,) in standing if not (settings.landing_dir / file).exists()]
    if gone:
        out += [
            "",
            "Loaded files no longer in landing (their rows stay loaded; a corrected delivery"
            " under the same name withdraws them):",
            _table(["file"], _newest(gone)),
        ]
    if warnings:
        out += [
            "",
            "Loaded with a warning (a column the previous file had is missing):",
            _table(["file", "warning"], _newest(warnings)),
        ]
    if erasures:
        out += [
            "",
            "Erasures that did not finish (killed?): `cjm erase` again finishes them:",
            _table(["erasure", "started (UTC)"], erasures),
        ]
    return "\n".join(out)


def _newest(rows: list[tuple], shown: int = 10) -> list[tuple]:
    """The first `shown` rows, and a last row saying how many more there are."""
    if len(rows) <= shown:
        return rows
    more = (f"... and {len(rows) - shown} more",) + ("",) * (len(rows[0]) - 1)
    return [*rows[:shown], more]


def _pending(con) -> list[tuple]:
    """Per source with unpublished files: files, rows, rows kept out, their share and the
    threshold the gate holds it to."""
    from orchestration.quality import frames, rules

    rows = []
    for source in sorted(rules.load()):
        gate = rules.for_source(source)
        summary = frames.batch_summary(con, gate).iloc[0]
        if summary.files:
            rows.append(
                (
                    source,
                    int(summary.files),
                    int(summary.rows_read),
                    int(summary.rows_kept_out),
                    f"{summary.quarantined_share:.2%}",
                    f"{gate.max_quarantined_share:.2%}",
                )
            )
    return rows


def _publication(settings: Settings) -> str:
    from orchestration.publish.writer import latest_publication

    try:
        latest = latest_publication(settings)
    except duckdb.Error as exc:
        return f"published warehouse: cannot read ({exc})"
    if latest is None:
        return "published warehouse: nothing published yet"
    return (
        f"Last publication: {latest['published_at']} UTC by run {latest['run_id'][:8]}, "
        f"{latest['tables']} tables, {latest['total_rows']} rows, data through "
        f"{latest['data_through']}\n  {settings.published_db}"
    )


def _last_run_problems(settings: Settings) -> str:
    blocked = blocked_run(settings)
    if blocked is None:
        return ""
    stale = (
        f"the published data is stale since {blocked.stale_since} UTC"
        if blocked.stale_since
        else "nothing has been published yet"
    )
    lines = [f"Latest run {blocked.run_id[:8]} (started {blocked.started}) was BLOCKED; {stale}:"]
    lines += [f"  {line}" for line in blocked.failures]
    return "\n".join(lines)


def _runs(settings: Settings) -> str:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=5)
        rows = []
        for run in runs:
            stats = instance.get_run_stats(run.run_id)
            started = stats.start_time and format_time(stats.start_time)
            took = (
                f"{stats.end_time - stats.start_time:.0f}s"
                if stats.end_time and stats.start_time
                else ""
            )
            rows.append(
                (run.run_id[:8], run.job_name, run.status.value, started, took, stats.steps_failed)
            )
    if not rows:
        return "runs: none yet"
    return "Last runs:\n" + _table(
        ["run", "job", "status", "started (UTC)", "took", "failed steps"], rows
    )


def _freshness(findings: list) -> str:
    if not findings:
        return ""
    return "Freshness (dbt source freshness; var published_max_age_days):\n" + "\n".join(
        f"  {finding.line()}" for finding in findings
    )


def status_document(settings: Settings, findings: list) -> dict:
    """`cjm status --json`: the publication, the freshness findings and the blocked run."""
    from orchestration.freshness import stale
    from orchestration.publish.writer import latest_publication

    try:
        publication = latest_publication(settings)
    except duckdb.Error:
        publication = None
    blocked = blocked_run(settings)
    return {
        "home": str(settings.home),
        "stale": bool(stale(findings)),
        "blocked": None
        if blocked is None
        else {
            "run_id": blocked.run_id,
            "started": blocked.started,
            "stale_since": blocked.stale_since,
            "failures": blocked.failures,
        },
        "publication": None
        if publication is None
        else {key: str(value) for key, value in publication.items()},
        "freshness": [finding.as_dict() for finding in findings],
    }


def render_status(settings: Settings, findings: list) -> str:
    sections = [
        f"CJM_HOME: {settings.home}",
        _publication(settings),
        _freshness(findings),
        _last_run_problems(settings),
        landing_report(settings),
        ledger_report(settings),
        _runs(settings),
    ]
    return "\n\n".join(section for section in sections if section)
