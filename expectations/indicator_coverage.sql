-- Rows the suite indicator_coverage validates ({relation}: the table it checks).
with counted as (select system_code, year, unit_level, indicator_code, count(distinct unit_code) as units, case unit_level when 'province' then 31 when 'city' then 302 end as expected_units
from {relation}
group by system_code, year, unit_level, indicator_code), expected as (select system_code, count(*) as indicators
from {ref[stg_index_nodes]}
where n_children = 0
group by system_code)
select counted.*, expected.indicators - count(*) over (partition by counted.system_code, counted.year) as indicators_missing
from counted
inner join expected on counted.system_code = expected.system_code
