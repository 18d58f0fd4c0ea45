"""Loading landing files into the raw schema: one transaction per file, a ledger, rejects.

Rows read = rows loaded + rows rejected, for every file. A file whose checksum is already in
the ledger is skipped, so re-running a day loads nothing twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from orchestration.erasure import matching
from orchestration.ingestion import files
from orchestration.ingestion.sources import EPOCH_UNITS, SourceSpec, key_path
from orchestration.quality import rules
from orchestration.settings import centre_timezone

INPUT_BATCH_ROWS = 50_000
INGEST_CHECKPOINT_THRESHOLD = "1GB"  # write-ahead log kept while a source's files load
LINEAGE_COLUMNS = (
    ("_extra", "JSON"),
    ("_file", "VARCHAR"),
    ("_day", "DATE"),
    ("_row", "BIGINT"),
    ("_load_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)

LEDGER_DDL = """
create table if not exists raw.load_ledger (
    load_id varchar primary key,
    source varchar not null,
    file varchar not null,
    day date,
    sha256 varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    status varchar not null,
    reason varchar,
    extra_columns varchar[],
    loaded_at timestamp not null,
    batch_id varchar,
    duplicates_exact bigint not null default 0,
    duplicates_conflicting bigint not null default 0,
    published_at timestamp,
    superseded_by varchar,
    superseded_at timestamp
)
"""
# Files an operator published knowingly (`cjm accept`): who, when and why, per ledger row.
ACCEPTED_LOADS_DDL = """
create table if not exists meta.accepted_loads (
    load_id varchar not null,
    source varchar not null,
    file varchar not null,
    batch_id varchar,
    accepted_at timestamp not null,
    accepted_by varchar not null,
    reason varchar not null
)
"""
LEDGER_ADDED_COLUMNS = (  # columns added since the first ledger: older warehouses get them
    "batch_id varchar",
    "duplicates_exact bigint default 0",
    "duplicates_conflicting bigint default 0",
    "published_at timestamp",
    "superseded_by varchar",
    "superseded_at timestamp",
    "missing_columns varchar[]",  # contract columns the file lacked (loaded empty)
)

# The records a corrected delivery withdrew: a file re-delivered under the same name replaces
# the records of the delivery it supersedes; they are kept here, whole, with the load that
# withdrew them (raw table rows + these = every row the ledger says was loaded).
SUPERSEDED_DDL = """
create table if not exists raw.superseded_rows (
    load_id varchar not null,
    source varchar not null,
    file varchar not null,
    row_number bigint not null,
    record json not null,
    superseded_by varchar not null,
    superseded_at timestamp not null
)
"""

# Customers erased on request (`cjm erase`): salted hashes of their identifiers, which every
# load keeps out. The erasure writes it; the loader reads it.
SUPPRESSED = "raw.suppressed_identifiers"
SUPPRESSED_DDL = f"""
create table if not exists {SUPPRESSED} (
    kind varchar not null,
    identifier_hash varchar not null,
    erasure_id varchar not null
)
"""

# What each landing file held when it was last read: its checksum, under the file's size and
# modification and change times. A file whose stat is unchanged is not read again to learn
# that it was loaded (tier M's year of landing is 9 GB to read and hash every night); any
# write to it changes its change time, which no tool can set back.
LANDING_STATS = "raw.landing_file_stats"
LANDING_STATS_DDL = f"""
create table if not exists {LANDING_STATS} (
    file varchar primary key,
    size_bytes bigint not null,
    mtime_ns bigint not null,
    ctime_ns bigint not null,
    sha256 varchar not null
)
"""

REJECTS_DDL = """
create table if not exists raw.rejected_rows (
    load_id varchar not null,
    source varchar not null,
    file varchar not null,
    row_number bigint not null,
    line_number bigint not null,
    reason varchar not null,
    raw_line varchar not null,
    rule varchar
)
"""


@dataclass
class FileResult:
    file: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    duplicates_exact: int = 0  # loaded rows identical to an earlier copy of their key
    duplicates_conflicting: int = 0  # loaded rows whose key has an earlier, different copy


@dataclass
class SourceResult:
    source: str
    files: list[FileResult] = field(default_factory=list)
    skipped: int = 0

    def total(self, attribute: str) -> int:
        return sum(getattr(result, attribute) for result in self.files)


def ensure_tables(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    """Create the raw schema, ledger, rejects and the source's raw table (adding new columns)."""
    con.execute("create schema if not exists raw")
    con.execute(LEDGER_DDL)
    for column in LEDGER_ADDED_COLUMNS:
        con.execute(f"alter table raw.load_ledger add column if not exists {column}")
    con.execute(REJECTS_DDL)
    con.execute("alter table raw.rejected_rows add column if not exists rule varchar")
    con.execute(SUPERSEDED_DDL)
    con.execute(SUPPRESSED_DDL)
    con.execute(LANDING_STATS_DDL)
    con.execute("create schema if not exists meta")
    con.execute(ACCEPTED_LOADS_DDL)
    wanted = [(c.name, c.type) for c in spec.columns] + list(LINEAGE_COLUMNS)
    columns_sql = ",\n    ".join(f'"{name}" {type_}' for name, type_ in wanted)
    con.execute(f"create table if not exists {spec.raw_table} (\n    {columns_sql}\n)")
    schema, table = spec.raw_table.split(".")
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    for name, type_ in wanted:
        if name not in existing:
            con.execute(f'alter table {spec.raw_table} add column "{name}" {type_}')


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _typed(column, value_sql: str) -> str:
    if column.type == "TIMESTAMP" and column.unit:
        microseconds = f"try_cast({value_sql} as bigint) * {EPOCH_UNITS[column.unit]}"
        return f"make_timestamp({microseconds})"
    if column.type == "TIMESTAMP":
        return f"(try_cast({value_sql} as timestamptz) at time zone 'UTC')"
    if column.type == "VARCHAR":
        return value_sql
    return f"try_cast({value_sql} as {column.type})"


def _typing_sql(
    spec: SourceSpec, values: dict[str, str], extra: list[str], source: str, loaded_at
) -> str:
    """SELECT over `source` giving typed columns, `_extra`, and a kept-out row's `_reason` and
    `_rule`: the row could not be read (`unreadable`), lacks a required value
    (`required_value_missing`), holds a value that cannot be typed (`untypeable_value`), or breaks
    one of the source's row rules (their names, `orchestration/quality/rules.py`).

    `_raw` is kept for kept-out rows only: a loaded row's text is not needed twice.
    """
    selects, checks, required, untypeable = [], [], [], []
    for column in spec.columns:
        value = values.get(column.name, "null::varchar")
        raw_value = f"nullif({value}, '')"
        typed = _typed(column, raw_value)
        selects.append(f'{typed} as "{column.name}"')
        if column.required:
            required.append(f"{raw_value} is null")
            checks.append(
                f"case when {raw_value} is null then 'column {column.name}: required value"
                " missing' end"
            )
        if column.type != "VARCHAR":
            untypeable.append(f"({raw_value} is not null and {typed} is null)")
            checks.append(
                f"case when {raw_value} is not null and {typed} is null then"
                f" 'column {column.name}: cannot read ' || {raw_value} || ' as {column.type}'"
                " end"
            )
    if extra:
        pairs = ", ".join(f"{_quote(name)}, {values[name]}" for name in extra)
        selects.append(f"json_object({pairs}) as _extra")
    else:
        selects.append("null::json as _extra")
    unread_rule = (
        "case when _error is not null then 'unreadable'"
        + (f" when {' or '.join(required)} then 'required_value_missing'" if required else "")
        + (f" when {' or '.join(untypeable)} then 'untypeable_value'" if untypeable else "")
        + " end"
    )
    unread_reason = f"coalesce(_error, nullif(concat_ws('; ', {', '.join(checks)}), ''))"
    violations = row_rule_checks(spec, rules.for_source(spec.name), loaded_at)
    messages = ", ".join(f"case when {c} then {m} end" for _, c, m in violations)
    rule_reason = f"nullif(concat_ws('; ', {messages}), '')" if violations else "null::varchar"
    rule_name = (
        "case " + " ".join(f"when {c} then {_quote(n)}" for n, c, _ in violations) + " end"
        if violations
        else "null::varchar"
    )
    columns = ", ".join(f'"{column.name}"' for column in spec.columns)
    return (
        "select _row, _line, _reason, _rule,"
        " case when _reason is not null then rtrim(_raw, chr(10)) end as _raw, "
        f"{columns}, _extra from (select *, coalesce(_unread_reason, {rule_reason}) as _reason,"
        f" coalesce(_unread_rule, {rule_name}) as _rule from (select _row, _line, _raw, "
        + ",\n    ".join(selects)
        + f",\n    {unread_reason} as _unread_reason, {unread_rule} as _unread_rule"
        f"\nfrom {source}))"
    )


def row_rule_checks(
    spec: SourceSpec, gate: rules.GateConfig, loaded_at
) -> list[tuple[str, str, str]]:
    """(rule name, SQL condition that breaks it, SQL message) over the typed columns."""
    types = {column.name: column.type for column in spec.columns}
    checks: list[tuple[str, str, str]] = []
    timezone = centre_timezone()

    def col(name: str) -> str:
        if name not in types:
            raise ValueError(f"{spec.name}: row rule names unknown column {name!r}")
        return f'"{name}"'

    for rule in gate.row_rules:
        if rule.kind == "in_order":
            for i, earlier in enumerate(rule.columns):
                for later in rule.columns[i + 1 :]:
                    checks.append(
                        (
                            rule.name,
                            f"{col(earlier)} > {col(later)}"
                            + (
                                f" + interval {rule.tolerance_seconds} second"
                                if rule.tolerance_seconds
                                else ""
                            ),
                            f"'{rule.name}: {later} ' || {col(later)}::varchar"
                            f" || ' before {earlier} ' || {col(earlier)}::varchar",
                        )
                    )
        elif rule.kind == "not_negative":
            for name in rule.columns:
                checks.append(
                    (rule.name, f"{col(name)} < 0", f"'{rule.name}: {name} ' || {col(name)}")
                )
        else:
            name = rule.columns[0]
            bounds = []
            if rule.low is not None:
                bounds.append(f"{col(name)} < {rule.low}")
            if rule.high is not None:
                bounds.append(f"{col(name)} > {rule.high}")
            checks.append(
                (
                    rule.name,
                    "(" + " or ".join(bounds) + ")",
                    f"'{rule.name}: {name} ' || {col(name)} || ' not in [{rule.low}, {rule.high}]'",
                )
            )
    latest = (
        f"timestamp '{loaded_at:%Y-%m-%d %H:%M:%S}' + interval {gate.future_tolerance_hours} hour"
    )
    for name, type_ in types.items():
        if type_ != "TIMESTAMP":
            continue
        checks.append(
            (
                "timestamp_in_future",
                f"{col(name)} > {latest}",
                f"'timestamp_in_future: {name} ' || {col(name)}::varchar",
            )
        )
        # the earliest date is a local date: midnight in the centre's time zone, not in UTC
        local = (
            col(name) if timezone == "UTC" else f"timezone('{timezone}', {col(name)}::timestamptz)"
        )
        checks.append(
            (
                rules.EARLIEST_DATE_RULE,
                f"{local} < date '{gate.earliest_date}'",
                f"'{rules.EARLIEST_DATE_RULE}: {name} ' || {col(name)}::varchar || ' UTC"
                f" {earliest_bound(gate, timezone)}'",
            )
        )
    return checks


def earliest_bound(gate: rules.GateConfig, timezone: str) -> str:
    """The earliest-date setting as a kept-out row's reason states it: a file whose rows were
    kept out under another bound is read again (`_reconsidered`)."""
    return f"(before {gate.earliest_date} {timezone}, gate_earliest_date)"


def _reconsidered(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> set[str]:
    """Loaded files (sha256) with rows kept out by an earliest date other than today's: the
    setting changed (an operator admitted older history), so they load again, replacing their
    earlier load."""
    bound = earliest_bound(rules.for_source(spec.name), centre_timezone())
    return {
        sha
        for (sha,) in con.execute(
            "select distinct ledger.sha256 from raw.load_ledger as ledger"
            " inner join raw.rejected_rows as kept_out on kept_out.load_id = ledger.load_id"
            " where ledger.source = ? and ledger.status <> 'rejected'"
            " and ledger.superseded_by is null"
            " and kept_out.rule = ? and not contains(kept_out.reason, ?)",
            [spec.name, rules.EARLIEST_DATE_RULE, bound],
        ).fetchall()
    }


def _addressable(key: str) -> bool:
    """A record key a JSON path can name: DuckDB reads `$."*"` as a wildcard and cannot parse
    `$.""` or a key ending in a backslash."""
    return key != "" and "*" not in key and "\\" not in key


def _json_source(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> tuple[str, dict, list, list]:
    """Validate the JSON lines of `_input`; extract every key of a valid line in one pass.

    Returns the FROM clause (a subquery with `_values`/`_extras` lists per row), the value
    expression of each key, the extra (non-contract) keys and the contract's top-level keys
    no record has. A contract column found under one of its `aliases` (a renamed field) takes
    it, as in a CSV header. A key no JSON path can name
    (empty, `*`, a backslash) is read by a lookup of its own, never by a path that would fail or
    match every key.
    """
    keys = {
        row[0]
        for row in con.execute(
            "select distinct unnest(json_keys(_raw)) from _input"
            " where _error is null and json_valid(_raw)"
        ).fetchall()
    }
    # a top-level column the records hold under one of its aliases (a renamed field) reads it
    aliased = {}
    for column in spec.columns:
        alias = next((name for name in column.aliases if name in keys), None)
        if column.path is None and column.name not in keys and alias is not None:
            aliased[column.name] = alias
    paths = {
        column.name: key_path(aliased[column.name]) if column.name in aliased else column.json_path
        for column in spec.columns
    }
    lacking = [  # contract columns no record holds, under their key or an alias
        column
        for column in spec.columns
        if keys
        and column.top_level_key
        and column.top_level_key not in keys
        and column.name not in aliased
    ]
    if keys:
        missing = [column.name for column in lacking if column.required]
        if missing:
            raise files.FileRejected(f"missing required column(s): {', '.join(missing)}")
    mapped = {column.top_level_key for column in spec.columns} | set(aliased.values())
    extra = [] if spec.keeps_whole_record else sorted(keys - mapped)
    safe = [name for name in extra if _addressable(name)]
    awkward = [name for name in extra if not _addressable(name)]
    # One json_extract over a list of paths parses each line once (per-key calls parse it once
    # per key: about 6x slower on web events).
    contract_paths = ", ".join(_quote(paths[name]) for name in spec.column_names)
    extra_lists = (
        f", case when _error is null then json_extract(_raw, "
        f"[{', '.join(_quote(key_path(name)) for name in safe)}]) end as _extras"
        if safe
        else ""
    )
    lookups = "".join(
        f", case when _error is null then (select entry.value from json_each(_raw) as entry"
        f" where entry.key = {_quote(name)}) end as _awkward_{i}"
        for i, name in enumerate(awkward, start=1)
    )
    source = (
        "(select _row, _line, _raw, _error, case when _error is null then"
        f" json_extract_string(_raw, [{contract_paths}]) end as _values{extra_lists}{lookups}"
        " from (select _row, _row as _line, _raw, case"
        " when _error is not null then _error"
        # trim() is slow on long lines: only invalid lines need it (a JSON line keeps its
        # newline, files.read_json_lines)
        " when not json_valid(_raw)"
        " then case when trim(_raw, e' \\t\\r\\n') = '' then 'empty line'"
        " else 'malformed JSON' end"
        # valid JSON that starts with a brace is an object: the common case parses once
        " when not starts_with(_raw, '{') and json_type(_raw) <> 'OBJECT'"
        " then 'not a JSON object'"
        " end as _error from _input))"
    )
    values = {name: f"_values[{i}]" for i, name in enumerate(spec.column_names, start=1)}
    values.update({name: f"_extras[{i}]" for i, name in enumerate(safe, start=1)})
    values.update({name: f"_awkward_{i}" for i, name in enumerate(awkward, start=1)})
    absent = [column.name for column in lacking if column.path is None]
    return source, values, extra, absent


def _csv_columns(spec: SourceSpec, header: list[str]) -> tuple[dict, list, list]:
    """Header name -> value expression (a contract column found under one of its `aliases`
    takes that column), the names the contract does not know (kept in `_extra`), and the
    contract's columns the header lacks."""
    found = {
        column.name: next((n for n in (column.name, *column.aliases) if n in header), None)
        for column in spec.columns
    }
    missing = [name for name in spec.required if found[name] is None]
    if missing:
        raise files.FileRejected(f"missing required column(s): {', '.join(missing)}")
    # each header field by its position (the reader's _c1, _c2, ...), whatever its name
    values = {name: files.data_column(index) for index, name in enumerate(header)}
    for name, in_header in found.items():
        if in_header is not None and in_header != name:
            values[name] = values.pop(in_header)
    taken = {in_header for in_header in found.values() if in_header is not None}
    extra = [name for name in header if name not in taken]
    absent = [name for name, in_header in found.items() if in_header is None]
    return values, extra, absent


def _stage(con: duckdb.DuckDBPyConnection, spec: SourceSpec, file, read: files.ReadFile):
    """Expose the file's rows as `_input`; return (FROM clause, value expressions, extras)."""
    if file.contract_error:
        raise files.FileRejected(file.contract_error)
    if read.error:
        raise files.FileRejected(read.error)
    if read.table is None:  # Parquet: DuckDB reads it
        con.execute(
            "create temp table _input as select row_number() over () as _row,"
            " to_json(p)::varchar as _raw, null::varchar as _error from read_parquet(?) as p",
            [str(file.path)],
        )
        return _json_source(con, spec)
    batches = read.table.to_batches(max_chunksize=INPUT_BATCH_ROWS)
    con.register("_input", pa.Table.from_batches(batches, schema=read.table.schema))
    if spec.format in ("jsonl", "json"):
        return _json_source(con, spec)
    values, extra, absent = _csv_columns(spec, read.header)
    return "_input", values, extra, absent


LEDGER_COLUMNS = (
    "load_id, source, file, day, sha256, rows_read, rows_loaded, rows_rejected, status, reason,"
    " extra_columns, loaded_at, batch_id, duplicates_exact, duplicates_conflicting,"
    " missing_columns"
)


def _ledger_row(con, load_id, spec, file, sha, result: FileResult, loaded_at, batch_id) -> None:
    con.execute(
        f"insert into raw.load_ledger ({LEDGER_COLUMNS}) values"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            spec.name,
            file.relative,
            file.day,
            sha,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.status,
            result.reason,
            result.extra_columns,
            loaded_at,
            batch_id,
            result.duplicates_exact,
            result.duplicates_conflicting,
            result.missing_columns if result.status != "rejected" else None,
        ],
    )


def _count_duplicates(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, day: dt.date | None
) -> tuple[int, int]:
    """(exact, conflicting) copies among the rows of `_typed` about to load: a row is a copy when
    a row earlier in the file, or loaded from a file of a landing day within
    `gate_duplicate_window_days` of this file's, has its natural key; exact when one of those is
    identical in every contract column. Staging keeps one row per key whatever the window.

    The window keeps the count proportional to the file: matched against every raw row, each
    file scanned the whole history (a full build's cost grew with the square of its days); the
    raw table is in landing-day order, so DuckDB reads only the row groups of the window."""
    gate = rules.for_source(spec.name)
    keys = gate.natural_key
    if not keys:
        return 0, 0
    window = gate.duplicate_window_days
    near = (
        f"where {spec.raw_table}._day between date '{day}' - {window} and date '{day}' + {window}"
        if day is not None
        else ""
    )
    key_list = ", ".join(f'"{k}"' for k in keys)
    content = "hash(" + ", ".join(f'"{c}"' for c in spec.column_names) + ")"
    exact, conflicting = con.execute(
        f"""
        with incoming as (
            select {key_list}, {content} as _content, _row from _typed where _reason is null
        ),
        copies as (
            select * from incoming
            union all
            select {key_list}, {content}, -1 as _row
            from {spec.raw_table} semi join incoming using ({key_list})
            {near}
        ),
        repeated as (
            select {key_list} from copies group by {key_list} having count(*) > 1
        ),
        ranked as (
            select
                copies._row,
                count(*) over (
                    partition by {", ".join(f"copies.{k}" for k in keys)} order by copies._row
                    rows between unbounded preceding and 1 preceding
                ) as earlier_copies,
                count(*) over (
                    partition by {", ".join(f"copies.{k}" for k in keys)}, copies._content
                    order by copies._row rows between unbounded preceding and 1 preceding
                ) as earlier_identical
            from copies semi join repeated using ({key_list})
        )
        select
            count(*) filter (where earlier_copies > 0 and earlier_identical > 0),
            count(*) filter (where earlier_copies > 0 and earlier_identical = 0)
        from ranked where _row >= 0
        """
    ).fetchone()
    return exact, conflicting


def load_file(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    file: files.LandingFile,
    read: files.ReadFile,
    load_id: str,
    loaded_at: dt.datetime,
    batch_id: str | None = None,
    salt: str | None = None,
) -> FileResult:
    """Load one file in one transaction: its rows, its rejects and its ledger row, or nothing.

    The file's staging objects are dropped after the transaction ends: SQL run inside a
    transaction an error aborted would fail too and hide the error that matters.
    """
    con.execute("begin transaction")
    try:
        con.execute("drop table if exists _typed")
        result = _load_rows(con, spec, file, read, load_id, loaded_at, batch_id, salt)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_input")
        with contextlib.suppress(duckdb.Error):  # never in place of the error being raised
            con.execute("drop table if exists _input")
    return result


def _load_rows(con, spec, file, read, load_id, loaded_at, batch_id, salt) -> FileResult:
    sha = read.sha256
    try:
        source, values, extra, absent = _stage(con, spec, file, read)
        superseded = _superseded_loads(con, spec, file)
    except files.FileRejected as exc:
        rows_read = _count_input(con)
        result = FileResult(file.relative, "rejected", rows_read, 0, rows_read, reason=str(exc))
        _ledger_row(con, load_id, spec, file, sha, result, loaded_at, batch_id)
        return result
    con.execute(
        f"create temp table _typed as {_typing_sql(spec, values, extra, source, loaded_at)}"
    )
    _withdraw(con, spec, superseded, load_id, loaded_at)
    _keep_out_erased(con, spec, salt)
    exact, conflicting = _count_duplicates(con, spec, file.day)
    names = ", ".join(f'"{name}"' for name in spec.column_names)
    con.execute(
        f"insert into {spec.raw_table} ({names}, _extra, _file, _day, _row, _load_id, _loaded_at)"
        f" select {names}, _extra, ?, ?, _row, ?, ? from _typed where _reason is null",
        [file.relative, file.day, load_id, loaded_at],
    )
    con.execute(
        "insert into raw.rejected_rows"
        " (load_id, source, file, row_number, line_number, reason, raw_line, rule)"
        " select ?, ?, ?, _row, _line, _reason, _raw, _rule"
        " from _typed where _reason is not null order by _row",
        [load_id, spec.name, file.relative],
    )
    rows_read, rejected = con.execute("select count(*), count(_reason) from _typed").fetchone()
    con.execute("drop table _typed")
    result = FileResult(
        file.relative,
        "loaded_with_rejects" if rejected else "loaded",
        rows_read,
        rows_read - rejected,
        rejected,
        reason=f"{rejected} row(s) rejected, see raw.rejected_rows" if rejected else None,
        extra_columns=extra,
        duplicates_exact=exact,
        duplicates_conflicting=conflicting,
    )
    result.missing_columns = absent
    notes = []
    if extra:
        notes.append(f"extra column(s) kept in _extra: {', '.join(extra)}")
    dropped = _dropped_columns(con, spec, absent)
    if dropped:
        notes.append(
            f"warning: column(s) the previous file had are missing, loaded empty:"
            f" {', '.join(dropped)}"
        )
    if notes:
        result.reason = "; ".join([result.reason, *notes] if result.reason else notes)
    _ledger_row(con, load_id, spec, file, sha, result, loaded_at, batch_id)
    return result


def _dropped_columns(con: duckdb.DuckDBPyConnection, spec: SourceSpec, absent: list[str]):
    """The contract columns this file lacks that the source's previous loaded file had: an
    export that dropped a field loads it empty, and says so."""
    if not absent:
        return []
    previous = con.execute(
        "select missing_columns from raw.load_ledger where source = ? and status <> 'rejected'"
        " order by loaded_at desc limit 1",
        [spec.name],
    ).fetchone()
    if previous is None or previous[0] is None:  # no earlier file, or one loaded before the
        return []  # ledger recorded missing columns
    return [name for name in absent if name not in previous[0]]


def _superseded_loads(con, spec: SourceSpec, file: files.LandingFile) -> list[str]:
    """The loads this file replaces: earlier deliveries of the same file (same source and
    name), and, for a source with a `delivery_key`, the files of the same delivery from earlier
    landing days and its provisional files. A provisional file arriving after its delivery's
    final file is rejected (FileRejected)."""
    standing = con.execute(
        "select load_id, file, day from raw.load_ledger where source = ?"
        " and status <> 'rejected' and superseded_by is null",
        [spec.name],
    ).fetchall()
    same_file = [load_id for load_id, relative, _ in standing if relative == file.relative]
    delivery = spec.delivery_of(file.path.name)
    if delivery is None:
        return same_file
    provisional = spec.is_provisional(file.path.name)
    same_delivery = [
        (load_id, day, spec.is_provisional(relative.rsplit("/", 1)[-1]))
        for load_id, relative, day in standing
        if relative != file.relative and spec.delivery_of(relative.rsplit("/", 1)[-1]) == delivery
    ]
    if provisional and any(not was_provisional for _, _, was_provisional in same_delivery):
        raise files.FileRejected(
            f"a provisional file of delivery {delivery}, whose final file has already loaded"
        )
    return same_file + [
        load_id
        for load_id, day, was_provisional in same_delivery
        if (was_provisional and not provisional) or (day is not None and day < file.day)
    ]


def _withdraw(con, spec: SourceSpec, superseded: list[str], load_id: str, loaded_at) -> None:
    """Move the records of the loads this file replaces (`_superseded_loads`) out of the raw
    table into raw.superseded_rows: a record the new file no longer holds is withdrawn. Runs
    only for a file that loads (a correction rejected whole leaves what it corrects standing)."""
    if not superseded:
        return
    con.execute(
        "insert into raw.superseded_rows"
        " (load_id, source, file, row_number, record, superseded_by, superseded_at)"
        f" select _load_id, ?, _file, _row, to_json(withdrawn), ?, ? from {spec.raw_table}"
        " as withdrawn where _load_id in (select unnest(?::varchar[]))",
        [spec.name, load_id, loaded_at, superseded],
    )
    con.execute(
        f"delete from {spec.raw_table} where _load_id in (select unnest(?::varchar[]))",
        [superseded],
    )
    con.execute(
        "update raw.load_ledger set superseded_by = ?, superseded_at = ?"
        " where load_id in (select unnest(?::varchar[]))",
        [load_id, loaded_at, superseded],
    )


def _keep_out_erased(con, spec: SourceSpec, salt: str | None) -> None:
    """Rows of a customer erased on request (`cjm erase`) are kept out: rejected with the rule
    `erased_customer`, their text not kept. `salt` is None when nobody was erased."""
    if salt is None:
        return
    con.execute(
        "update _typed set _reason = 'erased_customer: a customer erased on request"
        " (raw.erasure_log)', _rule = 'erased_customer', _raw = '[erased]'"
        f" where {matching.row_matches(spec, '_typed', SUPPRESSED, salt)}"
        f" or coalesce({matching.text_matches('_typed._raw', SUPPRESSED, salt)}, false)"
    )


def _count_input(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of `_input`, or 0 when the file could not be read at all."""
    exists = con.execute(
        "select count(*) from (select table_name as name from duckdb_tables()"
        " union all select view_name from duckdb_views()) where name = '_input'"
    ).fetchone()[0]
    return con.execute("select count(*) from _input").fetchone()[0] if exists else 0


class _Seen:
    """Membership in any of several checksum sets, without copying them for every file."""

    def __init__(self, *shas) -> None:
        self._shas = shas

    def __contains__(self, sha: str) -> bool:
        return any(sha in group for group in self._shas)


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    landing_dir,
    until: dt.date | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    batch_id: str | None = None,
    salt: str | None = None,
    on_start: Callable[[files.LandingFile], None] | None = None,
) -> SourceResult:
    """Load every new file of one source. Files already in the ledger (same sha256) are skipped.

    `batch_id` (the Dagster run id) groups the files loaded together, for the quality checks;
    `salt` (the PII salt) lets the loader keep out customers erased on request; `on_start` is
    told of each file before it is read, `on_file` of each file loaded.
    """
    ensure_tables(con, spec)
    # One checkpoint per source, not per file: DuckDB checkpoints when its write-ahead log
    # passes the threshold (16 MB), and a day of web events rewrote the table's last row group
    # at every commit (90 days of web at 100k customers: 61.7 -> 50.7 s, one checkpoint of
    # ~2.4 s included). Each file stays one durable transaction.
    con.execute(f"set checkpoint_threshold = '{INGEST_CHECKPOINT_THRESHOLD}'")
    try:
        summary = _ingest_files(con, spec, landing_dir, until, on_file, batch_id, salt, on_start)
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # never in place of the error being raised
            con.execute("reset checkpoint_threshold")
        raise
    con.execute("reset checkpoint_threshold")
    con.execute("checkpoint")
    return summary


def _ingest_files(con, spec, landing_dir, until, on_file, batch_id, salt, on_start):
    # erased customers are kept out of every file (the free-text search costs time: only then)
    if con.execute(f"select count(*) from {SUPPRESSED}").fetchone()[0]:
        if salt is None:
            raise ValueError("customers were erased: loading needs the PII salt to keep them out")
    else:
        salt = None
    # Loaded bytes are skipped wherever they are found again; bytes rejected whole are skipped
    # only at the same path (a file rejected for its path loads once moved where it belongs).
    loaded: set[str] = set()
    rejected: dict[str, set[str]] = {}
    for sha, file_name, status in con.execute(
        "select sha256, file, status from raw.load_ledger where source = ?", [spec.name]
    ).fetchall():
        if status == "rejected":
            rejected.setdefault(file_name, set()).add(sha)
        else:
            loaded.add(sha)
    loaded -= _reconsidered(con, spec)
    stats = _landing_stats(con, spec)
    read_now: list[tuple] = []
    summary = SourceResult(spec.name)
    for file in files.discover(landing_dir, spec, until):
        known = _Seen(loaded, rejected.get(file.relative, ()))
        stamp = _stamp(file.path)
        stamp_then, sha_then = stats.get(file.relative, (None, None))
        if stamp_then == stamp and sha_then in known:
            summary.skipped += 1  # unchanged since it was read: not read again
            continue
        if on_start is not None:
            on_start(file)
        read = files.read_landing_file(file, spec, known)
        read_now.append((file.relative, *stamp, read.sha256))
        if read.sha256 in known:
            summary.skipped += 1
            continue
        loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        load_id = f"{spec.name}-{loaded_at:%Y%m%dT%H%M%S%f}-{read.sha256[:12]}"
        result = load_file(con, spec, file, read, load_id, loaded_at, batch_id, salt)
        if result.status == "rejected":
            rejected.setdefault(file.relative, set()).add(read.sha256)
        else:
            loaded.add(read.sha256)
        summary.files.append(result)
        if on_file is not None:
            on_file(result)
    if read_now:
        con.executemany(f"insert or replace into {LANDING_STATS} values (?, ?, ?, ?, ?)", read_now)
    return summary


def _stamp(path) -> tuple[int, int, int]:
    """A landing file's size, modification and change times (of a link itself, not its
    target: landing never reads through a link)."""
    stat = path.lstat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def _landing_stats(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> dict[str, tuple]:
    """file -> ((size, mtime, ctime), sha256) of the source's files as last read."""
    return {
        file: ((size, mtime, ctime), sha)
        for file, size, mtime, ctime, sha in con.execute(
            f"select file, size_bytes, mtime_ns, ctime_ns, sha256 from {LANDING_STATS}"
            " where starts_with(file, ?)",
            [f"{spec.name}/"],
        ).fetchall()
    }
