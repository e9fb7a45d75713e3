with

systems as (
    select * from {{ source('definitions', 'index_systems') }}
),

final as (
    select
        system_code,
        name_zh,
        name_en,
        report,
        unit_level,
        cast(first_year as integer) as first_year,
        cast(last_year as integer) as last_year,
        standardisation,
        cast(base_year as integer) as base_year,
        cast(constant_column_score as double) as constant_column_score,
        missing_impute,
        cast(min_data_share as double) as min_data_share,
        random_index_table,
        cast(is_approximation as boolean) as is_approximation,
        approximates,
        description,
        source_file,
        -- outlier treatment (COINr's rule): off unless the definition's `treatment:` says so
        cast(winsorise as boolean) as winsorise,
        cast(max_winsorised as integer) as max_winsorised,
        cast(max_skew as double) as max_skew,
        cast(max_kurtosis as double) as max_kurtosis,
        panel_aggregation
    from systems
)

select * from final
