{#- The Spark path: record-level models (models/intermediate/record_level) run on Spark under
    the `spark` target, with Parquet files in a lake folder between the engines:
      <lake>/raw/<table>/   current raw rows, written from DuckDB (python -m suanli.lake.export)
      <lake>/<model>/       what Spark's record-level models write (file_format: parquet)
    The lake is SUANLI_LAKE: a URI (s3a://…, hdfs://… on a cluster) or a path, absolute or
    relative to the repository root (dbt runs in dbt_project/, hence the '../'), like
    SUANLI_WAREHOUSE in profiles.yml; dbt_project.yml spells the same expression for the
    models' `location_root` (no macros there). -#}
{% macro lake_path(relative='') -%}
    {%- set lake = env_var('SUANLI_LAKE', 'data/lake') -%}
    {%- set root = lake if lake.startswith('/') or '://' in lake else '../' ~ lake -%}
    {{- return(root ~ ('/' ~ relative if relative else '')) -}}
{%- endmacro %}

{#- A record-level model as its DuckDB consumers read it: the table dbt built on DuckDB, or,
    with `--vars '{record_engine: spark}'`, the Parquet files Spark wrote to the lake. ref()
    is called either way, so the dependency stays in the graph. -#}
{% macro record_level_ref(model_name) -%}
    {%- set relation = ref(model_name) -%}
    {%- if var('record_engine') == 'spark' and target.type != 'spark' -%}
        read_parquet('{{ lake_path(model_name) }}/*.parquet')
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- A raw table as the staging models read it (current_delivery_rows): the source on DuckDB;
    under the `spark` target, the Parquet folder the export wrote (python -m suanli.lake.export)
    read in place (Spark SQL's parquet.`<path>`). source() is called on either engine, so the
    graph keeps the source. Not a table declared at on-run-start: a hook would be a node of
    every DuckDB run too (in Dagster's events and every run's results), for Spark's sake. -#}
{% macro raw_source(table) -%}
    {{ return(adapter.dispatch('raw_source')(table)) }}
{%- endmacro %}

{% macro default__raw_source(table) -%}
    {{ return(source('raw', table)) }}
{%- endmacro %}

{% macro spark__raw_source(table) -%}
    {%- set declared = source('raw', table) -%}
    {{ return('parquet.`' ~ lake_path('raw/' ~ table) ~ '`') }}
{%- endmacro %}
