"""The one Definitions object, assembled from the domain modules."""

from __future__ import annotations

import dagster as dg

from orchestration.settings import Settings

Settings.from_env().prepare()  # absolute CJM_HOME, DAGSTER_HOME, DBT_PROFILES_DIR for children

from orchestration.ingestion.assets import ingestion_assets, ingestion_checks  # noqa: E402
from orchestration.jobs import new_landing_files, nightly_job, nightly_schedule  # noqa: E402
from orchestration.logging import cjm_logger  # noqa: E402
from orchestration.publish.assets import build_publish_asset  # noqa: E402
from orchestration.quality.checks import quality_checks  # noqa: E402
from orchestration.reporting.assets import html_reports, stale_banner_on_blocked_run  # noqa: E402
from orchestration.transform.assets import cjm_dbt_assets, dbt_resource  # noqa: E402

published_warehouse = build_publish_asset(sorted(cjm_dbt_assets.keys, key=str))

defs = dg.Definitions(
    assets=[*ingestion_assets, cjm_dbt_assets, published_warehouse, html_reports],
    asset_checks=[*ingestion_checks, *quality_checks],
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=[new_landing_files, stale_banner_on_blocked_run],
    resources={"dbt": dbt_resource},
    loggers={"console": cjm_logger},
)
