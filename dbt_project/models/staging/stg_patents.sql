with

delivered as (
    {{ current_delivery_rows('patents') }}
),

final as (
    select
        patent_id,
        applicant_province as province_code,
        applicant_province_as_delivered,
        filing_date,
        grant_date,
        llm_related as is_llm_related,
        provenance,
        provenance_source,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row,
        -- CNIPA application numbers: the digit after the filing year is the patent type
        case substr(patent_id, 7, 1)
            when '1' then 'invention'
            when '2' then 'utility_model'
            when '3' then 'design'
        end as patent_type
    from delivered
)

select * from final
