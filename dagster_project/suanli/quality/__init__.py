"""Asset checks: Great Expectations suites (expectations/*.json) run on DuckDB tables."""
