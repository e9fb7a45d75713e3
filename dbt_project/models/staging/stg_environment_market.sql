with

delivered as (
    {{ current_delivery_rows('environment_market') }}
),

final as (
    select
        {{ to_integer('year') }} as year,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_double('annual_mean_temperature_c') }} as annual_mean_temperature_c,
        {{ to_double('policy_documents') }} as policy_documents,
        {{ to_double('leading_firms_present') }} as leading_firms_present,
        {{ to_double('leading_firms_total') }} as leading_firms_total,
        {{ to_double('llm_enterprises') }} as llm_enterprises,
        {{ to_double('graduates_wan') }} * 10000 as graduates,
        {{ to_double('industry_events') }} as industry_events,
        {{ to_double('honours') }} as honours,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final
