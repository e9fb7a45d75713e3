-- Rows the suite city_coverage validates ({relation}: the table it checks).
with indexed as (select year, unit_code as city_code, count(*) as occurrences
from {relation}
where unit_level = 'city' and indicator_code = 'racks_in_use'
group by year, unit_code), years as (select distinct year
from {relation}
where unit_level = 'city'), hosting as (select years.year, cities.city_code
from years
cross join {ref[cities]} as cities
where cities.hosts_compute_centres)
select coalesce(indexed.year, hosting.year) as year, coalesce(indexed.city_code, hosting.city_code) as city_code, cities.name_zh as city_name_zh, cities.province_code, provinces.name_zh as province_name_zh, case when indexed.city_code is null then 'missing from the index' when hosting.city_code is null then 'not a hosting city' else 'ok' end as status, coalesce(indexed.occurrences, 0) as occurrences
from indexed full outer join hosting on indexed.year = hosting.year and indexed.city_code = hosting.city_code
left join {ref[cities]} as cities on cities.city_code = coalesce(indexed.city_code, hosting.city_code)
left join {ref[provinces]} as provinces on provinces.province_code = cities.province_code
