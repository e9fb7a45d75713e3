"""The Spark path: record-level models on Apache Spark through dbt-spark, Parquet in between.

`export` writes the current raw rows of the record-level sources from the DuckDB work file to
Parquet (what Spark reads); `spark` runs dbt on the `spark` target in the Spark virtualenv.
"""
