"""How fresh a home's data is, judged where it is declared.

Each landing source that has loaded a file: the age of its newest load (the raw table's
`loaded_at_field`, `_loaded_at`) against its dbt `freshness` (`warn_after`, `error_after`:
dbt_project.yml for every source, a source's own `config: freshness:` to differ), read from the
dbt manifest, so `dbt source freshness` judges the same. The published data: its last day
(`data_through`) against the var `published_max_age_days`, in the centre's time zone.

`cjm status` shows the findings and exits 1 when one is stale; every report page's banner
says so; a stale night and `cjm status --alert` run the notifier (orchestration/notify.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import zoneinfo
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from orchestration.project_yaml import read_yaml
from orchestration.settings import DBT_PROJECT_DIR, Settings

FRESH, LATE, STALE = "fresh", "late", "stale"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"  # the last parse (every run parses)
_HOURS = {"minute": 1 / 60, "hour": 1, "day": 24}


@dataclass(frozen=True)
class Finding:
    subject: str  # "source web.events" or "published data"
    level: str  # fresh, late (past warn_after) or stale (past error_after)
    age_hours: float
    warn_hours: float | None
    stale_hours: float
    newest: str  # the newest load (UTC) or the last day of data

    def line(self) -> str:
        return (
            f"{self.subject}: {self.level.upper()}, {_span(self.age_hours)} old ({self.newest};"
            f" stale after {_span(self.stale_hours)})"
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _span(hours: float) -> str:
    return f"{hours / 24:.0f} days" if hours >= 96 else f"{hours:.0f} h"


def _hours(threshold: dict | None) -> float | None:
    if not threshold or threshold.get("count") is None:
        return None
    return threshold["count"] * _HOURS[threshold["period"]]


def _level(age: float, warn: float | None, stale: float) -> str:
    if age > stale:
        return STALE
    return LATE if warn is not None and age > warn else FRESH


def declared(manifest: Path) -> dict[str, tuple[str, str, float | None, float]]:
    """`schema.identifier` -> (source name, loaded_at_field, warn hours, stale hours) of every
    source table with an error_after (read once per version of the manifest)."""
    return _declared(manifest, manifest.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _declared(manifest: Path, _version: int) -> dict[str, tuple[str, str, float | None, float]]:
    found = {}
    for node in json.loads(manifest.read_text())["sources"].values():
        freshness = node.get("freshness") or {}
        stale = _hours(freshness.get("error_after"))
        if stale is None or not node.get("loaded_at_field"):
            continue
        found[f"{node['schema']}.{node['identifier']}"] = (
            f"{node['source_name']}.{node['name']}",
            node["loaded_at_field"],
            _hours(freshness.get("warn_after")),
            stale,
        )
    return found


def source_findings(
    con: duckdb.DuckDBPyConnection,
    manifest: Path,
    now: dt.datetime,
    relations: set[str] | None = None,
) -> list[Finding]:
    """One finding per declared source table that holds rows (a vendor never used is not
    stale), of `relations` ("raw.web__events") when given; `now` is naive UTC like the
    loader's timestamps."""
    tables = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall()
    }
    findings = []
    for relation, (name, column, warn, stale) in sorted(declared(manifest).items()):
        if relation not in tables or (relations is not None and relation not in relations):
            continue
        newest = con.execute(f'select max("{column}") from {relation}').fetchall()[0][0]
        if newest is None:
            continue
        age = (now - newest).total_seconds() / 3600
        findings.append(
            Finding(
                f"source {name}",
                _level(age, warn, stale),
                round(age, 1),
                warn,
                stale,
                f"last loaded {newest:%Y-%m-%d %H:%M} UTC",
            )
        )
    return findings


def published_max_age_days(project_dir: Path = DBT_PROJECT_DIR) -> int:
    return int(read_yaml(project_dir / "dbt_project.yml")["vars"]["published_max_age_days"])


def publication_finding(
    data_through: dt.date | None, today: dt.date, max_age_days: int
) -> Finding | None:
    """The published data's last day against the bound (None before the first publication).
    Data through yesterday is 1 day old."""
    if data_through is None:
        return None
    age = (today - data_through).days * 24
    stale = max_age_days * 24
    return Finding(
        "published data",
        STALE if age > stale else FRESH,
        float(age),
        None,
        float(stale),
        f"data through {data_through}",
    )


def judge(settings: Settings, now: dt.datetime | None = None) -> list[Finding]:
    """Every finding of the home: the sources' loads, then the published data."""
    from orchestration.publish.writer import latest_publication
    from orchestration.warehouse import connect

    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    findings: list[Finding] = []
    if settings.build_db.exists() and MANIFEST.exists():
        try:
            con = connect(settings, read_only=True)
        except duckdb.Error:  # a run holds it: judged from the publication alone
            con = None
        if con is not None:
            try:
                findings += source_findings(con, MANIFEST, now)
            finally:
                con.close()
    publication = latest_publication(settings) or {}
    through = publication.get("data_through")
    today = now.replace(tzinfo=dt.UTC).astimezone(zoneinfo.ZoneInfo(settings.timezone)).date()
    found = publication_finding(
        dt.date.fromisoformat(str(through)) if through else None, today, published_max_age_days()
    )
    return findings + ([found] if found else [])


def stale(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.level == STALE]
