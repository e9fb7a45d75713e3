{#- The Spark path: record-level models (models/intermediate/record_level) run on Spark under
    the `spark` target, with Parquet files in a lake folder between the engines:
      <lake>/raw/<table>/   current raw rows, written from DuckDB (python -m suanli.lake.export)
      <lake>/<model>/       what Spark's record-level models write (file_format: parquet)
    The lake is SUANLI_LAKE, absolute or relative to the repository root (dbt runs in
    dbt_project/, hence the '../'), like SUANLI_WAREHOUSE in profiles.yml; dbt_project.yml
    spells the same expression for the models' `location_root` (no macros there). -#}
{% macro lake_path(relative='') -%}
    {%- set lake = env_var('SUANLI_LAKE', 'data/lake') -%}
    {%- set root = lake if lake.startswith('/') else '../' ~ lake -%}
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

{#- on-run-start: under the `spark` target, the raw tables the record-level models read
    (var `lake_raw_tables`) are declared over the exported Parquet folders. Dropping such an
    external table drops its definition only, never the files; declared afresh each run, a
    table sees the files of the latest export. Nothing happens on other targets. -#}
{% macro register_lake_sources() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for table in var('lake_raw_tables') -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query(
                'create table raw.' ~ table ~ " using parquet location '"
                ~ lake_path('raw/' ~ table) ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
