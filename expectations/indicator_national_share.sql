-- Rows the suite indicator_national_share validates ({relation}: the table it checks).
with provinces as (select year, unit_code, indicator_code, raw_value
from {relation}
where unit_level = 'province'), totals as (select year, indicator_code, sum(raw_value) as provinces_total
from provinces
group by year, indicator_code), national as (select year, indicator_code, raw_value as national_value
from {relation}
where unit_level = 'national')
select provinces.year, provinces.unit_code, provinces.indicator_code, provinces.raw_value, coalesce(national.national_value, totals.provinces_total) as national_total, 100.0 * provinces.raw_value / nullif(coalesce(national.national_value, totals.provinces_total), 0) as share_of_national_pct
from provinces
inner join totals on provinces.year = totals.year and provinces.indicator_code = totals.indicator_code
left join national on provinces.year = national.year and provinces.indicator_code = national.indicator_code
