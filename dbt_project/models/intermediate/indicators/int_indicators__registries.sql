-- Province-year counts from record-level lists, at each index year's data cut-off:
-- registered generative-AI services and 方升-listed models are cumulative; LLM patents count
-- filings in the twelve months up to the cut-off.
with

provinces as (
    select province_code from {{ ref('provinces') }}
),

index_years as (
    select distinct
        year,
        {{ index_cutoff_date('year') }} as cutoff_date,
        {{ index_cutoff_date('year - 1') }} as previous_cutoff_date
    from {{ ref('stg_compute_centres') }}
),

province_years as (
    select
        index_years.year,
        index_years.cutoff_date,
        index_years.previous_cutoff_date,
        provinces.province_code
    from index_years
    cross join provinces
),

services as (
    select
        province_years.year,
        province_years.province_code,
        count(services.service_id) as raw_value,
        {{ combined_provenance('services.provenance') }} as provenance,
        'genai_services: ' || coalesce(max(services.delivery_file), 'no rows') as source,
        {{ rows_lineage('services') }} as lineage
    from province_years
    left join {{ ref('stg_genai_services') }} as services
        on
            province_years.province_code = services.province_code
            and province_years.cutoff_date >= services.registration_date
    group by province_years.year, province_years.province_code
),

listed_models as (
    select
        province_years.year,
        province_years.province_code,
        count(models.model_id) as raw_value,
        {{ combined_provenance('models.provenance') }} as provenance,
        'fangsheng_models: ' || coalesce(max(models.delivery_file), 'no rows') as source,
        {{ rows_lineage('models') }} as lineage
    from province_years
    left join {{ ref('stg_fangsheng_models') }} as models
        on
            province_years.province_code = models.province_code
            and province_years.cutoff_date >= models.listed_date
    group by province_years.year, province_years.province_code
),

llm_patents as (
    select
        province_years.year,
        province_years.province_code,
        count(patents.patent_id) as raw_value,
        {{ combined_provenance('patents.provenance') }} as provenance,
        'patents: ' || coalesce(max(patents.delivery_file), 'no rows') as source,
        {{ rows_lineage('patents') }} as lineage
    from province_years
    left join {{ ref('stg_patents') }} as patents
        on
            province_years.province_code = patents.province_code
            and patents.is_llm_related
            and province_years.cutoff_date >= patents.filing_date
            and province_years.previous_cutoff_date < patents.filing_date
    group by province_years.year, province_years.province_code
),

final as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        source,
        lineage,
        'genai_services_registered' as indicator_code,
        cast(raw_value as double) as raw_value
    from services
    union all
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        source,
        lineage,
        'models_on_leaderboard' as indicator_code,
        cast(raw_value as double) as raw_value
    from listed_models
    union all
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        provenance,
        source,
        lineage,
        'llm_patents' as indicator_code,
        cast(raw_value as double) as raw_value
    from llm_patents
)

select * from final
