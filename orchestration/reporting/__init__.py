"""Dagster side of the HTML reports (the builder itself is the top-level `reports` package)."""
