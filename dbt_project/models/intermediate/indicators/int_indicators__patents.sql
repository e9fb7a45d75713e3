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

-- A patent counts in the year it was filed and in the year it was granted: one event row
-- each, joined to its year and province by equality (an `or` of the two years in the join
-- paired every patent with every covered year, 10 M rows × the years).
events as (
    select
        year(filing_date) as year,
        'filed' as event,
        patent_id,
        province_code,
        patent_type,
        provenance,
        delivery_file,
        delivery_id,
        delivery_row
    from patents
    union all
    select
        year(grant_date) as year,
        'granted' as event,
        patent_id,
        province_code,
        patent_type,
        provenance,
        delivery_file,
        delivery_id,
        delivery_row
    from patents
    where grant_date is not null
),

-- Counted per year and province first, then set on the grid of covered years × provinces.
-- A patent is one row of the delivery (its key, audited at intake and tested in staging), so
-- it is one event of each kind: count(*) is the count of patents. The lineage is built
-- apart, rows in order within each delivery: `list(distinct {…})` sorted afterwards took
-- two minutes and 16 GB on a 10 M-row list (this, seconds).
event_counts as (
    select
        year,
        province_code,
        count(*) filter (
            where patent_type = 'invention' and event = 'filed'
        ) as invention_applications,
        count(*) filter (
            where patent_type = 'invention' and event = 'granted'
        ) as invention_grants,
        count(*) filter (
            where patent_type = 'utility_model' and event = 'granted'
        ) as utility_model_grants,
        {{ combined_provenance('provenance') }} as provenance,
        max(delivery_file) as delivery_file
    from events
    where year in (select covered_years.year from covered_years)
    group by year, province_code
),

event_rows as (
    select distinct
        year,
        province_code,
        delivery_id,
        delivery_row
    from events
    where
        year in (select covered_years.year from covered_years)
        and delivery_id is not null
),

delivery_rows as (
    select
        year,
        province_code,
        delivery_id,
        list(delivery_row order by delivery_row) as delivery_rows
    from event_rows
    group by year, province_code, delivery_id
),

-- rows_lineage's value (sorted by delivery, then row), built from integer lists
event_lineage as (
    select
        year,
        province_code,
        flatten(list(
            list_transform(
                delivery_rows,
                lambda delivery_row: { 'delivery_id': delivery_id, 'delivery_row': delivery_row }
            )
            order by delivery_id
        )) as lineage
    from delivery_rows
    group by year, province_code
),

patent_counts as (
    select
        covered_years.year,
        provinces.province_code,
        coalesce(event_counts.invention_applications, 0) as invention_applications,
        coalesce(event_counts.invention_grants, 0) as invention_grants,
        coalesce(event_counts.utility_model_grants, 0) as utility_model_grants,
        coalesce(event_counts.provenance, 'derived') as provenance,
        'patents: ' || coalesce(event_counts.delivery_file, 'no rows') as source,
        coalesce(event_lineage.lineage, []) as lineage
    from covered_years
    cross join provinces
    left join event_counts
        on
            covered_years.year = event_counts.year
            and provinces.province_code = event_counts.province_code
    left join event_lineage
        on
            covered_years.year = event_lineage.year
            and provinces.province_code = event_lineage.province_code
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
