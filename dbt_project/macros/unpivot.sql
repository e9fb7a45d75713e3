{#- Long format from wide: one row per id and listed column; `columns` maps column -> code. -#}
{% macro unpivot_indicators(relation, id_columns, columns) -%}
    {%- for column, indicator_code in columns.items() %}
    select
        {{ id_columns | join(', ') }},
        '{{ indicator_code }}' as indicator_code,
        cast({{ column }} as double) as raw_value
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
