"""Great Expectations suites wired in as blocking Dagster asset checks."""
