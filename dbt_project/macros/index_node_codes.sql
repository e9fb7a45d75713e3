{#- Node codes of every index system in `weights` (fct_index_weights), ordered for columns:
    the tree of the largest system depth first (composite, 算力, 算力规模, its indicators, …),
    then the nodes only a smaller system has, in that system's order. Read when a model is
    compiled; empty while parsing or before `weights` exists (e.g. docs of an empty warehouse).
    Every code must be snake_case: it becomes part of a column name. -#}
{% macro index_node_codes(weights) -%}
    {%- if not execute or load_relation(weights) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set ordered_nodes_sql -%}
        with recursive
        systems as (
            select system_code, count(*) as n_nodes
            from {{ weights }}
            group by system_code
        ),
        tree as (
            select system_code, node_code, [position] as path
            from {{ weights }}
            where parent_code is null
            union all
            select child.system_code, child.node_code, list_append(tree.path, child.position)
            from {{ weights }} as child
            inner join tree
                on child.system_code = tree.system_code and child.parent_code = tree.node_code
        ),
        placed as (
            select
                tree.node_code,
                tree.path,
                tree.system_code,
                systems.n_nodes,
                row_number() over (
                    partition by tree.node_code order by systems.n_nodes desc, tree.system_code
                ) as pick
            from tree
            inner join systems on tree.system_code = systems.system_code
        )
        select node_code
        from placed
        where pick = 1
        order by n_nodes desc, system_code, path
    {%- endset -%}
    {%- set node_codes = run_query(ordered_nodes_sql).columns[0].values() | list -%}
    {%- for node_code in node_codes -%}
        {%- if not modules.re.fullmatch('[a-z][a-z0-9_]*', node_code) -%}
            {{ exceptions.raise_compiler_error(
                "node code '" ~ node_code ~ "' is not snake_case: it cannot name a column") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(node_codes) }}
{%- endmacro %}
