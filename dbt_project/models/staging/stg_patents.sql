with

delivered as (
    {{ current_delivery_rows('patents') }}
),

final as (
    select
        trim(patent_id) as patent_id,
        -- CNIPA application numbers: the digit after the filing year is the patent type
        case substr(trim(patent_id), 7, 1)
            when '1' then 'invention'
            when '2' then 'utility_model'
            when '3' then 'design'
        end as patent_type,
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
