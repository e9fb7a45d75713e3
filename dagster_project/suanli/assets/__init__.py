"""Assets grouped by layer: raw deliveries, index definitions, dbt models."""
