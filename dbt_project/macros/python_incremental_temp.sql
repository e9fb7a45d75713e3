{#-
    dbt-duckdb 1.11's incremental materialization drops its temporary relation only when it is
    not temporary, but a Python model writes that relation as a real table of the main schema
    (py_write_table ignores `temporary`): each incremental run of int_leave_one_out,
    int_rank_uncertainty and int_sensitivity left one "<model>__dbt_tmp<time>" table behind.
    This override of the adapter's macro declares a Python model's relation what it is, a table
    to drop after the merge. (The adapter's MotherDuck branch is left out: the warehouse is a
    local DuckDB file.)
-#}
{% macro duckdb__dispatch_temporary_relation(target_relation, batch_id='') %}
    {%- set python = model is mapping and model.get('language') == 'python' -%}
    {% do return({'relation': make_temp_relation(target_relation), 'temporary': not python}) %}
{% endmacro %}
