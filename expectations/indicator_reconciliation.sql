-- Rows the suite indicator_reconciliation validates ({relation}: the table it checks).
with provinces as (select year, indicator_code, sum(raw_value) as provinces_total, count(raw_value) as provinces_reporting
from {relation}
where unit_level = 'province'
group by year, indicator_code), national as (select year, indicator_code, raw_value as national_value, 'registry' as national_source
from {relation}
where unit_level = 'national'
union all select cast(year as integer), indicator_code, cast(value as double), report
from {ref[published_facts]}
where unit_level = 'national' and comparison = 'eq')
select national.year, national.indicator_code, national.national_source, national.national_value, provinces.provinces_total, provinces.provinces_reporting, provinces.provinces_total - national.national_value as gap, 100.0 * abs(provinces.provinces_total - national.national_value) / nullif(abs(national.national_value), 0) as gap_pct
from national
inner join provinces on national.year = provinces.year and national.indicator_code = provinces.indicator_code
