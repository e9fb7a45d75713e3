"""Deterministic generator of data at real size, for the scale benchmark (`make
benchmark-scale`): hourly meter registers of N compute centres for a year (12,000 centres ≈
105 M rows), the matching registry, and a patent list of any size (10 M rows).

Beside the demonstration generator (tools/snapshot_generator), not part of the product: the
bundled demonstration stays small. Vectorised numpy with seeded streams (same seed, same
rows), written by DuckDB (Parquet row groups of 1 M rows, CSV). By default the data are clean
but for realistic gaps (missing hours, which intake accepts and reports); `--defects` injects
what intake must refuse (duplicated hours, meter resets, negative readings, readings outside
the month; duplicated patents, unknown provinces).

    PYTHONPATH=tools python -m scale_generator telemetry --centres 12000 --out data/scale/landing
    PYTHONPATH=tools python -m scale_generator patents --rows 10000000 --out data/scale/landing
"""
