{#- GB/T 2260 code of a prefecture-level city from its name as delivered (full, short, pinyin,
    or a pre-reform name such as 莱芜市) within its province: short names repeat across provinces.
    Pass qualified columns: inside the subquery an unqualified name would bind to the alias table. -#}
{% macro city_code(name_column, province_code_column) -%}
    (
        select aliases.city_code
        from {{ ref('city_aliases') }} as aliases
        where
            lower(trim(aliases.alias)) = lower(trim({{ name_column }}))
            and aliases.province_code = {{ province_code_column }}
    )
{%- endmacro %}
