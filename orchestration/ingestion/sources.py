"""The landing contract: each source's files, columns and types, read from the dbt sources YAML.

One home: a landing source is a table of `models/staging/<source>/_<source>__sources.yml` with
`meta: landing: {format, suffixes}`; its columns (`data_type`, a DuckDB type; `meta: {required:
true}`) are the loader's contract, and their descriptions the docs. Adding a source touches no
Python (docs/sources.md, "How to add a source"). Columns starting with `_` are the loader's lineage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.project_yaml import read_yaml
from orchestration.settings import DBT_PROJECT_DIR

FORMATS = ("jsonl", "json", "csv")  # Parquet files are read by DuckDB whatever the format says
# What a column's value says about who the customer is (`meta: identifier:`): erasure finds a
# customer's rows by them, and the loader keeps an erased customer out by them.
IDENTIFIER_KINDS = ("customer_id", "email", "phone", "cookie")
# A timestamp exported as a number since 1970-01-01 UTC (`meta: unit:`), and its microseconds.
EPOCH_UNITS = {"seconds": 1_000_000, "milliseconds": 1_000, "microseconds": 1}


def key_path(key: str) -> str:
    """The JSON path of a record's top-level key, quoted: `$."a key"`."""
    return '$."' + key.replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a DuckDB type
    required: bool = False
    pii: bool = False  # personal data: hashed or dropped in staging, never published
    path: str | None = None  # JSON path in a record ($.Queue.EnqueueTimestamp); $ = the record
    identifier: str | None = None  # one of IDENTIFIER_KINDS: the value identifies the customer
    erase_with: str | None = None  # `<source>.<column>`: erased with the row that column names
    aliases: tuple[str, ...] = ()  # other header names an export gives this column
    unit: str | None = None  # a TIMESTAMP given as a number since the epoch: EPOCH_UNITS

    @property
    def json_path(self) -> str:
        return self.path or key_path(self.name)

    @property
    def top_level_key(self) -> str | None:
        """The record key a file must have for this column (none for the record itself)."""
        if self.path is None:
            return self.name
        parts = self.path.removeprefix("$").lstrip(".").split(".", 1)
        return parts[0].split("[", 1)[0] or None


@dataclass(frozen=True)
class SourceSpec:
    name: str  # the landing folder and the dbt source name
    table: str  # the dbt source table; raw table is raw.<name>__<table>
    format: str  # "jsonl" or "csv"
    suffixes: tuple[str, ...]  # accepted file name endings
    columns: tuple[Column, ...]
    records_key: str | None = None  # format json: a wrapper object's list of records
    header_rows: int = 1  # format csv: rows at the top that name and describe the columns
    # Files naming the same delivery (the first group of this pattern, searched in the file
    # name) replace each other: a later landing day's file withdraws the earlier ones' records.
    delivery_key: str | None = None
    # A provisional file (this pattern found in its name) is replaced by the final file of its
    # delivery whatever the day, and is rejected once that final file has loaded.
    provisional: str | None = None

    def delivery_of(self, file_name: str) -> str | None:
        """The delivery a file belongs to (`delivery_key`), or None without a key or a match."""
        if self.delivery_key is None:
            return None
        found = re.search(self.delivery_key, file_name)
        return found.group(1) if found else None

    def is_provisional(self, file_name: str) -> bool:
        return self.provisional is not None and re.search(self.provisional, file_name) is not None

    @property
    def keeps_whole_record(self) -> bool:
        """A column holds each record whole ($): no `_extra` needed."""
        return any(column.path == "$" for column in self.columns)

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}__{self.table}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    @property
    def pii(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.pii)


class ContractError(ValueError):
    """A sources YAML that does not declare a usable landing contract."""


def _spec(source: dict, table: dict, path: Path) -> SourceSpec:
    landing = table["meta"]["landing"]
    where = f"{path.name}: {source['name']}.{table['name']}"
    if landing.get("format") not in FORMATS:
        raise ContractError(f"{where}: meta.landing.format must be one of {', '.join(FORMATS)}")
    if table.get("identifier") != f"{source['name']}__{table['name']}":
        raise ContractError(f"{where}: identifier must be {source['name']}__{table['name']}")
    columns = []
    for column in table.get("columns", []):
        if column["name"].startswith("_"):
            continue
        if "data_type" not in column:
            raise ContractError(f"{where}: column {column['name']} has no data_type")
        meta = column.get("meta") or {}
        if meta.get("unit") not in (None, *EPOCH_UNITS):
            raise ContractError(
                f"{where}: column {column['name']}: meta.unit must be one of"
                f" {', '.join(EPOCH_UNITS)}"
            )
        if meta.get("identifier") not in (None, *IDENTIFIER_KINDS):
            raise ContractError(
                f"{where}: column {column['name']}: meta.identifier must be one of"
                f" {', '.join(IDENTIFIER_KINDS)}"
            )
        columns.append(
            Column(
                column["name"],
                column["data_type"].upper(),
                required=bool(meta.get("required")),
                pii=bool(meta.get("pii")),
                path=meta.get("path"),
                identifier=meta.get("identifier"),
                erase_with=meta.get("erase_with"),
                aliases=tuple(meta.get("aliases") or ()),
                unit=meta.get("unit"),
            )
        )
    if not columns:
        raise ContractError(f"{where}: no columns")
    return SourceSpec(
        name=source["name"],
        table=table["name"],
        format=landing["format"],
        suffixes=tuple(landing["suffixes"]),
        columns=tuple(columns),
        records_key=landing.get("records_key"),
        header_rows=int(landing.get("header_rows", 1)),
        delivery_key=landing.get("delivery_key"),
        provisional=landing.get("provisional"),
    )


def landing_tables(project_dir: Path = DBT_PROJECT_DIR) -> Iterator[tuple[Path, dict, dict]]:
    """(YAML file, source, table) of every landing source table (`meta: landing:`) declared in
    the project's sources YAML: the one reader of those files, for the loader and the gate."""
    for path in sorted((project_dir / "models").rglob("_*__sources.yml")):
        for source in read_yaml(path).get("sources", []):
            for table in source.get("tables", []):
                if "landing" in (table.get("meta") or {}):
                    yield path, source, table


def load_sources(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, SourceSpec]:
    """Every landing source declared in the project's sources YAML, by name."""
    return {
        source["name"]: _spec(source, table, path)
        for path, source, table in landing_tables(project_dir)
    }


SOURCES: dict[str, SourceSpec] = load_sources()
CONTACT_CENTER = SOURCES["contact_center"]
WEB = SOURCES["web"]
SURVEY = SOURCES["survey"]
CRM = SOURCES["crm"]
