-- Province-year patent counts of the calendar year (Systems C and D, whose year is the data
-- year), for the years the patent list covers from January to December:
-- - computing invention patents filed (applications) and granted in the year;
-- - utility-model patents granted in the year.
-- The type is the CNIPA application number's type digit (stg_patents.patent_type).
-- The counts per province and year come from int_patent_province_years (record-level, built
-- by DuckDB or by Spark: record_level_ref); this model keeps the years covered and the
-- provinces without patents (zero counts), on DuckDB.
with

provinces as (
    select province_code from {{ ref('provinces') }}
),

patent_province_years as (
    select * from {{ record_level_ref('int_patent_province_years') }}
),

patent_span as (
    select
        min(first_filing) as first_filing,
        max(last_filing) as last_filing
    from patent_province_years
),

patent_years as (
    select unnest(range(year(first_filing), year(last_filing) + 1)) as year
    from patent_span
    where first_filing is not null
),

covered_years as (
    select patent_years.year
    from patent_years
    cross join patent_span as span
    where
        span.first_filing <= make_date(patent_years.year, 1, 31)
        and span.last_filing >= make_date(patent_years.year, 12, 1)
),

patent_counts as (
    select
        covered_years.year,
        provinces.province_code,
        coalesce(counted.invention_applications, 0) as invention_applications,
        coalesce(counted.invention_grants, 0) as invention_grants,
        coalesce(counted.utility_model_grants, 0) as utility_model_grants,
        -- a province without patents in the year: derived zeros from no rows
        coalesce(counted.provenance, 'derived') as provenance,
        'patents: ' || coalesce(counted.delivery_file, 'no rows') as source,
        coalesce(counted.lineage, []) as lineage
    from covered_years
    cross join provinces
    left join patent_province_years as counted
        on
            provinces.province_code = counted.province_code
            and covered_years.year = counted.year
),

final as (
    select
        patent_counts.year,
        'province' as unit_level,
        patent_counts.province_code as unit_code,
        patent_counts.provenance,
        patent_counts.source,
        patent_counts.lineage,
        indicators.indicator_code,
        cast(
            case indicators.indicator_code
                when 'computing_patent_applications' then patent_counts.invention_applications
                when 'computing_patent_grants' then patent_counts.invention_grants
                else patent_counts.utility_model_grants
            end as double
        ) as raw_value
    from patent_counts
    cross join (
        values
        ('computing_patent_applications'),
        ('computing_patent_grants'),
        ('utility_model_grants')
    ) as indicators (indicator_code)
)

select * from final
