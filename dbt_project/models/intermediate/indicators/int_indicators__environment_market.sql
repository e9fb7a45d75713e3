-- Province-year environment and market indicators.
with

environment as (
    select * from {{ ref('stg_environment_market') }}
),

indicators as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        'environment_market: ' || delivery_file as source,
        {{ row_lineage() }} as lineage,
        annual_mean_temperature_c,
        policy_documents,
        {{ ratio('leading_firms_present', 'leading_firms_total') }} as leading_firm_presence,
        graduates,
        industry_events,
        honours,
        llm_enterprises
    from environment
),

final as (
    {{ unpivot_indicators(
        'indicators',
        ['year', 'unit_level', 'unit_code', 'provenance', 'source', 'lineage'],
        {
            'annual_mean_temperature_c': 'annual_mean_temperature',
            'policy_documents': 'policy_documents',
            'leading_firm_presence': 'leading_firm_presence',
            'graduates': 'graduates',
            'industry_events': 'industry_events',
            'honours': 'honours',
            'llm_enterprises': 'llm_enterprises',
        }
    ) }}
)

select * from final
