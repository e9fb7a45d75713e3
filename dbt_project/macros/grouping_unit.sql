{#- The unit of a row of `group by grouping sets ((year, province), (year, city), (year))`:
    its level and GB/T 2260 code (100000 for the nation). -#}
{% macro grouping_unit(province='province_code', city='city_code') -%}
    case
            when grouping({{ province }}) = 0 then 'province'
            when grouping({{ city }}) = 0 then 'city'
            else 'national'
        end as unit_level,
        coalesce({{ province }}, {{ city }}, '100000') as unit_code
{%- endmacro %}
