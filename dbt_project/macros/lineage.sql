{#- Lineage: every indicator value carries the delivery rows it was computed from, as a list
    of {delivery_id, delivery_row} (delivery_id = SHA-256 of the file as received, the row its
    line in that file), so a mart value is traced to its files without re-deriving it. -#}

{#- The lineage of a value computed from one staged row. -#}
{% macro row_lineage(relation='') -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    [{'delivery_id': {{ prefix }}delivery_id, 'delivery_row': {{ prefix }}delivery_row}]
{%- endmacro %}

{#- The lineage of a value aggregated over rows (an aggregate expression, for group by);
    rows an outer join did not match contribute nothing; no row at all is an empty list. -#}
{% macro rows_lineage(relation='') -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    coalesce(
        list_sort(list(distinct {
            'delivery_id': {{ prefix }}delivery_id, 'delivery_row': {{ prefix }}delivery_row
        }) filter (where {{ prefix }}delivery_id is not null)),
        []
    )
{%- endmacro %}
