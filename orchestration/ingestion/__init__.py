"""Ingestion: landing files -> the `raw` schema of build.duckdb, with a load ledger and rejects."""
