-- Rows the suite city_reconciliation validates ({relation}: the table it checks).
with city_sums as (select city_values.year, cities.province_code, city_values.indicator_code, sum(city_values.raw_value) as cities_total, string_agg(cities.name_zh, '、' order by city_values.raw_value desc) as cities
from {relation} as city_values
inner join {ref[cities]} as cities on city_values.unit_code = cities.city_code
where city_values.unit_level = 'city' and city_values.indicator_code in (select indicator_code from {ref[indicators]} where additive)
group by all)
select city_sums.*, provinces.raw_value as province_total, city_sums.cities_total - provinces.raw_value as excess_over_province
from city_sums
inner join {relation} as provinces on provinces.unit_level = 'province' and provinces.unit_code = city_sums.province_code and provinces.year = city_sums.year and provinces.indicator_code = city_sums.indicator_code
