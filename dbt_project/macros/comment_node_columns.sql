{#- Post-hook of wide_index_scores: a comment on every generated `<node>_score` and
    `<node>_rank` column, from the node's names in fct_index_weights (those of the largest
    system that has the node, as index_node_codes orders them). The columns are generated, so
    the model's YAML cannot document them; BI tools show these comments as descriptions. -#}
{% macro comment_node_columns(weights) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set names_sql -%}
        with systems as (
            select system_code, count(*) as n_nodes
            from {{ weights }}
            group by system_code
        )
        select weights.node_code, weights.name_zh, coalesce(weights.name_en, weights.name_zh)
        from {{ weights }} as weights
        inner join systems on weights.system_code = systems.system_code
        qualify row_number() over (
            partition by weights.node_code order by systems.n_nodes desc, weights.system_code
        ) = 1
        order by weights.node_code
    {%- endset -%}
    {%- set statements = [] -%}
    {%- for node_code, name_zh, name_en in run_query(names_sql).rows -%}
        {%- set zh = name_zh | replace("'", "''") -%}
        {%- set en = name_en | replace("'", "''") -%}
        {%- do statements.append(
            "comment on column " ~ this ~ "." ~ node_code ~ "_score is '" ~ zh
            ~ "得分（逐年标准化体系为 0–100，基年标准化体系可超过 100） / Score on "
            ~ en ~ " (node " ~ node_code ~ "): 0–100 per year, above 100 possible under "
            ~ "base-year standardisation; null where the system has no such node.'") -%}
        {%- do statements.append(
            "comment on column " ~ this ~ "." ~ node_code ~ "_rank is '" ~ zh
            ~ "排名（1 为最高） / Rank on " ~ en ~ " (node " ~ node_code
            ~ "), 1 the highest; null where the system has no such node.'") -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}
