"""The Dagster definitions, assembled from the domain modules by one function.

Importing this module does nothing: `build_definitions` parses the dbt manifest when it is
stale (dagster-dbt needs it) and wires the assets to the run's settings and warehouse as
resources. `dagster dev -m orchestration.definitions` (what `cjm ui` runs) loads `defs`, the
same function for the home in the environment.
"""

from __future__ import annotations

import dagster as dg

from orchestration.ingestion.assets import ingestion_assets
from orchestration.jobs import new_landing_files, nightly_job, nightly_schedule
from orchestration.logging import cjm_logger
from orchestration.publish.assets import build_publish_asset
from orchestration.publish.writer import PUBLISHED_SCHEMAS
from orchestration.quality.checks import quality_checks
from orchestration.reporting.assets import (
    html_reports,
    stale_alert_after_run,
    stale_banner_on_blocked_run,
)
from orchestration.resources import CjmSettings, Warehouse
from orchestration.settings import Settings
from orchestration.transform.assets import build_dbt_assets, dbt_resource
from orchestration.transform.project import ensure_manifest


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor, for the home of `settings`."""
    ensure_manifest(settings)
    dbt_assets = build_dbt_assets()
    home = CjmSettings.of(settings)
    return dg.Definitions(
        assets=[
            *ingestion_assets(),
            dbt_assets,
            build_publish_asset(
                sorted(
                    (key for key in dbt_assets.keys if key.path[0] in PUBLISHED_SCHEMAS), key=str
                )
            ),
            html_reports,
        ],
        asset_checks=quality_checks(),
        jobs=[nightly_job],
        schedules=[nightly_schedule(settings)],
        sensors=[new_landing_files(settings), stale_banner_on_blocked_run, stale_alert_after_run],
        resources={"dbt": dbt_resource(), "settings": home, "warehouse": Warehouse(settings=home)},
        loggers={"console": cjm_logger},
    )


@dg.definitions
def defs() -> dg.Definitions:
    """For `dagster dev` / `dagster definitions validate`: the home in the environment."""
    return build_definitions(Settings.from_env())
