"""The dbt domain: dbt models as Dagster assets, the build record, the run planner."""
