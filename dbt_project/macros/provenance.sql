{#- Provenance of a value computed from several rows: synthetic if any input is synthetic,
    otherwise derived (a published figure is only `published` when it is the figure itself). -#}
{% macro combined_provenance(provenance_column) -%}
    case
        when max(case when {{ provenance_column }} = 'synthetic' then 1 else 0 end) = 1
            then 'synthetic'
        else 'derived'
    end
{%- endmacro %}
