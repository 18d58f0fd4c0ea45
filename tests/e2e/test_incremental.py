"""Incremental models: loading day by day gives the same tables as one full refresh."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion import loader
from orchestration.ingestion.sources import SOURCES
from orchestration.simulator import SimulationParams, simulate
from tests.conftest import run_dbt

pytestmark = pytest.mark.slow
COMPARED = {
    "intermediate.int_web_cookie_logins": "cookie_id, customer_id",
    "intermediate.int_web_events_sessionized": "event_id",
    "intermediate.int_contacts_identified": "contact_id",
    "intermediate.int_verbatim_themes": "response_id, theme",
    "intermediate.int_verbatim_tone": "response_id",
    "marts.fct_web_sessions": "session_id",
    "marts.fct_contacts": "contact_id",
    "marts.fct_touchpoints": "touchpoint_id",
    "marts.fct_service_journeys": "episode_id",
    "marts.fct_journey_stages": "journey_stage_id",
}


def _dbt(home: Path, *args: str, slice_rows: int = 10_000_000) -> str:
    """Build the compared tables and what they are made from; no tests (the equality is the
    test here, and the nightly run's own tests are covered elsewhere). A first build of a
    sliced model runs one query per `slice_rows` input rows."""
    result = run_dbt(
        home,
        "build",
        "--vars",
        f"{{incremental_lookback_hours: 0, build_slice_rows: {slice_rows}}}",
        "--select",
        *(f"+{table.split('.')[1]}" for table in COMPARED),
        "--exclude",
        "resource_type:unit_test",
        "resource_type:test",
        *args,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return result.stdout


def _ingest(home: Path, until: dt.date) -> None:
    con = duckdb.connect(str(home / "warehouse/build.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    try:
        for spec in SOURCES.values():
            loader.ingest_source(con, spec, home / "landing", until=until)
    finally:
        con.close()


def _snapshot(home: Path) -> dict[str, list[tuple]]:
    """Every row of the compared tables, less _batch_at (the run that last rebuilt the row)."""
    with duckdb.connect(str(home / "warehouse/build.duckdb"), read_only=True) as con:
        snapshot = {}
        for table, key in COMPARED.items():
            columns = [row[0] for row in con.execute(f"describe {table}").fetchall()]
            kept = ", ".join(f'"{column}"' for column in columns if column != "_batch_at")
            snapshot[table] = con.execute(f"select {kept} from {table} order by {key}").fetchall()
        return snapshot


def _redeliver_event_to_other_cookie(landing: Path, start: dt.date) -> None:
    """Day 4 re-delivers an event of day 1 under another cookie: the new copy wins the
    deduplication, so the first cookie's sessions must lose that event incrementally too."""
    day = [json.loads(line) for line in _web_lines(landing, start + dt.timedelta(days=1))]
    later = [json.loads(line) for line in _web_lines(landing, start + dt.timedelta(days=3))]
    moved = {**day[0], "cookie_id": later[0]["cookie_id"]}
    assert moved["cookie_id"] != day[0]["cookie_id"]
    folder = landing / "web" / (start + dt.timedelta(days=4)).isoformat()
    (folder / "redelivered.jsonl.gz").write_bytes(
        gzip.compress((json.dumps(moved) + "\n").encode(), mtime=0)
    )


def _plant_late_events_between_visits(landing: Path, start: dt.date) -> list[str]:
    """Day 4 brings late events of days 0-2 into the gaps between visits of two cookies (never
    before a cookie's first visit): events every 25 minutes across the shortest such gap (two
    visits become one, and every later visit of the cookie is numbered one lower), and one
    event in the middle of a gap of over two hours (a new visit between them: every later
    visit is numbered one higher). The cookies' earlier visits must keep their rows. Returns
    the two cookies."""
    lines = [
        json.loads(line)
        for offset in range(3)
        for line in _web_lines(landing, start + dt.timedelta(days=offset))
    ]
    gaps = []  # (seconds, cookie, before, after) of every gap between visits of a cookie
    for cookie in sorted({line["cookie_id"] for line in lines}):
        times = sorted(
            dt.datetime.fromisoformat(line["event_at"].replace("Z", "+00:00"))
            for line in lines
            if line["cookie_id"] == cookie
        )
        for before, after in itertools.pairwise(times[1:]):
            if (after - before).total_seconds() > 30 * 60:
                gaps.append(((after - before).total_seconds(), cookie, before, after))
    _, merged, before, after = min(gaps)
    _, split, split_before, split_after = next(
        gap for gap in sorted(gaps) if gap[0] > 2 * 3600 and gap[1] != merged
    )
    steps = int((after - before).total_seconds() // (25 * 60))
    fills = [(merged, before + dt.timedelta(minutes=25 * (n + 1))) for n in range(steps)]
    fills.append((split, split_before + (split_after - split_before) / 2))
    planted = [
        {
            **next(line for line in lines if line["cookie_id"] == cookie),
            "event_id": f"planted-between-{n}",
            "event_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "event_name": "page_view",
        }
        for n, (cookie, at) in enumerate(fills)
    ]
    folder = landing / "web" / (start + dt.timedelta(days=4)).isoformat()
    (folder / "late_between.jsonl.gz").write_bytes(
        gzip.compress("".join(json.dumps(p) + "\n" for p in planted).encode(), mtime=0)
    )
    return [merged, split]


def _log_in_anonymous_cookie(landing: Path, start: dt.date, days: int) -> tuple[str, str]:
    """The last day brings a login on a cookie that was anonymous until then: all its sessions
    move from the cookie's anonymous key to that customer, so the anonymous key must lose
    every touchpoint and stage it had. Returns (cookie, customer)."""
    lines = [
        json.loads(line)
        for offset in range(days)
        for line in _web_lines(landing, start + dt.timedelta(days=offset))
    ]
    logged_in = {line["cookie_id"] for line in lines if line["user_id"]}
    later = lines[len(lines) // 3 :]
    anonymous = next(line for line in later if line["cookie_id"] not in logged_in)
    customer = next(line["user_id"] for line in lines if line["user_id"])
    last = start + dt.timedelta(days=days - 1)
    login = {
        **anonymous,
        "event_id": "planted-late-login",
        "event_at": f"{last.isoformat()}T12:00:00Z",
        "user_id": customer,
        "event_name": "login",
    }
    (landing / "web" / last.isoformat() / "late_login.jsonl.gz").write_bytes(
        gzip.compress((json.dumps(login) + "\n").encode(), mtime=0)
    )
    return anonymous["cookie_id"], customer


def _stage_one_customer_with_older_rules(home: Path) -> None:
    """Make one customer's touchpoints look staged by other stage rules (as after an edit of
    stage_rules.csv): the next run must restage that customer from the current rules."""
    with duckdb.connect(str(home / "warehouse/build.duckdb")) as con:
        con.execute(
            "update marts.fct_touchpoints set stage = 'tampered', _rules_hash = 'older rules'"
            " where customer_key = (select min(customer_key) from marts.fct_touchpoints)"
        )


def _tag_one_verbatim_with_older_rules(home: Path) -> None:
    """Make one verbatim without a theme look tagged by other theme rules: the next run tags
    every verbatim again, and that verbatim's row must go though it gets no theme now."""
    with duckdb.connect(str(home / "warehouse/build.duckdb")) as con:
        inserted = con.execute(
            "insert into intermediate.int_verbatim_themes (response_id, theme, _rules_hash,"
            " _batch_at) select min(response_id), 'tampered', 'older rules', max(_batch_at)"
            " from intermediate.int_verbatim_tone where response_id not in"
            " (select response_id from intermediate.int_verbatim_themes)"
        ).fetchall()
        assert inserted == [(1,)]


def _web_lines(landing: Path, day: dt.date) -> list[bytes]:
    data = gzip.decompress((landing / "web" / day.isoformat() / "events.jsonl.gz").read_bytes())
    return [line for line in data.splitlines() if line.startswith(b"{") and line.endswith(b"}")]


def test_day_by_day_equals_full_refresh(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    start = dt.date(2026, 9, 1)
    # dirty: includes a late file delivered on day 4 with contacts of day 2, and duplicates
    simulate(
        SimulationParams(customers=300, days=6, start=start, seed=21, dirty_rate=0.01),
        home / "landing",
        home / "truth",
    )
    _redeliver_event_to_other_cookie(home / "landing", start)
    bridged = _plant_late_events_between_visits(home / "landing", start)
    cookie, customer = _log_in_anonymous_cookie(home / "landing", start, days=6)
    # A full build of days 0-3, then one incremental run per new day (day 4 brings the late
    # file of day 2). With no lookback each incremental run re-processes only the cookies and
    # chains its new rows touch, which is what must equal the full refresh.
    for last_day in (3, 4, 5):
        _ingest(home, start + dt.timedelta(days=last_day))
        _dbt(home)
    _stage_one_customer_with_older_rules(home)
    _tag_one_verbatim_with_older_rules(home)
    _dbt(home)  # nothing new loaded: restages that customer, tags every verbatim again
    incremental = _snapshot(home)
    with duckdb.connect(str(home / "warehouse/build.duckdb"), read_only=True) as con:
        cookie_keys = con.execute(
            "select distinct customer_key from marts.fct_web_sessions where cookie_id = ?",
            [cookie],
        ).fetchall()
        kept_visits = con.execute(
            "select cookie_id, count(distinct _batch_at) from"
            " intermediate.int_web_events_sessionized where cookie_id in (?, ?) group by all",
            bridged,
        ).fetchall()
        batches = {
            table: con.execute(f"select count(distinct _batch_at) from {table}").fetchone()[0]
            for table in (
                "marts.fct_touchpoints",
                "marts.fct_journey_stages",
                "intermediate.int_verbatim_tone",
            )
        }
    assert cookie_keys == [(customer,)], "the late login moved the cookie's sessions"
    assert len(kept_visits) == 2, kept_visits
    assert all(count > 1 for _, count in kept_visits), f"earlier visits kept: {kept_visits}"
    assert all(count > 1 for count in batches.values()), f"rebuilt only what changed: {batches}"
    assert all(incremental[table] for table in COMPARED), "every compared table has rows"
    # The full refresh builds the sliced models in slices of a few hundred events (their first
    # builds at scale), one cookie's re-delivered event crossing slices.
    log = _dbt(home, "--full-refresh", "--debug", slice_rows=500)
    assert "set variable cjm_build_slice = 2::ubigint" in log, "the full refresh ran in slices"
    full = _snapshot(home)
    for table in COMPARED:
        assert incremental[table] == full[table], table
    with duckdb.connect(str(home / "warehouse/build.duckdb"), read_only=True) as con:
        moved = con.execute(
            "select count(*) from intermediate.int_web_events_sessionized as s"
            " inner join raw.web__events as r on s.event_id = r.event_id"
            " where r._file like '%redelivered%' and s.cookie_id = r.cookie_id"
        ).fetchone()[0]
    assert moved == 1, "the re-delivered copy is the one sessionized"
