"""A customer's rows found by what identifies them, comparing salted hashes only.

Which columns identify a customer is declared once, in the sources YAML (`meta: identifier:`
customer_id, email, phone or cookie; `meta: erase_with: <source>.<column>` for a row that goes
with the row it names, such as a ticket's comments). Hashes are `sha256('<salt>:' || value)`,
e-mails and phones normalised as the dbt macro `hash_pii` does (macros/pii.sql; the erasure test
finds a customer by an e-mail through the warehouse's own hashes, so the two cannot drift
apart unnoticed). Text that is not a declared identifier (whole JSON records, `_extra`, rejected
rows' raw text) is searched for e-mail addresses, phone numbers and tokens whose hashes are
the customer's.

A hash set is a relation `(kind, identifier_hash)`, kind an IDENTIFIER_KIND or a reference key
`<source>.<column>`.
"""

from __future__ import annotations

from orchestration.ingestion.sources import SourceSpec

HASHES_DDL = (
    "create table if not exists {name} (kind varchar not null, identifier_hash varchar not null)"
)
EMAIL_PATTERN = r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+"
PHONE_PATTERN = r"\+?[0-9][0-9 ().-]{5,}[0-9]"
TOKEN_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:+-]{2,}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalized(kind: str, expression: str) -> str:
    """The value as hash_pii normalises it (e-mail: trimmed, lower case; phone: digits only,
    international 00 dropped); other identifiers as they are, trimmed."""
    if kind == "email":
        return f"lower(trim({expression}))"
    if kind == "phone":
        return f"regexp_replace(regexp_replace({expression}, '[^0-9]', '', 'g'), '^00', '')"
    return f"trim({expression})"


def hashed(kind: str, expression: str, salt: str) -> str:
    """SQL: the salted hash of `expression` as an identifier of `kind` (null when empty)."""
    value = normalized(kind, f"cast({expression} as varchar)")
    salted = f"sha256({literal(salt + ':')} || {value})"
    return f"case when nullif({value}, '') is not null then {salted} end"


def _in(kind: str, expression: str, hashes: str) -> str:
    return f"({expression}) in (select identifier_hash from {hashes} where kind = {literal(kind)})"


def _any_in(kind: str, found_list: str, hashes: str) -> str:
    known = f"select coalesce(list(identifier_hash), []) from {hashes} where kind = {literal(kind)}"
    return f"list_has_any({found_list}, ({known}))"


def text_matches(expression: str, hashes: str, salt: str) -> str:
    """SQL: free text (a JSON record, a raw line) holds an e-mail, a phone number, or a token
    (a customer id, a cookie) whose hash is in `hashes`."""
    text = f"cast({expression} as varchar)"
    prefix = literal(salt + ":")
    emails = (
        f"list_transform(regexp_extract_all(lower({text}), {literal(EMAIL_PATTERN)}),"
        f" lambda e: sha256({prefix} || e))"
    )
    phones = (
        f"list_transform(regexp_extract_all({text}, {literal(PHONE_PATTERN)}),"
        f" lambda p: sha256({prefix} || {normalized('phone', 'p')}))"
    )
    tokens = (
        f"list_transform(regexp_extract_all({text}, {literal(TOKEN_PATTERN)}),"
        f" lambda t: sha256({prefix} || t))"
    )
    return (
        f"coalesce({_any_in('email', emails, hashes)} or {_any_in('phone', phones, hashes)}"
        f" or {_any_in('customer_id', tokens, hashes)} or {_any_in('cookie', tokens, hashes)},"
        " false)"
    )


def _text_columns(spec: SourceSpec) -> list[str]:
    """Columns whose text may name a customer anywhere in it: JSON columns, `_extra`, and
    personal data that is not itself an identifier (names, message bodies)."""
    columns = [c.name for c in spec.columns if c.type == "JSON" or (c.pii and not c.identifier)]
    return [*columns, "_extra"] if not spec.keeps_whole_record else columns


def row_matches(spec: SourceSpec, alias: str, hashes: str, salt: str) -> str:
    """SQL: a row of `spec`'s raw table (aliased `alias`) belongs to a customer in `hashes`."""
    conditions = []
    for column in spec.columns:
        quoted = f'{alias}."{column.name}"'
        if column.identifier:
            conditions.append(
                _in(column.identifier, hashed(column.identifier, quoted, salt), hashes)
            )
        if column.erase_with:
            conditions.append(_in(column.erase_with, hashed("reference", quoted, salt), hashes))
    conditions += [text_matches(f'{alias}."{name}"', hashes, salt) for name in _text_columns(spec)]
    return "(" + " or ".join(f"coalesce({c}, false)" for c in conditions) + ")"


def references_to(spec: SourceSpec, specs: list[SourceSpec]) -> list[tuple[str, str]]:
    """(column of `spec`, reference key) for every `erase_with` of another source naming it."""
    wanted = {
        column.erase_with
        for other in specs
        for column in other.columns
        if column.erase_with and column.erase_with.split(".", 1)[0] == spec.name
    }
    return [(key.split(".", 1)[1], key) for key in sorted(wanted)]
