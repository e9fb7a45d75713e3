with

delivered as (
    {{ current_delivery_rows('expert_judgements') }}
),

final as (
    select
        system_code,
        node_code,
        expert_id,
        expert_name,
        expert_organisation,
        expert_weight,
        row_code,
        column_code,
        answer_as_delivered,
        judgement,
        sheet,
        sheet_row,
        delivery_file,
        _delivery_id as delivery_id,
        _row_number as delivery_row
    from delivered
)

select * from final
