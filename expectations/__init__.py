"""Great Expectations suites, as code, that gate publication (see orchestration/quality)."""
