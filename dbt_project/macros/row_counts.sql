{#- Post-hook of every model and seed (dbt_project.yml): the relation's rows, and by year for
    a table with a `year` column, logged as one line `suanli.row_counts {json}` when the
    environment asks (SUANLI_DBT_ROW_COUNTS=1). The Dagster step that runs dbt asks, and reads
    the line from dbt's event stream (suanli.transform.row_counts): each model is reported with
    its row count as soon as dbt has built it, while dbt builds the rest, not after dbt has
    exited and left the DuckDB file free. Elsewhere (a bare dbt build, the Spark target) it
    renders nothing, and dbt runs no hook. -#}
{% macro log_row_counts() -%}
    {%- if not execute or env_var('SUANLI_DBT_ROW_COUNTS', '') != '1'
        or target.type != 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if config.get('materialized') == 'view' -%}
        {%- set counts_sql -%}
            select json_object('yearly', false, 'rows', count(*), 'by_year', json_object())
            from {{ this }}
        {%- endset -%}
    {%- else -%}
        {#- A table without a `year` column gets one, all null, from the empty union. -#}
        {%- set counts_sql -%}
            with counted as (
                select try_cast(year as integer) as year, count(*) as n
                from (
                    select * from {{ this }}
                    union all by name
                    select null::integer as year where false
                )
                group by all
            )
            select json_object(
                'yearly', exists (
                    select 1 from duckdb_columns()
                    where database_name = '{{ this.database }}'
                        and schema_name = '{{ this.schema }}'
                        and table_name = '{{ this.identifier }}'
                        and column_name = 'year'
                ),
                'rows', (select coalesce(sum(n), 0) from counted),
                'by_year', coalesce(
                    (select json_group_object(year, n) from counted where year is not null),
                    json_object()
                )
            )
        {%- endset -%}
    {%- endif -%}
    {%- do log('suanli.row_counts ' ~ run_query(counts_sql).columns[0].values()[0], info=True) -%}
    {{ return('') }}
{%- endmacro %}
