"""`cjm erase --customer <crm id | e-mail | phone>`: a customer removed from every file.

1. Who: the request's value hashed as a CRM id, an e-mail and a phone; the customers the
   warehouse resolved from it (`int_identifiers_resolved`) and every identifier they have
   (their other e-mails and phones, CRM ids, web cookies), as salted hashes only.
2. The raw tables: every row one of those identifies (`matching.row_matches`), and the rows
   that go with them (`erase_with`, such as a Zendesk ticket's comments); rejected rows' and
   withdrawn records' raw text. The ledger's counts drop by what left, so they still reconcile,
   and the landing files are rewritten without those records (`landing.rewrite`), their new
   checksum in the ledger, so nothing is loaded again.
3. The build and published files: every row of the customer (by customer key, cookie, and the
   contacts, responses and sessions that were theirs) in the intermediate and mart tables, then
   each file rewritten whole (deleted rows leave no bytes behind); the exports and the reports
   from the new publication.
4. The request is logged without personal data (`raw.erasure_log`: salted hash of the value,
   counts) and its hashes go on the suppression list (`raw.suppressed_identifiers`), which the
   loader applies to every later file.

Steps 1-2 and 4 (the warehouse's rows, the plan of landing files, the hashes and the log row)
commit together; the rest runs after, from what that commit keeps: the plan
(`raw.erasure_files`) and the erasure's salted hashes (the customers' keys hashed too), so a
run killed at any point is finished by the next `cjm erase`, whatever it is asked: an erasure
not yet complete (`raw.erasure_log.completed_at` null) is finished first. Each erasure ends with
a `meta.publish_log` row, so a BI client sees a new publication.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.erasure import landing, matching
from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.publish.writer import discard_client_wal, republish
from orchestration.settings import Settings

ERASURE_LOG_DDL = """
create table if not exists raw.erasure_log (
    erasure_id varchar not null,
    erased_at timestamp not null,
    request_hash varchar not null,
    customers integer not null,
    rows_erased json not null,
    files_rewritten integer not null,
    reason varchar,
    completed_at timestamp
)
"""
# a customer key, hashed like an identifier: what finds their rows once the rows that
# resolved them are gone
KEY_KIND = "customer_key"
# every schema dbt builds: the kpi schema holds follow-up lists by customer too
# (kpi_contact_outliers, kpi_unanswered_emails)
DERIVED_SCHEMAS = ("intermediate", "marts", "kpi")
# the facts whose ids go with the customer into every table that holds them
OWNED_IDS = {
    "contact_id": "marts.fct_contacts",
    "response_id": "marts.fct_survey_responses",
    "session_id": "marts.fct_web_sessions",
}


class ErasureError(RuntimeError):
    """An erasure that cannot run (no warehouse yet, or a run holding it)."""


@dataclass
class Erasure:
    erasure_id: str
    customers: int
    rows: dict[str, int] = field(default_factory=dict)  # where -> rows erased
    files_rewritten: list[str] = field(default_factory=list)
    files_not_rewritten: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)  # earlier erasures this run completed
    done_before: str | None = None  # the erasure that had already erased this request

    def summary(self) -> str:
        lines = [
            f"erasure {earlier} had not finished (killed?): finished now"
            for earlier in self.finished
        ]
        if self.done_before is not None:
            lines.append(
                f"already erased by {self.done_before}: no customer left to resolve, nothing"
                " erased now"
            )
            return "; ".join(lines)
        counted = ", ".join(f"{n} {where}" for where, n in self.rows.items() if n) or "no rows"
        lines.append(
            f"erasure {self.erasure_id}: {self.customers} customer(s) resolved; erased {counted};"
            f" {len(self.files_rewritten)} landing file(s) rewritten; build, publication,"
            " exports and reports rewritten; later files naming them are kept out"
        )
        return "; ".join(lines)


def _add_request(con: duckdb.DuckDBPyConnection, value: str, salt: str) -> str:
    """Put the request's value into `hashes` as each kind of identifier it can be; return its
    hash as a CRM id (the erasure log's record of the request)."""
    kinds = ["customer_id"]
    if "@" in value:
        kinds.append("email")
    elif any(ch.isdigit() for ch in value):
        kinds.append("phone")
    for kind in kinds:
        con.execute(
            f"insert into hashes select $kind, {matching.hashed(kind, '$v', salt)}",
            {"kind": kind, "v": value},
        )
    return con.execute("select identifier_hash from hashes where kind = 'customer_id'").fetchone()[
        0
    ]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _resolve(con: duckdb.DuckDBPyConnection, salt: str) -> list[str]:
    """Fill `hashes` with every identifier of the customers the request resolves to; return
    their customer keys."""
    if not _has_table(con, "intermediate", "int_identifiers_resolved"):
        return []
    cid = matching.hashed("customer_id", "resolved.identifier_value", salt)
    con.execute(
        f"""
        create temp table erased_keys as
        select distinct resolved.customer_key
        from intermediate.int_identifiers_resolved as resolved
        inner join hashes on
            (resolved.identifier_type = 'customer_id' and hashes.kind = 'customer_id'
                and {cid} = hashes.identifier_hash)
            or (resolved.identifier_type = 'email_hash' and hashes.kind = 'email'
                and resolved.identifier_value = hashes.identifier_hash)
            or (resolved.identifier_type = 'phone_hash' and hashes.kind = 'phone'
                and resolved.identifier_value = hashes.identifier_hash)
        """
    )
    con.execute(
        f"""
        insert into hashes
        select
            case resolved.identifier_type
                when 'customer_id' then 'customer_id'
                when 'email_hash' then 'email'
                when 'phone_hash' then 'phone'
            end,
            case when resolved.identifier_type = 'customer_id' then {cid}
                else resolved.identifier_value end
        from intermediate.int_identifiers_resolved as resolved
        where resolved.customer_key in (select customer_key from erased_keys)
            and resolved.identifier_type in ('customer_id', 'email_hash', 'phone_hash')
        """
    )
    if _has_table(con, "marts", "fct_web_sessions"):
        cookie = matching.hashed("cookie", "sessions.cookie_id", salt)
        con.execute(
            f"insert into hashes select distinct 'cookie', {cookie} from marts.fct_web_sessions"
            " as sessions where sessions.customer_key in (select customer_key from erased_keys)"
        )
    return [row[0] for row in con.execute("select customer_key from erased_keys").fetchall()]


def _erase_raw(con: duckdb.DuckDBPyConnection, salt: str, erasure: Erasure) -> dict:
    """Delete the customer's raw rows, rejected rows and withdrawn records; return what left
    per load: {load_id: [loaded, rejected]} and {file: {row numbers}} for the landing files."""
    specs = list(SOURCES.values())
    for spec in specs:
        loader.ensure_tables(con, spec)
    # rows that go with another source's rows (erase_with): follow them to a fixed point
    for _ in range(len(specs)):
        before = con.execute("select count(*) from hashes").fetchone()[0]
        for spec in specs:
            for column, key in matching.references_to(spec, specs):
                value = matching.hashed("reference", f'r."{column}"', salt)
                con.execute(
                    f"insert into hashes select distinct {matching.literal(key)}, {value}"
                    f" from {spec.raw_table} as r"
                    f" where {matching.row_matches(spec, 'r', 'hashes', salt)}"
                    f" and {value} not in (select identifier_hash from hashes"
                    f" where kind = {matching.literal(key)})"
                )
        if con.execute("select count(*) from hashes").fetchone()[0] == before:
            break
    con.execute(
        "create temp table erased_rows (load_id varchar, file varchar, row bigint, kind varchar)"
    )
    for spec in specs:
        where = matching.row_matches(spec, "r", "hashes", salt)
        con.execute(
            f"insert into erased_rows select _load_id, _file, _row, 'loaded'"
            f" from {spec.raw_table} as r where {where}"
        )
        con.execute(f"delete from {spec.raw_table} as r where {where}")
    text = matching.text_matches("r.raw_line", "hashes", salt)
    con.execute(
        "insert into erased_rows select load_id, file, row_number, 'rejected'"
        f" from raw.rejected_rows as r where {text}"
    )
    con.execute(f"delete from raw.rejected_rows as r where {text}")
    withdrawn = matching.text_matches("r.record", "hashes", salt)
    con.execute(
        "insert into erased_rows select load_id, null, row_number, 'withdrawn'"
        f" from raw.superseded_rows as r where {withdrawn}"
    )
    con.execute(f"delete from raw.superseded_rows as r where {withdrawn}")
    for kind, rows in con.execute(
        "select kind, count(*) from erased_rows group by kind order by kind"
    ).fetchall():
        erasure.rows[f"{kind} raw rows" if kind != "withdrawn" else "withdrawn records"] = rows
    # the ledger tells the files as they now are: read = loaded + rejected still holds
    con.execute(
        """
        update raw.load_ledger as ledger set
            rows_read = ledger.rows_read - erased.loaded - erased.rejected,
            rows_loaded = ledger.rows_loaded - erased.loaded,
            rows_rejected = ledger.rows_rejected - erased.rejected
        from (
            select
                load_id,
                count(*) filter (where kind in ('loaded', 'withdrawn')) as loaded,
                count(*) filter (where kind = 'rejected') as rejected
            from erased_rows group by load_id
        ) as erased
        where ledger.load_id = erased.load_id
        """
    )
    by_file: dict[str, set[int]] = {}
    for file, row in con.execute(
        "select erased.file, erased.row from erased_rows as erased"
        " inner join raw.load_ledger as ledger on erased.load_id = ledger.load_id"
        " where erased.kind <> 'withdrawn' and ledger.superseded_by is null"
    ).fetchall():
        by_file.setdefault(file, set()).add(row)
    return by_file


def _erase_derived(
    con: duckdb.DuckDBPyConnection, keys: list[str], salt: str, database: str
) -> int:
    """Delete the customer's rows from every intermediate, mart and kpi table of `database`:
    the customers `keys`, and every customer of dim_customer whose hashed key is in `hashes`
    (a rerun finds them so, once the rows that resolved them are gone)."""
    con.execute("create or replace temp table erased_customer_keys (customer_key varchar)")
    for key in keys:
        con.execute("insert into erased_customer_keys values (?)", [key])
    if _has_table(con, "marts", "dim_customer"):
        con.execute(
            "insert into erased_customer_keys select distinct customer_key"
            f" from {database}.marts.dim_customer as customers where"
            f" {matching.hashed(KEY_KIND, 'customers.customer_key', salt)} in"
            f" (select identifier_hash from hashes where kind = {matching.literal(KEY_KIND)})"
        )
    owned = {}
    for column, relation in OWNED_IDS.items():
        schema, table = relation.split(".")
        if _has_table(con, schema, table):
            owned[column] = [
                r[0]
                for r in con.execute(
                    f"select {column} from {database}.{relation}"
                    " where customer_key in (select customer_key from erased_customer_keys)"
                ).fetchall()
            ]
    cookie = matching.hashed("cookie", "t.cookie_id", salt)
    removed = 0
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables()"
        f" where database_name = ? and schema_name in ({', '.join('?' for _ in DERIVED_SCHEMAS)})",
        [database, *DERIVED_SCHEMAS],
    ).fetchall()
    for schema, table in tables:
        columns = {
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where database_name = ?"
                " and schema_name = ? and table_name = ?",
                [database, schema, table],
            ).fetchall()
        }
        conditions = []
        if "customer_key" in columns:
            conditions.append("t.customer_key in (select customer_key from erased_customer_keys)")
        if "cookie_id" in columns:
            conditions.append(
                f"{cookie} in (select identifier_hash from hashes where kind = 'cookie')"
            )
        conditions += [
            f"t.{column} in (select unnest(?::varchar[]))" for column in owned if column in columns
        ]
        if not conditions:
            continue
        params = [owned[column] for column in owned if column in columns]
        removed += con.execute(
            f"delete from {database}.{schema}.{table} as t where {' or '.join(conditions)}", params
        ).fetchone()[0]
    return removed


def _rewrite_whole(path: Path) -> None:
    """Copy the database into a new file and swap it in: deleted rows leave no bytes behind."""
    fresh = path.with_name(f".{path.name}.erasure.tmp")
    fresh.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach {matching.literal(str(path))} as old (read_only)")
        con.execute(f"attach {matching.literal(str(fresh))} as fresh")
        con.execute("copy from database old to fresh")
    finally:
        con.close()
    os.replace(fresh, path)


def erase_customer(
    settings: Settings,
    value: str,
    reason: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> Erasure:
    value = value.strip()
    if not value:
        raise ErasureError("erase: give the customer's CRM id, e-mail or phone")
    if not settings.build_db.exists():
        raise ErasureError(f"erase: no warehouse at {settings.build_db} yet: nothing to erase")
    salt = settings.pii_salt
    finished = _unfinished(settings)
    for earlier in finished:
        _finish(settings, earlier, progress)
    erasure_id = f"erasure-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    con = _connect(settings)
    try:
        con.execute("create temp table hashes (kind varchar, identifier_hash varchar)")
        request_hash = _add_request(con, value, salt)
        keys = _resolve(con, salt)
        done_before = con.execute(
            "select erasure_id from raw.erasure_log where request_hash = ?"
            " and completed_at is not null order by erased_at desc limit 1",
            [request_hash],
        ).fetchone()
        if not keys and done_before is not None:
            return Erasure(erasure_id, 0, finished=finished, done_before=done_before[0])
        erasure = Erasure(erasure_id, len(keys), finished=finished)
        con.execute(
            f"insert into hashes select distinct {matching.literal(KEY_KIND)},"
            f" {matching.hashed(KEY_KIND, 'key', salt)} from (select unnest(?::varchar[]) as key)",
            [keys],
        )
        con.execute("begin transaction")
        by_file = _erase_raw(con, salt, erasure)
        erasure.rows["build rows"] = _erase_derived(con, keys, salt, _db_name(con))
        landing.plan(con, erasure_id, by_file)
        con.execute(
            f"insert into {loader.SUPPRESSED} select distinct kind, identifier_hash, ? from hashes"
            " where identifier_hash is not null",
            [erasure_id],
        )
        con.execute(
            "insert into raw.erasure_log (erasure_id, erased_at, request_hash, customers,"
            " rows_erased, files_rewritten, reason) values (?, ?, ?, ?, ?, ?, ?)",
            [
                erasure_id,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                request_hash,
                len(keys),
                json.dumps(erasure.rows),
                len(by_file),
                reason,
            ],
        )
        con.execute("commit")
    finally:
        con.close()
    progress(f"erase: {erasure_id}: the warehouse's rows removed (committed)")
    _finish(settings, erasure_id, progress, erasure)
    return erasure


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(settings.build_db))
    except duckdb.IOException as exc:
        raise ErasureError(
            f"erase: the warehouse is in use (a run?); try again when it ends ({exc})"
        ) from exc
    con.execute("set TimeZone = 'UTC'")
    con.execute(ERASURE_LOG_DDL)
    con.execute("alter table raw.erasure_log add column if not exists completed_at timestamp")
    con.execute(landing.ERASURE_FILES_DDL)
    return con


def _unfinished(settings: Settings) -> list[str]:
    con = _connect(settings)
    try:
        return [
            row[0]
            for row in con.execute(
                "select erasure_id from raw.erasure_log where completed_at is null"
                " order by erased_at"
            ).fetchall()
        ]
    finally:
        con.close()


def _finish(
    settings: Settings,
    erasure_id: str,
    progress: Callable[[str], None],
    erasure: Erasure | None = None,
) -> None:
    """Everything after the erasure's commit, from what it committed: the landing files it
    planned, the build file rewritten whole, the publication, exports and reports without the
    customers its hashes find, a publish-log row; then the log says it is complete. Each step
    can be run again: a rerun after a kill at any point finishes the job."""
    con = _connect(settings)
    try:
        rewritten, skipped = landing.rewrite(con, settings.landing_dir, erasure_id, progress)
        hashes = con.execute(
            f"select kind, identifier_hash from {loader.SUPPRESSED} where erasure_id = ?",
            [erasure_id],
        ).fetchall()
    finally:
        con.close()
    if erasure is not None:
        erasure.files_rewritten, erasure.files_not_rewritten = rewritten, skipped
    _rewrite_whole(settings.build_db)
    progress(f"erase: {erasure_id}: build file rewritten")
    if settings.published_db.exists():
        removed = _erase_published(settings, hashes, erasure_id)
        if erasure is not None:
            erasure.rows["published rows"] = removed
        progress(f"erase: {erasure_id}: publication, exports and reports rewritten")
    con = _connect(settings)
    try:
        con.execute(
            "update raw.erasure_log set completed_at = ? where erasure_id = ?",
            [dt.datetime.now(dt.UTC).replace(tzinfo=None), erasure_id],
        )
    finally:
        con.close()


def _db_name(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_database()").fetchone()[0]


def _erase_published(settings: Settings, hashes: list[tuple[str, str]], erasure_id: str) -> int:
    """The publication without the customers `hashes` find (their hashed keys and cookies):
    its tables copied into a working file and scrubbed there, published again from it (the
    parts that held them rewritten, every earlier file deleted), then the reports."""
    target = settings.published_db
    discard_client_wal(target)
    working = target.with_name("erasure_work.duckdb")  # its name is its SQL database name
    working.unlink(missing_ok=True)
    con = duckdb.connect(str(working))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach {matching.literal(str(target))} as published (read_only)")
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'published'"
            " union all select schema_name, view_name from duckdb_views()"
            " where database_name = 'published' and not internal"
        ).fetchall()
        for schema, table in relations:
            con.execute(f"create schema if not exists {schema}")
            con.execute(
                f"create table {schema}.{table} as select * from published.{schema}.{table}"
            )
        con.execute("detach published")
        con.execute("create temp table hashes (kind varchar, identifier_hash varchar)")
        con.executemany("insert into hashes values (?, ?)", [list(h) for h in hashes])
        removed = _erase_derived(con, [], settings.pii_salt, _db_name(con))
        con.execute("checkpoint")
    finally:
        con.close()
    republish(settings, erasure_id, working)
    working.unlink()
    from reports.build import build_reports_for_latest_run

    build_reports_for_latest_run(settings)
    return removed
