{#- Min-max score (极差标准化) on 0-100 within a window; `constant_score` when max = min.
    Positive indicators score 100 at the maximum, negative ones 100 at the minimum. The ratio
    is taken before scaling so that the extremes are exactly 0 and 100. -#}
{% macro minmax_score(value, direction, constant_score, partition_by) -%}
    case
        when {{ value }} is null then null
        when max({{ value }}) over ({{ partition_by }}) = min({{ value }}) over ({{ partition_by }})
            then {{ constant_score }}
        when {{ direction }} = 'negative'
            then 100.0 * (
                (max({{ value }}) over ({{ partition_by }}) - {{ value }})
                / (max({{ value }}) over ({{ partition_by }}) - min({{ value }}) over ({{ partition_by }}))
            )
        else 100.0 * (
            ({{ value }} - min({{ value }}) over ({{ partition_by }}))
            / (max({{ value }}) over ({{ partition_by }}) - min({{ value }}) over ({{ partition_by }}))
        )
    end
{%- endmacro %}

{#- Base-year anchored min-max score: the base year's min and max scale every year, so scores
    are comparable across years and a later year may score above 100 or below 0. A constant
    base-year column gets `constant_score`, as in the per-year rule. -#}
{% macro base_year_score(value, direction, constant_score, base_min, base_max) -%}
    case
        when {{ value }} is null then null
        when {{ base_max }} = {{ base_min }} then {{ constant_score }}
        when {{ direction }} = 'negative'
            then 100.0 * (({{ base_max }} - {{ value }}) / ({{ base_max }} - {{ base_min }}))
        else 100.0 * (({{ value }} - {{ base_min }}) / ({{ base_max }} - {{ base_min }}))
    end
{%- endmacro %}
