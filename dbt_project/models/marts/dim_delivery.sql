-- Every delivered file, in force or superseded: what it was, when it came, where its bytes
-- are kept, and the provenance its rows declare (of the deliveries in force, which staging
-- reads; a superseded file's rows are no longer staged).
with

deliveries as (
    select * from {{ source('raw', 'deliveries') }}
),

{%- set staged = [
    'stg_compute_centres', 'stg_network_stats', 'stg_environment_market', 'stg_genai_services',
    'stg_fangsheng_models', 'stg_patents', 'stg_server_shipments', 'stg_supercomputers',
    'stg_provincial_statistics', 'stg_data_openness', 'stg_application_cases',
    'stg_compute_services', 'stg_service_platforms',
] %}

staged_rows as (
    {%- for model_name in staged %}
        select
            delivery_id,
            provenance,
            provenance_source
        from {{ ref(model_name) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

declared_provenance as (
    select
        delivery_id,
        string_agg(distinct provenance, ', ' order by provenance) as provenance,
        string_agg(distinct provenance_source, '; ' order by provenance_source)
            as provenance_source
    from staged_rows
    group by delivery_id
),

final as (
    select
        deliveries.delivery_id,
        deliveries.source,
        deliveries.partition_key,
        deliveries.file_name,
        deliveries.size_bytes,
        deliveries.encoding,
        deliveries.row_count,
        deliveries.received_at,
        deliveries.archived_path,
        deliveries.is_current,
        declared_provenance.provenance,
        declared_provenance.provenance_source
    from deliveries
    left join declared_provenance
        on deliveries.delivery_id = declared_provenance.delivery_id
)

select * from final
