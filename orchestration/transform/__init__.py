"""dbt: the project handle, its Dagster assets and manifest preparation."""
