with

versions as (
    select * from {{ source('definitions', 'weight_versions') }}
),

final as (
    select
        system_code,
        cast(weights_version as integer) as weights_version,
        panel_key,
        aggregation,
        cast(n_experts as integer) as n_experts,
        cast(questionnaires as varchar) as questionnaires,
        cast(max_consistency_ratio as double) as max_consistency_ratio,
        cast(created_at as timestamp) as created_at,
        cast(activated_at as timestamp) as activated_at,
        cast(is_current as boolean) as is_current
    from versions
)

select * from final
