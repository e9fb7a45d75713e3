{#- The local weights of every node's children sum to 1 (within 1e-9). -#}
{% test children_weights_sum_to_one(model, column_name) %}
select system_code, parent_code, sum({{ column_name }}) as weight_sum
from {{ model }}
where parent_code is not null
group by system_code, parent_code
having abs(sum({{ column_name }}) - 1) > 1e-9
{% endtest %}
