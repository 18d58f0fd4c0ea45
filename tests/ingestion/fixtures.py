"""Hand-written landing files with every kind of broken input, and what loading them must give.

Expected counts are written out by hand next to the bytes that cause them.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb

GOOD_CONTACT = (
    b'{"contact_id":"c1","channel":"voice","initiated_at":"2026-01-01T10:00:00Z",'
    b'"hold_seconds":5,"customer_email":"Ana@Example.com","experiment":"x"}'
)

CONTACT_LINES = [
    GOOD_CONTACT,  # 1 loaded, extra key kept
    b'{"contact_id":"c2","channel":"chat","initiated_at":"2026-01-01T12:00:00+02:00"}',  # 2 loaded
    b'{"contact_id":"c3","channel":"chat"',  # 3 malformed JSON
    b"[1, 2]",  # 4 not a JSON object
    b'{"contact_id":"c5","channel":"voice","initiated_at":"2026-01-01T10:00:00Z",'
    b'"hold_seconds":"n/a"}',  # 5 untypeable integer
    b'{"contact_id":"c6","channel":"voice","initiated_at":"yesterday"}',  # 6 untypeable timestamp
    b'{"channel":"email","initiated_at":"2026-01-01T10:00:00Z"}',  # 7 required value missing
    b"",  # 8 empty line
    b'{"contact_id":"c9","channel":"voice","initiated_at":"2026-01-01T10:00:00Z",'
    b'"queue":"caf\xe9"}',  # 9 not UTF-8
    b'{"contact_id":"c1","channel":"chat","initiated_at":"2026-01-01T10:00:00Z"}',  # 10 loaded
]
CONTACT_REJECTS = {  # line -> reason fragment
    3: "malformed JSON",
    4: "not a JSON object",
    5: "column hold_seconds: cannot read n/a as INTEGER",
    6: "column initiated_at: cannot read yesterday as TIMESTAMP",
    7: "column contact_id: required value missing",
    8: "empty line",
    9: "invalid UTF-8",
}

SURVEY_CSV = (
    b"\xef\xbb\xbfresponse_id,survey_type,responded_at,nps,csat,verbatim,language,survey_version\r\n"
    b'r1,relationship,2026-01-01 10:00:00,9,,"\xc4\xbboti labi, paldies!",lv,v2\r\n'
    + 'r2,post_contact,2026-01-01 11:00:00,,5,"Спасибо!\r\nВсё хорошо",ru,v2\r\n'.encode()
    + "r3,post_contact,2026-01-01 12:00:00,,4,很好,zh,v2\r\n".encode()
    + "r4,relationship,2026-01-01 13:00:00,ten,,Լավ,hy,v2\r\n".encode()
    + b"r5,relationship,2026-01-01 14:00:00,7\r\n"
    + b"r6,post_contact,2026-01-01 14:30:00,,2,caf\xe9,en,v2\r\n"
    + 'r7,post_contact,2026-01-01 15:00:00,,3,"Ačiū, gerai",lt,v2\r\n'.encode()
)
SURVEY_REJECTS = {  # record number -> (line number, reason fragment)
    4: (6, "column nps: cannot read ten as INTEGER"),
    5: (7, "expected 8 fields, found 4"),
    6: (8, "invalid UTF-8"),
}

# file -> (status, rows read, rows loaded, rows rejected)
EXPECTED_LEDGER = {
    "contact_center/2026-01-01/contacts.jsonl": ("loaded_with_rejects", 10, 3, 7),
    "contact_center/2026-01-02/contacts.jsonl": ("rejected", 2, 0, 2),
    "survey/2026-01-01/responses.csv": ("loaded_with_rejects", 7, 4, 3),
    "crm/2026-01-01/customers.csv": ("rejected", 1, 0, 1),
    "web/2026-01-01/events.parquet": ("loaded", 3, 3, 0),
    "web/2026-01-02/events.jsonl.gz": ("loaded_with_rejects", 3, 2, 1),
    "web/2026-01-03/broken.jsonl.gz": ("rejected", 0, 0, 0),
    "web/not-a-date/events.jsonl.gz": ("rejected", 0, 0, 0),
}


def write_broken_landing(landing: Path) -> None:
    def put(relative: str, data: bytes) -> None:
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    put("contact_center/2026-01-01/contacts.jsonl", b"\r\n".join(CONTACT_LINES) + b"\r\n")
    put(  # the required initiated_at column is missing from the whole file
        "contact_center/2026-01-02/contacts.jsonl",
        b'{"contact_id":"d1","channel":"voice"}\n{"contact_id":"d2","channel":"chat"}\n',
    )
    put("survey/2026-01-01/responses.csv", SURVEY_CSV)
    put("crm/2026-01-01/customers.csv", b"email,segment,updated_at\nx@y.z,gold,2026-01-01\n")
    parquet = landing / "web/2026-01-01/events.parquet"
    parquet.parent.mkdir(parents=True, exist_ok=True)
    duckdb.execute(
        f"""copy (select 'e' || i as event_id, timestamp '2026-01-01 09:00:00' + to_minutes(i)
            as event_at, 'k1' as cookie_id, 'page_view' as event_name from range(3) t(i))
            to '{parquet}' (format parquet)"""
    )
    put(
        "web/2026-01-02/events.jsonl.gz",
        gzip.compress(
            b'{"event_id":"e10","event_at":"2026-01-02T09:00:00Z","cookie_id":"k1",'
            b'"event_name":"login","user_id":"C1"}\n'
            b'{"event_id":"e11","event_at":"2026-01-02T09:01:00Z","cookie_id":"k1",'
            b'"event_name":"page_view"}\n'
            b'{"event_id":"e12","event_at":\n',
            mtime=0,
        ),
    )
    put("web/2026-01-03/broken.jsonl.gz", b"this is not gzip")
    put("web/not-a-date/events.jsonl.gz", gzip.compress(b"{}\n", mtime=0))
