-- Every weights version of every system: 0 = the definition file's matrices, then each panel
-- of questionnaires, with its workbooks, aggregation and worst CR.
with

versions as (
    select * from {{ ref('stg_index_weight_versions') }}
),

systems as (
    select * from {{ ref('stg_index_systems') }}
),

final as (
    select
        versions.system_code,
        systems.name_zh as system_name_zh,
        versions.weights_version,
        versions.is_current,
        versions.aggregation,
        versions.n_experts,
        versions.questionnaires,
        versions.max_consistency_ratio,
        versions.created_at,
        versions.activated_at,
        versions.panel_key
    from versions
    inner join systems
        on versions.system_code = systems.system_code
)

select * from final
