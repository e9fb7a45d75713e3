with

delivered as (
    {{ current_delivery_rows('environment_market') }}
),

final as (
    select
        year,
        province as province_code,
        province_as_delivered,
        annual_mean_temperature_c,
        policy_documents,
        leading_firms_present,
        leading_firms_total,
        llm_enterprises,
        industry_events,
        honours,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row,
        graduates_wan * 10000 as graduates
    from delivered
)

select * from final
