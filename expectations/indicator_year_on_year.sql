-- Rows the suite indicator_year_on_year validates ({relation}: the table it checks).
select this.year, this.unit_code, this.indicator_code, previous.raw_value as previous_value, this.raw_value, this.raw_value / previous.raw_value as yoy_ratio, greatest(this.raw_value / previous.raw_value, previous.raw_value / this.raw_value) as yoy_factor, this.provenance, this.source
from {relation} as this
inner join {relation} as previous on previous.unit_level = this.unit_level and previous.unit_code = this.unit_code and previous.indicator_code = this.indicator_code and previous.year = this.year - 1
where this.unit_level = 'province' and this.raw_value > 0 and previous.raw_value > 0
