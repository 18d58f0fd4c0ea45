"""No file's content can stop a source: random bytes, hostile headers and keys, every reader.

Each reader shape (CSV, TSV, a three-row Qualtrics header, JSON lines, JSON documents with a
records key, gzip) gets a landing day of hostile files beside one good file. Loading must never
raise: every file ends in the ledger (loaded, partly kept out, or rejected whole with a reason
naming what is wrong), and the good file loads. The random cases are seeded: a failure names
the file that broke it, and reproduces.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import Settings
from orchestration.warehouse import connect
from tests.ingestion.fixtures import GOOD_CONTACT, SURVEY_CSV

FIXTURES = Path(__file__).parents[1] / "fixtures"
LONG = "x" * 200_000  # over Python's csv field limit of 131,072 characters


def _random_bytes(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))


def _csv_header(source: str) -> list[str]:
    return [c.name for c in SOURCES[source].columns if not c.name.startswith("_")]


def _hostile_csv(source: str, rng: random.Random) -> dict[str, bytes]:
    header = _csv_header(source)
    row = ",".join("1" for _ in header)
    width = len(header)
    cases = {
        "bookkeeping_names.csv": ",".join([*header, "_row", "_error", "_line", "_raw", "_c1"])
        + "\n"
        + ",".join(["1"] * (width + 5)),
        "empty_and_odd_names.csv": ",".join([*header, "", "*", "a\\", '"q""x"']) + "\n" + row,
        "long_field.csv": ",".join(header) + "\n" + row.replace("1", LONG, 1),
        "bare_cr.csv": ",".join(header) + "\n" + row.replace("1", "a\rb", 1) + "\n" + row,
        "unclosed_quote.csv": ",".join(header)
        + "\n"
        + row.replace("1", '"open', 1)
        + "\n"
        + "\n".join([row] * 5),
        "nul_bytes.csv": ",".join(header) + "\n" + row.replace("1", "a\x00b", 1),
        "only_header.csv": ",".join(header),
        "wrong_widths.csv": ",".join(header) + "\n1\n" + ",".join(["1"] * (width * 3)),
        "duplicate_header.csv": ",".join([*header, header[0]]) + "\n" + row + ",1",
    }
    texts = {name: text.encode() for name, text in cases.items()}
    for i in range(6):
        texts[f"random_{i}.csv"] = _random_bytes(rng)
        fields = [rng.choice(["1", '"', "\r", "\n", ",", "\t", LONG[:10], "é"]) for _ in header]
        texts[f"shuffled_{i}.csv"] = (",".join(header) + "\n" + "".join(fields)).encode()
    return texts


def _hostile_json(rng: random.Random) -> dict[str, bytes]:
    record = json.loads(GOOD_CONTACT)
    cases = {
        "odd_keys.jsonl": json.dumps({**record, "": 1, "*": 2, "a\\": 3, "$": 4, "_row": 5}),
        "deep.jsonl": "[" * 100_000 + "]" * 100_000,
        "deep_object.json": '{"a":' * 50_000 + "1" + "}" * 50_000,
        "not_objects.jsonl": '1\n"text"\nnull\n[1, 2]\ntrue',
        "truncated.json": json.dumps({"conversations": [record] * 15})[:-40],
        "long_value.jsonl": json.dumps({**record, "note": LONG}),
        "nul.jsonl": json.dumps(record).replace('"voice"', '"vo\\u0000ice"'),
        "huge_number.jsonl": json.dumps(record)[:-1] + ', "n": 1' + "0" * 400 + "}",
    }
    texts = {name: text.encode() for name, text in cases.items()}
    for i in range(6):
        texts[f"random_{i}.jsonl"] = _random_bytes(rng)
    return texts


def _land(landing: Path, source: str, files: dict[str, bytes], suffix_map=None) -> int:
    folder = landing / source / "2026-01-02"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if suffix_map:
            name = suffix_map(name)
        (folder / name).write_bytes(data)
    return len(files)


def _ingest(settings: Settings, source: str) -> list[tuple]:
    con = connect(settings)
    try:
        loader.ingest_source(con, SOURCES[source], settings.landing_dir)
        return con.execute(
            "select file, status, reason from raw.load_ledger where source = ? order by file",
            [source],
        ).fetchall()
    finally:
        con.close()


def _good(landing: Path, source: str, name: str, data: bytes) -> str:
    folder = landing / source / "2026-01-01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return f"{source}/2026-01-01/{name}"


CSV_SHAPES = {
    # source -> (good file name, good file bytes, how a hostile file is named)
    "survey": ("responses.csv", SURVEY_CSV, None),
    "snowplow": (
        "events.tsv",
        None,  # the fixture's CSV, as TSV (below)
        lambda name: name.replace(".csv", ".tsv"),
    ),
    "qualtrics": (
        "export.csv.gz",
        gzip.compress((FIXTURES / "qualtrics/nps_csat_ces_export.csv").read_bytes(), mtime=0),
        lambda name: name + ".gz",
    ),
}


@pytest.mark.parametrize("source", CSV_SHAPES)
def test_no_csv_or_tsv_content_stops_its_source(cjm_home: Path, source: str) -> None:
    settings = Settings.from_env()
    name, data, rename = CSV_SHAPES[source]
    if data is None:  # Snowplow's own sample, tab-separated and unquoted
        import csv
        import io

        rows = list(
            csv.reader(io.StringIO((FIXTURES / "snowplow/snowplow_web_events.csv").read_text()))
        )
        data = "".join("\t".join(r).replace("\n", " ") + "\n" for r in rows[:20]).encode()
    good = _good(settings.landing_dir, source, name, data)
    hostile = _hostile_csv(source, random.Random(source))
    if source == "qualtrics":  # gzip: also broken and truncated streams
        hostile = {k: gzip.compress(v, mtime=0) for k, v in hostile.items()}
        hostile["truncated.csv"] = gzip.compress(SURVEY_CSV, mtime=0)[:30]
    landed = _land(settings.landing_dir, source, hostile, rename)
    ledger = _ingest(settings, source)
    assert len(ledger) == landed + 1  # every file in the ledger
    statuses = {file: status for file, status, _ in ledger}
    assert statuses[good] in ("loaded", "loaded_with_rejects")
    for file, status, reason in ledger:
        if status == "rejected":
            assert reason, file


@pytest.mark.parametrize("source", ["contact_center", "genesys_cloud", "web"])
def test_no_json_content_stops_its_source(cjm_home: Path, source: str) -> None:
    settings = Settings.from_env()
    if source == "genesys_cloud":
        good_name = "conversations.json"
        good_data = (FIXTURES / "genesys_cloud/chat_closed.json").read_bytes()
    elif source == "web":
        good_name = "events.jsonl.gz"
        good_data = gzip.compress(
            b'{"event_id":"e1","event_at":"2026-01-01T10:00:00Z","cookie_id":"k1",'
            b'"event_name":"page_view"}\n',
            mtime=0,
        )
    else:
        good_name, good_data = "contacts.jsonl", GOOD_CONTACT + b"\n"
    good = _good(settings.landing_dir, source, good_name, good_data)
    hostile = _hostile_json(random.Random(source))
    if source == "web":
        hostile = {k: gzip.compress(v, mtime=0) for k, v in hostile.items()}
        hostile["cut_gzip.jsonl"] = gzip.compress(good_data, mtime=0)[:25]
        rename = lambda name: name.removesuffix(".json").removesuffix(".jsonl") + ".jsonl.gz"  # noqa: E731
    else:
        rename = None
    landed = _land(settings.landing_dir, source, hostile, rename)
    ledger = _ingest(settings, source)
    assert len(ledger) == landed + 1
    statuses = {file: status for file, status, _ in ledger}
    assert statuses[good] in ("loaded", "loaded_with_rejects"), ledger
