-- The patent list reduced to province × year (the record-level part of the patent
-- indicators): every patent counts in the year it was filed and, if granted in another year,
-- in its grant year. Portable SQL: it runs on DuckDB and, under the `spark` target, on Spark
-- (dialect differences go through dispatched macros, such as rows_lineage).
with

patents as (
    select * from {{ ref('stg_patents') }}
),

patent_years as (
    select
        year(filing_date) as year,
        *
    from patents
    where filing_date is not null
    union all
    select
        year(grant_date) as year,
        *
    from patents
    where
        grant_date is not null
        and (filing_date is null or year(grant_date) <> year(filing_date))
),

final as (
    select
        province_code,
        year,
        count(
            distinct case
                when patent_type = 'invention' and year(filing_date) = year then patent_id
            end
        ) as invention_applications,
        count(
            distinct case
                when patent_type = 'invention' and year(grant_date) = year then patent_id
            end
        ) as invention_grants,
        count(
            distinct case
                when patent_type = 'utility_model' and year(grant_date) = year then patent_id
            end
        ) as utility_model_grants,
        count(*) as patents,
        -- the span of filing dates over all groups is the patent list's (covered years)
        min(filing_date) as first_filing,
        max(filing_date) as last_filing,
        {{ combined_provenance('provenance') }} as provenance,
        max(delivery_file) as delivery_file,
        {{ rows_lineage() }} as lineage
    from patent_years
    group by province_code, year
)

select * from final
