"""Freshness: each source's newest load against its declared dbt freshness, the published
data's last day against its bound; and the notifier that says so."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest

from orchestration import freshness
from orchestration.notify import notify
from orchestration.settings import Settings

NOW = dt.datetime(2026, 12, 7, 12, 0)


def _manifest(tmp_path: Path) -> Path:
    def source(name: str, warn: dict | None, error: dict | None) -> dict:
        return {
            "source_name": name,
            "name": "events",
            "schema": "raw",
            "identifier": f"{name}__events",
            "loaded_at_field": "_loaded_at",
            "freshness": {"warn_after": warn, "error_after": error},
        }

    hours = {"count": 30, "period": "hour"}
    sources = {
        "a": source("fresh", hours, {"count": 54, "period": "hour"}),
        "b": source("late", hours, {"count": 54, "period": "hour"}),
        "c": source("stale", hours, {"count": 2, "period": "day"}),
        "d": source("never_used", hours, {"count": 54, "period": "hour"}),
        "e": source("undeclared", None, None),
        "f": source("empty", hours, {"count": 54, "period": "hour"}),
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"sources": sources}))
    return path


def test_each_used_source_is_judged_by_its_newest_load(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create schema raw")
    for name, hours_ago in (("fresh", 1), ("late", 31), ("stale", 49), ("undeclared", 999)):
        con.execute(
            f"create table raw.{name}__events as select ? as _loaded_at",
            [NOW - dt.timedelta(hours=hours_ago)],
        )
    con.execute("create table raw.empty__events (_loaded_at timestamp)")
    found = {
        f.subject: (f.level, f.age_hours, f.stale_hours)
        for f in freshness.source_findings(con, _manifest(tmp_path), NOW)
    }
    assert found == {
        "source fresh.events": ("fresh", 1.0, 54),
        "source late.events": ("late", 31.0, 54),  # past warn_after (30 h), not error_after
        "source stale.events": ("stale", 49.0, 48),  # 2 days = 48 h
    }


def test_published_data_is_stale_past_its_bound_in_days() -> None:
    today = dt.date(2026, 12, 7)
    assert freshness.publication_finding(dt.date(2026, 12, 5), today, 2).level == "fresh"
    late = freshness.publication_finding(dt.date(2026, 12, 4), today, 2)
    assert (late.level, late.age_hours, late.stale_hours) == ("stale", 72.0, 48.0)
    assert late.line() == (
        "published data: STALE, 72 h old (data through 2026-12-04; stale after 48 h)"
    )
    assert "68 days old" in freshness.publication_finding(dt.date(2026, 9, 30), today, 2).line()
    assert freshness.publication_finding(None, today, 2) is None


def test_every_landing_source_declares_its_freshness_and_the_ledger_none() -> None:
    declared = freshness.declared(freshness.MANIFEST)
    assert {"raw.web__events", "raw.contact_center__contacts", "raw.crm__customers"} <= set(
        declared
    )
    assert "raw.load_ledger" not in declared
    assert {column for _, column, _, _ in declared.values()} == {"_loaded_at"}
    assert declared["raw.web__events"][2:] == (30, 54)  # dbt_project.yml: warn, error (hours)


class _Hook(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


def test_an_alert_goes_to_the_command_and_the_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        written = tmp_path / "alert.txt"
        monkeypatch.setenv("CJM_NOTIFY_COMMAND", f"sh -c 'echo \"$1\" > {written}' alert")
        monkeypatch.setenv("CJM_NOTIFY_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
        settings = Settings.from_env(home=tmp_path / "home")
        assert notify(settings, "run 1234abcd FAILED: CHECK FAILED web/events") == []
    finally:
        server.shutdown()
    line = f"cjm-warehouse {settings.home}: run 1234abcd FAILED: CHECK FAILED web/events"
    assert written.read_text().strip() == line
    assert _Hook.received == [{"text": line}]


def test_a_notifier_that_fails_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CJM_NOTIFY_COMMAND", "false")
    monkeypatch.setenv("CJM_NOTIFY_WEBHOOK", "http://127.0.0.1:9/nothing-listens")
    problems = notify(Settings.from_env(home=tmp_path / "home"), "data STALE")
    assert len(problems) == 2
    assert problems[0].startswith("CJM_NOTIFY_COMMAND exited 1")
    assert problems[1].startswith("CJM_NOTIFY_WEBHOOK failed")


def test_a_sources_freshness_check_judges_its_own_table_and_only_warns(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("create schema raw")
    for name, hours_ago in (("fresh", 1), ("stale", 49)):
        con.execute(
            f"create table raw.{name}__events as select ? as _loaded_at",
            [NOW - dt.timedelta(hours=hours_ago)],
        )
    [stale] = freshness.source_findings(
        con, _manifest(tmp_path), NOW, relations={"raw.stale__events"}
    )
    assert stale.subject == "source stale.events" and stale.level == "stale"
    assert freshness.source_findings(con, _manifest(tmp_path), NOW, relations={"raw.other"}) == []


def test_a_failed_run_alerts_its_first_failure_and_where_to_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.alerts import run_failed

    written = tmp_path / "alert.txt"
    monkeypatch.setenv("CJM_NOTIFY_COMMAND", f"sh -c 'echo \"$1\" > {written}' alert")
    settings = Settings.from_env(home=tmp_path / "home")
    failures = ["CHECK FAILED web/events:raw_expectations: 3 files", "FAILED cjm_dbt_assets: x"]
    line = run_failed(settings, "0123456789ab", failures, "full log: /srv/cjm/logs/run.log")
    assert line == (
        "run 01234567 FAILED, nothing published: CHECK FAILED web/events:raw_expectations:"
        " 3 files (and 1 more); full log: /srv/cjm/logs/run.log"
    )
    assert written.read_text().strip() == f"cjm-warehouse {settings.home}: {line}"
