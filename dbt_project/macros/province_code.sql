{#- GB/T 2260 code of a province name in any known spelling (full, short, English, old). -#}
{% macro province_code(name_column) -%}
    (
        select aliases.province_code
        from {{ ref('province_aliases') }} as aliases
        where lower(trim(aliases.alias)) = lower(trim({{ name_column }}))
    )
{%- endmacro %}
