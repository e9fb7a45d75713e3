{#- Provenance of a value computed from several rows: synthetic if any input is synthetic,
    otherwise derived (a published figure is only `published` when it is the figure itself). -#}
{% macro combined_provenance(provenance_column) -%}
    case
        when max(case when {{ provenance_column }} = 'synthetic' then 1 else 0 end) = 1
            then 'synthetic'
        else 'derived'
    end
{%- endmacro %}

{#- Provenance of a value computed within one row from the given inputs (a ratio, a growth
    rate): synthetic if any input is synthetic, otherwise derived. -#}
{% macro derived_provenance() -%}
    case
        when 'synthetic' in ({{ varargs | join(', ') }}) then 'synthetic'
        else 'derived'
    end
{%- endmacro %}
