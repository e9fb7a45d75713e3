-- Province-year indicators of System D (算力服务发展指数, METHODOLOGY.md §5), whose year is
-- the data (calendar) year; all compute in FP32:
-- - per compute type (general, intelligent, supercomputing): service-ready compute =
--   (data-centre + privately deployed compute) × service ratio, and utilisation = compute used
--   ÷ service-ready compute (%);
-- - from the platform survey: platforms, new applications, objects served and enterprises of
--   traditional and emerging industries (sums), GB/T 4754 sections served by any platform
--   (of 20), and access latency, training-and-support and satisfaction as means weighted by
--   the objects each platform serves (a province without a platform has counts of 0 and no
--   value for the means);
-- - from the statistics tables: industry penetration = digital economy of the primary and
--   secondary industries ÷ GDP, compute-service investment = compute-service spending ÷ GDP,
--   deployment efficiency = 5G users ÷ mobile users (all %), compute-service revenue and its
--   growth on the year before (%);
-- - patents (invention and utility-model grants) come from int_indicators__patents.
with

provinces as (
    select province_code from {{ ref('provinces') }}
),

compute_services as (
    select * from {{ ref('stg_compute_services') }}
),

service_ready as (
    select
        *,
        (datacentre_compute_eflops + private_compute_eflops)
        * service_ratio_pct / 100 as service_ready_eflops
    from compute_services
),

service_compute as (
    select
        service_ready.year,
        'province' as unit_level,
        service_ready.province_code as unit_code,
        {{ derived_provenance('service_ready.provenance') }} as provenance,
        'compute_services: ' || service_ready.delivery_file as source,
        {{ row_lineage('service_ready') }} as lineage,
        service_ready.compute_type || measures.suffix as indicator_code,
        measures.raw_value
    from service_ready
    cross join lateral (
        values
        ('_service_compute', service_ready.service_ready_eflops),
        (
            '_service_utilisation',
            100 * {{ ratio('service_ready.used_compute_eflops',
                           'service_ready.service_ready_eflops') }}
        )
    ) as measures (suffix, raw_value)
),

platforms as (
    select * from {{ ref('stg_service_platforms') }}
),

platform_years as (
    select distinct year from platforms
),

platform_totals as (
    select
        platform_years.year,
        provinces.province_code,
        count(platforms.platform_id) as platforms,
        coalesce(sum(platforms.new_applications), 0) as new_applications,
        coalesce(sum(platforms.service_objects), 0) as service_objects,
        coalesce(sum(platforms.traditional_enterprises), 0) as traditional_enterprises,
        coalesce(sum(platforms.emerging_enterprises), 0) as emerging_enterprises,
        {{ ratio('sum(platforms.access_latency_ms * platforms.service_objects)',
                 'sum(platforms.service_objects)') }} as access_latency_ms,
        {{ ratio('sum(platforms.training_support_score * platforms.service_objects)',
                 'sum(platforms.service_objects)') }} as training_support_score,
        {{ ratio('sum(platforms.satisfaction_score * platforms.service_objects)',
                 'sum(platforms.service_objects)') }} as satisfaction_score,
        {{ combined_provenance('platforms.provenance') }} as provenance,
        'service_platforms: ' || coalesce(max(platforms.delivery_file), 'no rows') as source,
        {{ rows_lineage('platforms') }} as lineage
    from platform_years
    cross join provinces
    left join platforms
        on
            provinces.province_code = platforms.province_code
            and platform_years.year = platforms.year
    group by platform_years.year, provinces.province_code
),

platform_sections as (
    select
        year,
        province_code,
        unnest(industries_served) as section
    from platforms
),

sections_served as (
    select
        platform_years.year,
        provinces.province_code,
        count(distinct platform_sections.section) as industries_served
    from platform_years
    cross join provinces
    left join platform_sections
        on
            provinces.province_code = platform_sections.province_code
            and platform_years.year = platform_sections.year
            and platform_sections.section in (
                'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J',
                'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T'
            )
    group by platform_years.year, provinces.province_code
),

platform_indicators as (
    select
        platform_totals.year,
        'province' as unit_level,
        platform_totals.province_code as unit_code,
        platform_totals.provenance,
        platform_totals.source,
        platform_totals.lineage,
        measures.indicator_code,
        measures.raw_value
    from platform_totals
    inner join sections_served
        on
            platform_totals.year = sections_served.year
            and platform_totals.province_code = sections_served.province_code
    cross join lateral (
        values
        ('service_platforms', cast(platform_totals.platforms as double)),
        ('new_service_applications', cast(platform_totals.new_applications as double)),
        ('industries_served', cast(sections_served.industries_served as double)),
        ('service_objects', cast(platform_totals.service_objects as double)),
        ('traditional_enterprises_served', cast(platform_totals.traditional_enterprises as double)),
        ('emerging_enterprises_served', cast(platform_totals.emerging_enterprises as double)),
        ('service_access_latency', platform_totals.access_latency_ms),
        ('training_support', platform_totals.training_support_score),
        ('user_satisfaction', platform_totals.satisfaction_score)
    ) as measures (indicator_code, raw_value)
),

statistics as (
    select * from {{ ref('int_province_statistics') }}
    where
        statistic_code in (
            'gdp',
            'digital_economy_primary_secondary',
            'compute_service_spending',
            'compute_service_revenue',
            'mobile_users',
            'mobile_5g_users'
        )
),

statistic_ratios as (
    select
        numerator.year,
        'province' as unit_level,
        numerator.province_code as unit_code,
        ratios.indicator_code,
        {{ derived_provenance('numerator.provenance', 'denominator.provenance') }} as provenance,
        'provincial_statistics: ' || numerator.delivery_file || ' ÷ '
        || denominator.delivery_file as source,
        list_concat({{ row_lineage('numerator') }}, {{ row_lineage('denominator') }}) as lineage,
        100 * {{ ratio('numerator.value', 'denominator.value') }} as raw_value
    from (
        values
        ('industry_penetration', 'digital_economy_primary_secondary', 'gdp'),
        ('compute_service_investment', 'compute_service_spending', 'gdp'),
        ('deployment_efficiency', 'mobile_5g_users', 'mobile_users')
    ) as ratios (indicator_code, numerator_code, denominator_code)
    inner join statistics as numerator
        on ratios.numerator_code = numerator.statistic_code
    inner join statistics as denominator
        on
            ratios.denominator_code = denominator.statistic_code
            and numerator.province_code = denominator.province_code
            and numerator.year = denominator.year
),

revenue as (
    select * from statistics
    where statistic_code = 'compute_service_revenue'
),

revenue_indicators as (
    select
        year,
        'province' as unit_level,
        province_code as unit_code,
        'compute_service_revenue' as indicator_code,
        provenance,
        'provincial_statistics: ' || delivery_file || ' (' || provenance_source || ')' as source,
        {{ row_lineage() }} as lineage,
        value as raw_value
    from revenue
    union all
    select
        this_year.year,
        'province' as unit_level,
        this_year.province_code as unit_code,
        'service_revenue_growth' as indicator_code,
        {{ derived_provenance('this_year.provenance', 'previous_year.provenance') }} as provenance,
        'provincial_statistics: ' || this_year.delivery_file || ' (' || previous_year.year
        || ' → ' || this_year.year || ')' as source,
        list_concat({{ row_lineage('this_year') }}, {{ row_lineage('previous_year') }}) as lineage,
        {{ ratio('this_year.value - previous_year.value', 'previous_year.value') }}
        * 100 as raw_value
    from revenue as this_year
    inner join revenue as previous_year
        on
            this_year.province_code = previous_year.province_code
            and this_year.year = previous_year.year + 1
),

final as (
    {{ union_indicator_parts([
        'service_compute', 'platform_indicators', 'statistic_ratios', 'revenue_indicators',
    ]) }}
)

select * from final
