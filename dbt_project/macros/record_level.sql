{#- Aggregates the record-level models need whose engines disagree (adapter.dispatch:
    `default__` is DuckDB's dialect, `spark__` Spark SQL's). -#}

{#- The value at the row with the least `ordering` among the rows where the value is not
    null (a register's first reading). DuckDB's min_by skips null values; Spark's min_by
    returns the value of the least ordering even when that value is null, but skips null
    orderings: the ordering is nulled where the value is. -#}
{% macro first_present(value, ordering) -%}
    {{ return(adapter.dispatch('first_present')(value, ordering)) }}
{%- endmacro %}

{% macro default__first_present(value, ordering) -%}
    min_by({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro spark__first_present(value, ordering) -%}
    min_by({{ value }}, case when {{ value }} is not null then {{ ordering }} end)
{%- endmacro %}

{#- The value at the row with the greatest `ordering` among those where it is not null. -#}
{% macro last_present(value, ordering) -%}
    {{ return(adapter.dispatch('last_present')(value, ordering)) }}
{%- endmacro %}

{% macro default__last_present(value, ordering) -%}
    max_by({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro spark__last_present(value, ordering) -%}
    max_by({{ value }}, case when {{ value }} is not null then {{ ordering }} end)
{%- endmacro %}
