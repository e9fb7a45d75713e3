with

delivered as (
    {{ current_delivery_rows('service_platforms') }}
),

final as (
    select
        platform_id,
        platform_name,
        province as province_code,
        province_as_delivered,
        year,
        new_applications,
        service_objects,
        traditional_enterprises,
        emerging_enterprises,
        access_latency_ms,
        training_support_score,
        satisfaction_score,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row,
        -- GB/T 4754 section letters, upper-cased, without blanks, each once
        list_distinct(
            string_split(
                regexp_replace(upper(replace(industries_served, '；', ';')), '\s+', '', 'g'), ';'
            )
        ) as industries_served
    from delivered
)

select * from final
