"""The landing contract: each source's files, columns and types.

Adding a source means adding one `SourceSpec` here, a sources YAML entry and a staging model
(see README "How to add a source").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a DuckDB type
    required: bool = False


@dataclass(frozen=True)
class SourceSpec:
    name: str  # the landing folder and the dbt source name
    table: str  # the dbt source table; raw table is raw.<name>__<table>
    format: str  # "jsonl" or "csv"
    suffixes: tuple[str, ...]  # accepted file name endings
    columns: tuple[Column, ...]

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}__{self.table}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)


def _c(name: str, type_: str = "VARCHAR", required: bool = False) -> Column:
    return Column(name, type_, required)


CONTACT_CENTER = SourceSpec(
    name="contact_center",
    table="contacts",
    format="jsonl",
    suffixes=(".jsonl", ".json", ".jsonl.gz"),
    columns=(
        _c("contact_id", required=True),
        _c("initial_contact_id"),
        _c("previous_contact_id"),
        _c("channel", required=True),
        _c("direction"),
        _c("initiation_method"),
        _c("customer_id"),
        _c("customer_phone"),
        _c("customer_email"),
        _c("ivr_path"),
        _c("ivr_outcome"),
        _c("queue"),
        _c("agent_id"),
        _c("initiated_at", "TIMESTAMP", required=True),
        _c("queued_at", "TIMESTAMP"),
        _c("answered_at", "TIMESTAMP"),
        _c("ended_at", "TIMESTAMP"),
        _c("acw_ended_at", "TIMESTAMP"),
        _c("hold_seconds", "INTEGER"),
        _c("disconnect_reason"),
        _c("contact_reason"),
        _c("disposition"),
        _c("received_at", "TIMESTAMP"),
        _c("first_response_at", "TIMESTAMP"),
    ),
)

WEB = SourceSpec(
    name="web",
    table="events",
    format="jsonl",
    suffixes=(".jsonl.gz", ".jsonl", ".parquet"),
    columns=(
        _c("event_id", required=True),
        _c("event_at", "TIMESTAMP", required=True),
        _c("cookie_id", required=True),
        _c("user_id"),
        _c("event_name", required=True),
        _c("page_url"),
        _c("page_path"),
        _c("referrer"),
        _c("utm_source"),
        _c("utm_medium"),
        _c("utm_campaign"),
        _c("device_type"),
        _c("search_term"),
        _c("order_id"),
        _c("order_value", "DECIMAL(12,2)"),
    ),
)

SURVEY = SourceSpec(
    name="survey",
    table="responses",
    format="csv",
    suffixes=(".csv",),
    columns=(
        _c("response_id", required=True),
        _c("survey_type", required=True),
        _c("contact_id"),
        _c("customer_id"),
        _c("customer_email"),
        _c("sent_at", "TIMESTAMP"),
        _c("responded_at", "TIMESTAMP", required=True),
        _c("nps", "INTEGER"),
        _c("csat", "INTEGER"),
        _c("ces", "INTEGER"),
        _c("verbatim"),
        _c("language"),
    ),
)

CRM = SourceSpec(
    name="crm",
    table="customers",
    format="csv",
    suffixes=(".csv",),
    columns=(
        _c("customer_id", required=True),
        _c("email"),
        _c("phone"),
        _c("first_name"),
        _c("last_name"),
        _c("segment"),
        _c("plan"),
        _c("signup_date", "DATE"),
        _c("cancel_date", "DATE"),
        _c("country"),
        _c("language"),
        _c("updated_at", "TIMESTAMP", required=True),
    ),
)

SOURCES: dict[str, SourceSpec] = {spec.name: spec for spec in (CONTACT_CENTER, WEB, SURVEY, CRM)}
