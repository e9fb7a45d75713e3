{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='year',
    on_schema_change='sync_all_columns',
    tags=['by_year'],
) }}

-- Every indicator value per unit and year, whatever source it comes from: the rows of every
-- indicator model (tag `indicator_part`), each with the model that produced it and the
-- delivery rows it was computed from (`lineage`). National rows are
-- kept for reconciliation with published national figures. A value that
-- equals a published figure (published_facts, comparison `eq`) is labelled `published` with
-- its report; values that are missing carry an explicit flag instead of silently vanishing.
with

computed as (
    {{ union_indicator_models() }}
),

published_figures as (
    select
        year,
        unit_code,
        indicator_code,
        cast(value as double) as published_value,
        cast(length(split_part(value, '.', 2)) as integer) as decimals,
        report
    from {{ ref('published_facts') }}
    where unit_level = 'province' and comparison = 'eq'
),

matched as (
    select
        computed.*,
        published_figures.report as published_report,
        coalesce(
            round(computed.raw_value, published_figures.decimals)
            = published_figures.published_value,
            false
        ) as equals_published_figure
    from computed
    left join published_figures
        on
            computed.unit_level = 'province'
            and computed.year = published_figures.year
            and computed.unit_code = published_figures.unit_code
            and computed.indicator_code = published_figures.indicator_code
    where {{ in_selected_years('computed.year') }}
),

final as (
    select
        cast(year as integer) as year,
        unit_level,
        unit_code,
        indicator_code,
        raw_value,
        indicator_model,
        lineage,
        case when equals_published_figure then 'published' else provenance end as provenance,
        case when equals_published_figure then published_report else source end as source,
        case when raw_value is null then 'no_data' end as value_flag
    from matched
)

select * from final
