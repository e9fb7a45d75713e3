{#- The rows of an int_indicators__* model: its parts (CTEs with year, unit_level, unit_code,
    provenance, source, indicator_code, raw_value in any order) stacked by column name. -#}
{% macro union_indicator_parts(parts) -%}
    {%- for part in parts %}
        select
            cast(year as integer) as year,
            unit_level,
            unit_code,
            provenance,
            source,
            indicator_code,
            cast(raw_value as double) as raw_value
        from {{ part }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
