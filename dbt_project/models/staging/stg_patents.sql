with

delivered as (
    {{ current_delivery_rows('patents') }}
),

final as (
    select
        trim(patent_id) as patent_id,
        {{ province_code('applicant_province') }} as province_code,
        trim(applicant_province) as province_as_delivered,
        {{ to_date('filing_date') }} as filing_date,
        {{ to_date('grant_date') }} as grant_date,
        {{ yes_no('llm_related') }} as is_llm_related,
        trim(provenance) as provenance,
        trim(provenance_source) as provenance_source,
        delivery_file,
        _row_number as delivery_row
    from delivered
)

select * from final
