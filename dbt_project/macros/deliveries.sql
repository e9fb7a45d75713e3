{#- Rows of the current delivery of a raw source, with the delivery's partition and file
    (raw_source: the raw table, or under the `spark` target its Parquet in the lake). -#}
{% macro current_delivery_rows(source_table) -%}
    select
        delivered.*,
        deliveries.partition_key as delivery_partition,
        deliveries.file_name as delivery_file
    from {{ raw_source(source_table) }} as delivered
    inner join {{ raw_source('deliveries') }} as deliveries
        on
            delivered._delivery_id = deliveries.delivery_id
            and deliveries.source = '{{ source_table }}'
            and deliveries.is_current
{%- endmacro %}
