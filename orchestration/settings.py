"""One settings object: every path and knob of a run, derived from the environment.

`CJM_HOME` (default `./data`) holds all runtime data; every other path is derived from it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

DEFAULT_SCHEDULE = "0 2 * * *"  # every day at 02:00 (CJM_SCHEDULE, in CJM_SCHEDULE_TIMEZONE)
DEFAULT_PII_SALT = "cjm-dev-salt"  # fine for the simulated sample; set CJM_PII_SALT in production

# Dagster's SQLite storage in its usual folders, with an event log that keeps its database
# connections open (orchestration/event_log.py); telemetry off (no network here).
DAGSTER_YAML = """\
storage:
  custom:
    module: orchestration.event_log
    class: PooledSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
telemetry:
  enabled: false
compute_logs:
  module: dagster.core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


@dataclass(frozen=True)
class Settings:
    home: Path
    pii_salt: str
    duckdb_threads: int
    duckdb_memory_limit: str
    timezone: str = "UTC"  # the centre's time zone: local days, weeks and months
    schedule: str = DEFAULT_SCHEDULE  # when the nightly job runs under `cjm serve` (cron)
    schedule_timezone: str = "UTC"  # ... read in this time zone (default: the centre's)
    micro_batch_seconds: int = 0  # > 0: a landed file starts a run after this many seconds
    notify_command: str = ""  # run with an alert's line as its last argument (notify.py)
    notify_webhook: str = ""  # ... and/or POSTed {"text": line} to this URL

    @classmethod
    def from_env(cls, home: Path | str | None = None) -> Settings:
        """The settings the environment gives (`home` overrides CJM_HOME)."""
        home = Path(home or os.environ.get("CJM_HOME", REPO_ROOT / "data")).expanduser().resolve()
        timezone = _timezone(os.environ.get("CJM_TIMEZONE", "UTC"))
        return cls(
            home=home,
            pii_salt=os.environ.get("CJM_PII_SALT", DEFAULT_PII_SALT),
            duckdb_threads=int(_from_env_or_profile("CJM_DUCKDB_THREADS")),
            duckdb_memory_limit=_from_env_or_profile("CJM_DUCKDB_MEMORY_LIMIT"),
            timezone=timezone,
            schedule=_cron(os.environ.get("CJM_SCHEDULE", DEFAULT_SCHEDULE)),
            schedule_timezone=_timezone(
                os.environ.get("CJM_SCHEDULE_TIMEZONE", timezone), "CJM_SCHEDULE_TIMEZONE"
            ),
            micro_batch_seconds=_seconds(os.environ.get("CJM_MICRO_BATCH_SECONDS", "0")),
            notify_command=os.environ.get("CJM_NOTIFY_COMMAND", "").strip(),
            notify_webhook=os.environ.get("CJM_NOTIFY_WEBHOOK", "").strip(),
        )

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def build_db(self) -> Path:
        return self.warehouse_dir / "build.duckdb"

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "cjm.duckdb"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def prepare(self) -> None:
        """Create the runtime folders and export the environment that dbt and Dagster read."""
        for path in (
            self.landing_dir,
            self.warehouse_dir,
            self.exports_dir,
            self.reports_dir,
            self.logs_dir,
            self.dagster_home,
        ):
            path.mkdir(parents=True, exist_ok=True)
        dagster_yaml = self.dagster_home / "dagster.yaml"
        if not dagster_yaml.exists() or dagster_yaml.read_text() != DAGSTER_YAML:
            dagster_yaml.write_text(DAGSTER_YAML)
        os.environ.update(self.child_env())

    def child_env(self) -> dict[str, str]:
        """Variables every child process (dbt, dagster, sqlfluff) must see."""
        return {
            "CJM_HOME": str(self.home),
            "CJM_PII_SALT": self.pii_salt,
            "CJM_DUCKDB_THREADS": str(self.duckdb_threads),
            "CJM_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "CJM_TIMEZONE": self.timezone,
            "CJM_SCHEDULE": self.schedule,
            "CJM_SCHEDULE_TIMEZONE": self.schedule_timezone,
            "CJM_MICRO_BATCH_SECONDS": str(self.micro_batch_seconds),
            "CJM_NOTIFY_COMMAND": self.notify_command,
            "CJM_NOTIFY_WEBHOOK": self.notify_webhook,
            "DAGSTER_HOME": str(self.dagster_home),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DAGSTER_DISABLE_TELEMETRY": "true",
        }


def _from_env_or_profile(variable: str) -> str:
    """The variable's value, else its default in dbt_project/profiles.yml: the one home of the
    DuckDB defaults, so the loader and a dbt run by hand without `cjm` use the same."""
    if variable in os.environ:
        return os.environ[variable]
    text = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    found = re.search(rf"env_var\('{variable}',\s*'([^']*)'\)", text)
    if found is None:
        raise ValueError(f"profiles.yml gives no default for {variable}")
    return found.group(1)


def centre_timezone() -> str:
    """The centre's time zone from CJM_TIMEZONE (UTC when unset), as the dbt var `timezone`
    reads it: the loader's date bounds are local dates too."""
    return _timezone(os.environ.get("CJM_TIMEZONE", "UTC"))


def _timezone(name: str, variable: str = "CJM_TIMEZONE") -> str:
    """An IANA time zone name (Europe/Riga), checked: a typo would shift every local date."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"{variable}={name!r} is not an IANA time zone name (e.g. Europe/Riga, UTC)"
        ) from exc
    return name


def _cron(text: str) -> str:
    """Five cron fields (`0 2 * * *`); Dagster checks their values when the schedule is built
    (`cjm serve` builds it before it starts)."""
    if not re.fullmatch(r"\s*([0-9A-Za-z*/,?-]+\s+){4}[0-9A-Za-z*/,?-]+\s*", text):
        raise ValueError(f"CJM_SCHEDULE={text!r} is not a cron string (e.g. '0 2 * * *')")
    return " ".join(text.split())


def _seconds(text: str) -> int:
    if not text.strip().isdigit():
        raise ValueError(f"CJM_MICRO_BATCH_SECONDS={text!r} is not a whole number of seconds")
    return int(text)
