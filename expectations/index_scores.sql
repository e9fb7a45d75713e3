-- Rows the suite index_scores validates ({relation}: the table it checks).
select scores.*, systems.standardisation, scores.score is null and scores.no_score_reason is null as unscored_without_reason, count(*) over (partition by scores.system_code, scores.year, scores.unit_level, scores.node_code) as units_in_group, case scores.unit_level when 'province' then 31 when 'city' then 302 end as expected_units
from {relation} as scores
left join {ref[stg_index_systems]} as systems on scores.system_code = systems.system_code
