-- Rows the suite index_weights validates ({relation}: the table it checks).
with children as (select system_code, parent_code, sum(local_weight) as children_weight_sum
from {relation}
where parent_code is not null
group by system_code, parent_code), leaves as (select system_code, sum(global_weight) as indicator_global_weight_sum
from {relation}
where node_level = 'tertiary'
group by system_code)
select parents.system_code, parents.node_code, parents.consistency_ratio, children.children_weight_sum, leaves.indicator_global_weight_sum
from {relation} as parents
inner join children on parents.system_code = children.system_code and parents.node_code = children.parent_code
inner join leaves on parents.system_code = leaves.system_code
