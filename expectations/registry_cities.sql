-- Rows the suite registry_cities validates ({relation}: the table it checks).
select year, centre_id, city_as_delivered, province_as_delivered, province_code, city_code, (select string_agg(distinct provinces.name_zh, '、')
from {ref[city_aliases]} as aliases
inner join {ref[provinces]} as provinces on aliases.province_code = provinces.province_code
where lower(aliases.alias) = lower(centres.city_as_delivered)) as provinces_having_this_city, delivery_file, delivery_row, city_code is not null or province_code in ('110000', '120000', '310000', '500000') as city_known_in_province
from {relation} as centres
