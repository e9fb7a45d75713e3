-- Rows the suite compute_centres validates ({relation}: the table it checks).
select deliveries.partition_key as year, delivered.centre_id, delivered.province, delivered.city, deliveries.file_name, delivered._row_number as file_row, try_cast(delivered.total_energy_mwh as double) / nullif(try_cast(delivered.it_energy_mwh as double), 0) as pue, 100.0 * try_cast(delivered.racks_used as double) / nullif(try_cast(delivered.racks_fitted_out as double), 0) as rack_utilisation_pct
from {relation} as delivered
inner join {source[deliveries]} as deliveries on delivered._delivery_id = deliveries.delivery_id and deliveries.is_current
