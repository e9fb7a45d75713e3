with

delivered as (
    {{ current_delivery_rows('service_platforms') }}
),

final as (
    select
        trim(platform_id) as platform_id,
        trim(platform_name) as platform_name,
        {{ province_code('province') }} as province_code,
        trim(province) as province_as_delivered,
        {{ to_integer('year') }} as year,
        -- GB/T 4754 section letters, upper-cased, without blanks, each once
        list_distinct(
            string_split(
                regexp_replace(upper(replace(industries_served, '；', ';')), '\s+', '', 'g'), ';'
            )
        ) as industries_served,
        {{ to_integer('new_applications') }} as new_applications,
        {{ to_integer('service_objects') }} as service_objects,
        {{ to_integer('traditional_enterprises') }} as traditional_enterprises,
        {{ to_integer('emerging_enterprises') }} as emerging_enterprises,
        {{ to_double('access_latency_ms') }} as access_latency_ms,
        {{ to_double('training_support_score') }} as training_support_score,
        {{ to_double('satisfaction_score') }} as satisfaction_score,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final
