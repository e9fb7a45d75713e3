-- One row per index system: what it is, which years and units it covers, how it standardises,
-- whether it only approximates a published system (its scores are then not the report's), and
-- whether outlier columns are treated before standardisation (COINr's rule).
with

systems as (
    select * from {{ ref('stg_index_systems') }}
),

weights as (
    select * from {{ ref('int_index_weights') }}
),

node_counts as (
    select
        system_code,
        count(*) filter (where node_level = 'primary') as n_primary,
        count(*) filter (where node_level = 'secondary') as n_secondary,
        count(*) filter (where node_level = 'tertiary') as n_tertiary
    from weights
    group by system_code
),

final as (
    select
        systems.system_code,
        systems.name_zh,
        systems.name_en,
        systems.report,
        systems.unit_level,
        systems.first_year,
        systems.last_year,
        systems.standardisation,
        systems.base_year,
        systems.constant_column_score,
        systems.missing_impute,
        systems.min_data_share,
        systems.random_index_table,
        systems.is_approximation,
        systems.approximates,
        systems.description,
        node_counts.n_primary,
        node_counts.n_secondary,
        node_counts.n_tertiary,
        systems.source_file,
        systems.winsorise,
        systems.max_winsorised,
        systems.max_skew,
        systems.max_kurtosis
    from systems
    inner join node_counts
        on systems.system_code = node_counts.system_code
)

select * from final
