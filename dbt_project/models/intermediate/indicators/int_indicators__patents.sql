-- Province-year patent counts of the calendar year (Systems C and D, whose year is the data
-- year), for the years the patent list covers from January to December:
-- - computing invention patents filed (applications) and granted in the year;
-- - utility-model patents granted in the year.
-- The type is the CNIPA application number's type digit (stg_patents.patent_type).
with

provinces as (
    select province_code from {{ ref('provinces') }}
),

patents as (
    select * from {{ ref('stg_patents') }}
),

patent_years as (
    select unnest(range(year(min(filing_date)), year(max(filing_date)) + 1)) as year
    from patents
    having count(*) > 0
),

patent_span as (
    select
        min(filing_date) as first_filing,
        max(filing_date) as last_filing
    from patents
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
        count(distinct patents.patent_id) filter (
            where
            patents.patent_type = 'invention'
            and year(patents.filing_date) = covered_years.year
        ) as invention_applications,
        count(distinct patents.patent_id) filter (
            where
            patents.patent_type = 'invention'
            and year(patents.grant_date) = covered_years.year
        ) as invention_grants,
        count(distinct patents.patent_id) filter (
            where
            patents.patent_type = 'utility_model'
            and year(patents.grant_date) = covered_years.year
        ) as utility_model_grants,
        {{ combined_provenance('patents.provenance') }} as provenance,
        'patents: ' || coalesce(max(patents.delivery_file), 'no rows') as source,
        {{ rows_lineage('patents') }} as lineage
    from covered_years
    cross join provinces
    left join patents
        on
            provinces.province_code = patents.province_code
            and (
                year(patents.filing_date) = covered_years.year
                or year(patents.grant_date) = covered_years.year
            )
    group by covered_years.year, provinces.province_code
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
