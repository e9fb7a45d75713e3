{#- The rows of an int_indicators__* model: its parts (CTEs with year, unit_level, unit_code,
    provenance, source, lineage, indicator_code, raw_value in any order) stacked by column
    name. -#}
{% macro union_indicator_parts(parts) -%}
    {%- for part in parts %}
        select
            cast(year as integer) as year,
            unit_level,
            unit_code,
            provenance,
            source,
            lineage,
            indicator_code,
            cast(raw_value as double) as raw_value
        from {{ part }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The rows of every indicator model, each labelled with its model (`indicator_model`).
    dbt resolves ref() while it parses, before any graph exists, so the models are listed in
    var `indicator_models`; when it executes, the models tagged `indicator_part` must be
    exactly those, or compilation stops naming the difference. -#}
{% macro union_indicator_models() -%}
    {%- set listed = var('indicator_models') -%}
    {%- if execute -%}
        {%- set tagged = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and 'indicator_part' in node.tags -%}
                {%- do tagged.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if tagged | sort != listed | sort -%}
            {{ exceptions.raise_compiler_error(
                "var indicator_models " ~ (listed | sort) ~ " must list exactly the models "
                ~ "tagged indicator_part " ~ (tagged | sort)
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- for model_name in listed %}
        select *, '{{ model_name }}' as indicator_model from {{ ref(model_name) }}
        {% if not loop.last %}union all by name{% endif %}
    {%- endfor %}
{%- endmacro %}
