"""The source simulator: determinism, realism bands, and dirt that the loader finds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.simulator import SimulationParams, simulate


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _simulate(tmp_path: Path, name: str, **kwargs) -> Path:
    out = tmp_path / name
    simulate(SimulationParams(**kwargs), out / "landing", out / "truth")
    return out


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    params = {"customers": 300, "days": 7, "seed": 11, "dirty_rate": 0.01}
    first = _tree_digest(_simulate(tmp_path, "a", **params))
    again = _tree_digest(_simulate(tmp_path, "b", **params))
    other = _tree_digest(_simulate(tmp_path, "c", **{**params, "seed": 12}))
    assert first == again
    assert len(first) > 20
    changed = [path for path in first if first[path] != other.get(path)]
    assert len(changed) > len(first) // 2


@pytest.fixture(scope="module")
def clean_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    simulate(
        SimulationParams(customers=3000, days=30, seed=5, dirty_rate=0.0),
        out / "landing",
        out / "truth",
    )
    return out


@pytest.fixture(scope="module")
def sample_db(clean_sample: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    landing = clean_sample / "landing"
    con.execute(
        f"create view contacts as select * from read_json('{landing}/contact_center/*/*.jsonl.gz',"
        " format = 'newline_delimited', timestampformat = '%Y-%m-%dT%H:%M:%SZ')"
    )
    con.execute(
        f"create view events as select * from read_json('{landing}/web/*/*.jsonl.gz',"
        " format = 'newline_delimited')"
    )
    con.execute(
        f"create view surveys as select * from read_csv('{landing}/survey/*/*.csv', header = true)"
    )
    return con


def test_abandonment_rate_is_realistic(sample_db: duckdb.DuckDBPyConnection) -> None:
    [(rate,)] = sample_db.execute(
        "select avg((disconnect_reason = 'abandoned')::int) from contacts"
        " where channel in ('voice', 'chat') and (queued_at is not null or answered_at is not null)"
        " and disconnect_reason is distinct from 'system'"
    ).fetchall()
    assert 0.03 <= rate <= 0.15


def test_contacts_have_what_real_exports_have(sample_db, clean_sample: Path) -> None:
    """Quiet weekends, legs the system dropped, and legs answered with no queued_at."""
    [(dropped, answered, without_queue)] = sample_db.execute(
        "select count(*) filter (where disconnect_reason = 'system'),"
        " count(*) filter (where answered_at is not null),"
        " count(*) filter (where answered_at is not null and queued_at is null)"
        " from contacts where channel in ('voice', 'chat')"
    ).fetchall()
    assert dropped > 0
    assert 0.25 <= without_queue / answered <= 0.45
    daily = pd.read_csv(clean_sample / "truth/daily.csv", parse_dates=["day"])
    weekend = daily.day.dt.day_of_week >= 5
    assert 0.2 <= daily.contacts[weekend].mean() / daily.contacts[~weekend].mean() <= 0.4
    assert daily.dropped.sum() == dropped


def test_survey_response_rate_is_realistic(clean_sample: Path) -> None:
    summary = json.loads((clean_sample / "truth/summary.json").read_text())
    rate = summary["survey_responses"] / summary["surveys_sent"]
    assert 0.10 <= rate <= 0.25


def test_survey_files_match_truth(clean_sample: Path, sample_db) -> None:
    summary = json.loads((clean_sample / "truth/summary.json").read_text())
    [(rows,)] = sample_db.execute("select count(*) from surveys").fetchall()
    assert rows == summary["survey_responses"]


def test_some_web_visitors_are_never_linked_to_a_customer(sample_db) -> None:
    [(share,)] = sample_db.execute(
        "select avg((not has_user)::int) from ("
        " select cookie_id, bool_or(user_id is not null) as has_user from events group by 1)"
    ).fetchall()
    assert 0.2 <= share <= 0.8


def test_unresolved_contacts_are_followed_by_more_repeats(sample_db) -> None:
    rows = sample_db.execute("""
        with handled as (
            select customer_id, contact_reason, initiated_at, disposition,
                lead(initiated_at) over (
                    partition by customer_id, contact_reason order by initiated_at
                ) as next_at
            from contacts
            where customer_id is not null and disposition is not null
        )
        select disposition,
            avg((next_at is not null and next_at <= initiated_at + interval 7 day)::int)
        from handled group by disposition
    """).fetchall()
    repeat = dict(rows)
    assert repeat["unresolved"] > 2 * repeat["resolved"]


def test_csat_is_lower_after_long_waits() -> None:
    """Long waits are rare (most long waiters abandon or take a callback, and a third of the
    answered legs wait 0 s), so this is measured on a large world's responses in memory."""
    from orchestration.simulator.world import build_world

    world = build_world(SimulationParams(customers=50_000, days=14, seed=5, dirty_rate=0.0))
    csat, wait = world.surveys["csat"], world.surveys["wait"]
    answered = (csat >= 1) & (wait >= 0)
    long_wait = answered & (wait > 120)
    assert long_wait.sum() >= 5
    assert csat[long_wait].mean() < csat[answered & ~long_wait].mean() - 0.3


def test_post_contact_surveys_ask_nps_and_it_differs_by_channel_without_changing_the_rest() -> None:
    """Half the post-contact responses also answer NPS (tNPS), lower after e-mail than after chat
    (the planted channel effect), from a random stream of their own: with tNPS off, every
    other survey field is identical."""
    from orchestration.simulator.service import CHANNELS
    from orchestration.simulator.surveys import POST_CONTACT
    from orchestration.simulator.world import build_world

    params = {"customers": 20_000, "days": 14, "seed": 5, "dirty_rate": 0.0}
    world = build_world(SimulationParams(**params))
    off = build_world(SimulationParams(**params, post_contact_nps_share=0.0))
    post = world.surveys["survey_type"] == POST_CONTACT
    asked = post & (world.surveys["nps"] >= 0)
    assert 0.4 < asked.sum() / post.sum() < 0.6
    assert (off.surveys["nps"][post] == -1).all()
    for name in ("csat", "ces", "contact", "responded", "pick"):
        assert (world.surveys[name] == off.surveys[name]).all(), name
    assert (world.surveys["nps"][~post] == off.surveys["nps"][~post]).all()
    contact = world.surveys["contact"][asked]
    channel = dict(zip(world.service.legs["number"], world.service.legs["channel"], strict=True))
    channels = np.array([channel[c] for c in contact])
    nps = world.surveys["nps"][asked]
    chat, email = CHANNELS.index("chat"), CHANNELS.index("email")
    assert nps[channels == chat].mean() > nps[channels == email].mean() + 0.8


def test_all_channels_personas_and_languages_present(sample_db, clean_sample: Path) -> None:
    channels = {r[0] for r in sample_db.execute("select distinct channel from contacts").fetchall()}
    assert channels == {"voice", "chat", "email", "callback", "bot"}
    crm = duckdb.execute(
        f"select distinct language from read_csv('{clean_sample}/landing/crm/*/*.csv')"
    ).fetchall()
    assert {r[0] for r in crm} == {"en", "lv", "ru", "lt", "hy", "zh"}


def _load(landing: Path, db: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(db))
    con.execute("set TimeZone = 'UTC'")
    for spec in SOURCES.values():
        loader.ingest_source(con, spec, landing)
    return con


def test_clean_sample_loads_with_zero_rejects(clean_sample: Path, tmp_path: Path) -> None:
    con = _load(clean_sample / "landing", tmp_path / "w.duckdb")
    assert con.execute("select count(*) from raw.rejected_rows").fetchone() == (0,)
    assert con.execute(
        "select count(*) from raw.load_ledger where status <> 'loaded'"
    ).fetchone() == (0,)


def _assert_rejects_are_the_planted_ones(con: duckdb.DuckDBPyConnection, summary: dict) -> None:
    kept_out = dict(
        con.execute(
            "select source || '/' || rule, count(*) from raw.rejected_rows group by all"
        ).fetchall()
    )
    assert kept_out == summary["kept_out_by_rule"]
    [(in_ledger,)] = con.execute("select sum(rows_rejected) from raw.load_ledger").fetchall()
    assert in_ledger == sum(kept_out.values())


def test_dirty_sample_rejects_exactly_what_was_planted(tmp_path: Path) -> None:
    out = _simulate(tmp_path, "dirty", customers=500, days=10, seed=3, dirty_rate=0.01)
    summary = json.loads((out / "truth/summary.json").read_text())
    dirt = summary["dirt"]
    assert set(dirt["contact_center"]) >= {
        "untypeable_value",
        "malformed_line",
        "duplicate_record",
        "conflicting_duplicate",
        "impossible_timestamps",
        "unknown_customer_id",
        "late_record",
    }
    assert set(dirt["survey"]) >= {
        "out_of_range_score",
        "wrong_field_count",
        "bad_encoding",
        "extra_column",
    }
    assert set(dirt["web"]) >= {"malformed_line", "duplicate_record", "extra_column"}
    con = _load(out / "landing", tmp_path / "w.duckdb")
    _assert_rejects_are_the_planted_ones(con, summary)
    reasons = {
        r[0]
        for r in con.execute(
            "select distinct split_part(reason, ':', 1) from raw.rejected_rows"
        ).fetchall()
    }
    assert {"malformed JSON", "column hold_seconds"} <= reasons
    assert any(r.startswith("invalid UTF-8") for r in reasons)
    assert any(r.startswith("expected 12 fields") for r in reasons)
    assert {"leg_timestamps_out_of_order", "score_out_of_range"} <= reasons
    late = con.execute(
        "select count(*) from raw.load_ledger where file like '%contacts_late_%'"
    ).fetchone()[0]
    assert late == 1


def test_large_sample_is_simulated_in_shards_and_merged(tmp_path: Path) -> None:
    """1,200 customers in shards of 400 (2 workers): one file per source and day, unique ids,
    every planted fault found by the loader, and the same bytes on a second run."""
    params = SimulationParams(customers=1200, days=10, seed=3, dirty_rate=0.01)
    runs = {}
    for name in ("a", "b"):
        out = tmp_path / name
        planted = simulate(
            params, out / "landing", out / "truth", workers=2, shard_customer_days=4000
        )
        runs[name] = out
    assert _tree_digest(runs["a"]) == _tree_digest(runs["b"])
    out = runs["a"]
    summary = json.loads((out / "truth/summary.json").read_text())
    assert summary["shards"] == 3
    assert summary["dirt"] == planted
    assert sorted(p.name for p in (out / "landing/web").glob("*/*")) == ["events.jsonl.gz"] * 10
    assert not list(out.glob(".shards-*"))
    con = _load(out / "landing", tmp_path / "w.duckdb")
    _assert_rejects_are_the_planted_ones(con, summary)
    # One CRM header per file; the three shards' customers numbered 1..1200.
    crm = con.execute(
        "select count(distinct customer_id), min(customer_id), max(customer_id)"
        " from raw.crm__customers"
    ).fetchone()
    assert crm == (1200, "C0000001", "C0001200")
    daily = pd.read_csv(out / "truth/daily.csv")
    web_rows = con.execute("select count(*) from raw.web__events").fetchone()[0]
    duplicates = planted["web"]["duplicate_record"]
    assert web_rows == daily["web_events"].sum() + duplicates  # malformed copies kept out
    # Ids made from each shard's own seed never collide across shards: only planted duplicate
    # records repeat an id, and an order number belongs to one event.
    for table, column, source in (
        ("web__events", "event_id", "web"),
        ("contact_center__contacts", "contact_id", "contact_center"),
    ):
        repeats = con.execute(
            f"select count(*) - count(distinct {column}) from raw.{table}"
        ).fetchone()[0]
        copies = planted[source]["duplicate_record"]
        copies += planted[source].get("conflicting_duplicate", 0)
        assert repeats == copies, table
    shared_orders = con.execute(
        "select count(*) from (select order_id from raw.web__events where order_id is not null"
        " group by order_id having count(distinct event_id) > 1)"
    ).fetchone()[0]
    assert shared_orders == 0
