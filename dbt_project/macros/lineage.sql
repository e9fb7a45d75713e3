{#- Lineage: every indicator value carries the delivery rows it was computed from, as a list
    of {delivery_id, delivery_row} (delivery_id = SHA-256 of the file as received, the row its
    line in that file), so a mart value is traced to its files without re-deriving it.
    Record-level models run on Spark too (models/intermediate/record_level): the list is built
    through adapter.dispatch, `default__` in DuckDB's dialect (the project's engine), `spark__`
    in Spark SQL's. Both give the same type (a list of structs, sorted, Parquet's LIST of
    STRUCT in between), so DuckDB reads Spark's lists as its own. -#}

{#- The lineage of a value computed from one staged row. -#}
{% macro row_lineage(relation='') -%}
    {{ return(adapter.dispatch('row_lineage')(relation)) }}
{%- endmacro %}

{% macro default__row_lineage(relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    [{'delivery_id': {{ prefix }}delivery_id, 'delivery_row': {{ prefix }}delivery_row}]
{%- endmacro %}

{% macro spark__row_lineage(relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    array(named_struct(
        'delivery_id', {{ prefix }}delivery_id, 'delivery_row', {{ prefix }}delivery_row
    ))
{%- endmacro %}

{#- The lineage of a value aggregated over rows (an aggregate expression, for group by);
    rows an outer join did not match contribute nothing; no row at all is an empty list. -#}
{% macro rows_lineage(relation='') -%}
    {{ return(adapter.dispatch('rows_lineage')(relation)) }}
{%- endmacro %}

{% macro default__rows_lineage(relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    coalesce(
        list_sort(list(distinct {
            'delivery_id': {{ prefix }}delivery_id, 'delivery_row': {{ prefix }}delivery_row
        }) filter (where {{ prefix }}delivery_id is not null)),
        []
    )
{%- endmacro %}

{#- collect_set skips nulls (the unmatched rows) and gives an empty array over no rows;
    array_sort orders structs field by field, as DuckDB's list_sort does. -#}
{% macro spark__rows_lineage(relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    array_sort(collect_set(
        case
            when {{ prefix }}delivery_id is not null
                then named_struct(
                    'delivery_id', {{ prefix }}delivery_id,
                    'delivery_row', {{ prefix }}delivery_row
                )
        end
    ))
{%- endmacro %}
