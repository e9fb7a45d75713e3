-- Rows the suite indicator_values validates ({relation}: the table it checks).
select indicator_values.*, systems.standardisation, indicator_values.raw_value is null and indicator_values.value_flag is null as missing_without_flag, case when indicator_values.indicator_code = 'pue' then indicator_values.raw_value end as pue, case when indicator_values.unit = '%' then indicator_values.raw_value end as percentage
from {relation} as indicator_values
left join {ref[stg_index_systems]} as systems on indicator_values.system_code = systems.system_code
