"""Finding a customer's rows by salted hashes: declared identifier columns, rows that go with
them, and identifiers written anywhere in free text."""

from __future__ import annotations

import hashlib

import duckdb

from orchestration.erasure import matching
from orchestration.ingestion.sources import SOURCES

SALT = "test-salt"


def _hash(normalized: str) -> str:
    return hashlib.sha256(f"{SALT}:{normalized}".encode()).hexdigest()


def _con(*hashes: tuple[str, str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create table hashes (kind varchar, identifier_hash varchar)")
    for kind, value in hashes:
        con.execute("insert into hashes values (?, ?)", [kind, value])
    return con


def test_values_are_normalised_as_staging_hashes_them() -> None:
    con = duckdb.connect()

    def hashed(kind: str, value: str) -> str | None:
        return con.execute(f"select {matching.hashed(kind, '$v', SALT)}", {"v": value}).fetchone()[
            0
        ]

    assert hashed("email", " Anna@Example.COM ") == _hash("anna@example.com")
    assert hashed("phone", "00371 2000-0002") == _hash("37120000002")
    assert hashed("phone", "n/a") is None
    assert hashed("customer_id", " CUST-1001") == _hash("CUST-1001")


def test_free_text_names_a_customer_by_email_phone_or_id() -> None:
    con = _con(
        ("email", _hash("anna@example.com")),
        ("phone", _hash("37120000002")),
        ("customer_id", _hash("CUST-1001")),
    )

    def found(text: str) -> bool:
        return con.execute(
            f"select {matching.text_matches('$t', 'hashes', SALT)}", {"t": text}
        ).fetchone()[0]

    assert found('{"addressFrom": "Anna@Example.com"}')
    assert found('{"ani": "tel:+371 2000 0002"}')
    assert found('{"Attributes": {"customer_id": "CUST-1001"}}')
    assert found("C9,CUST-1001,2026-09-01")  # a CSV line
    assert not found('{"ani": "tel:+37120000003", "at": "2026-09-01T08:00:00Z"}')
    assert not found("CUST-10011 anna@example.co")


def test_a_row_goes_with_the_row_it_names() -> None:
    """A Zendesk comment is erased with its ticket (`erase_with: zendesk_tickets.id`)."""
    spec = SOURCES["zendesk_ticket_comments"]
    assert dict(matching.references_to(SOURCES["zendesk_tickets"], list(SOURCES.values()))) == {
        "id": "zendesk_tickets.id"
    }
    con = _con(("zendesk_tickets.id", _hash("900001")))
    con.execute(
        "create table comments as select * from (values ('1', '900001', '7', null::json),"
        " ('2', '900002', '7', null::json)) as t(id, ticket_id, user_id, _extra)"
    )
    columns = ", ".join(
        f'null as "{c.name}"' for c in spec.columns if c.name not in ("id", "ticket_id", "user_id")
    )
    con.execute(f"create table c as select *, {columns} from comments")
    matched = con.execute(
        f"select id from c as r where {matching.row_matches(spec, 'r', 'hashes', SALT)}"
    ).fetchall()
    assert matched == [("1",)]
