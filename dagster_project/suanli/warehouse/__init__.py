"""Dagster resources: the warehouse file, the landing location and dbt."""
