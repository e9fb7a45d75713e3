"""Read-only SQL on the marts, one DataFrame per figure or table of the report."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

PROVINCE = "province"
GDP_TABLE = "fct_province_statistics"


@dataclass(frozen=True)
class Node:
    code: str
    level: str  # composite | primary | secondary
    name_zh: str
    parent_name_zh: str | None


def latest_year(
    connection: duckdb.DuckDBPyConnection, system: str, unit_level: str = PROVINCE
) -> int:
    row = connection.execute(
        "select max(year) from marts.fct_index_scores where system_code = ? and unit_level = ?",
        [system, unit_level],
    ).fetchone()
    if row is None or row[0] is None:
        raise ValueError(f"marts.fct_index_scores has no {unit_level} scores for system {system!r}")
    return int(row[0])


def report_nodes(connection: duckdb.DuckDBPyConnection, system: str) -> list[Node]:
    """Composite, then each primary, then each secondary grouped under its primary, in the
    order of the index system's definition (the blue books' chapter order)."""
    rows = connection.execute(
        """
        select
            node.node_code,
            node.node_level,
            node.name_zh,
            parent.name_zh as parent_name_zh
        from marts.fct_index_weights as node
        left join marts.fct_index_weights as parent
            on node.system_code = parent.system_code and node.parent_code = parent.node_code
        where node.system_code = ? and node.node_level in ('composite', 'primary', 'secondary')
        order by
            case node.node_level when 'composite' then 0 when 'primary' then 1 else 2 end,
            case when node.node_level = 'secondary' then parent.position else 0 end,
            node.position
        """,
        [system],
    ).fetchall()
    return [Node(code, level, name, parent) for code, level, name, parent in rows]


def node_scores(
    connection: duckdb.DuckDBPyConnection,
    system: str,
    node: str,
    years: list[int],
    unit_level: str = PROVINCE,
) -> pd.DataFrame:
    """Every unit's score and rank on one node for the given years (long format). A unit is
    named `province_code`/`province` whatever its level (a city's code and name for cities),
    with its province's region and the unit's representative point."""
    return connection.execute(
        """
        select
            scores.year,
            scores.unit_code as province_code,
            coalesce(provinces.short_name_zh, units.name_zh) as province,
            scores.score,
            scores.rank,
            scores.rank_change
        from marts.fct_index_scores as scores
        inner join marts.dim_unit as units
            on scores.unit_level = units.unit_level and scores.unit_code = units.unit_code
        left join marts.dim_province as provinces
            on scores.unit_level = 'province' and scores.unit_code = provinces.province_code
        where scores.system_code = $system and scores.unit_level = $level
            and scores.node_code = $node and list_contains($years, scores.year)
            and scores.score is not null
        order by scores.year, scores.rank, scores.unit_code
        """,
        {"system": system, "node": node, "years": years, "level": unit_level},
    ).df()


def city_points(connection: duckdb.DuckDBPyConnection, codes: list[str]) -> pd.DataFrame:
    """Longitude and latitude of cities' representative points (dim_city)."""
    return connection.execute(
        "select city_code as province_code, longitude, latitude from marts.dim_city "
        "where list_contains(?, city_code) order by city_code",
        [codes],
    ).df()


def top_units(
    connection: duckdb.DuckDBPyConnection,
    system: str,
    node: str,
    year: int,
    limit: int = 10,
    unit_level: str = PROVINCE,
) -> pd.DataFrame:
    """The Top N of one node and year; ties share a rank, so it may hold more than N rows."""
    scores = node_scores(connection, system, node, [year], unit_level)
    return scores[scores["rank"] <= limit].reset_index(drop=True)


def years_available(
    connection: duckdb.DuckDBPyConnection, system: str, up_to: int, unit_level: str = PROVINCE
) -> list[int]:
    rows = connection.execute(
        "select distinct year from marts.fct_index_scores "
        "where system_code = ? and unit_level = ? and year <= ? and score is not null "
        "order by year",
        [system, unit_level, up_to],
    ).fetchall()
    return [int(year) for (year,) in rows]


def top_across_years(
    connection: duckdb.DuckDBPyConnection,
    system: str,
    node: str,
    year: int,
    limit: int = 10,
    unit_level: str = PROVINCE,
) -> pd.DataFrame:
    """The latest year's Top N with their rank and score in every year, side by side.

    Columns: province, then (year, '排名') and (year, '得分') for each year, oldest first.
    """
    years = years_available(connection, system, year, unit_level)
    scores = node_scores(connection, system, node, years, unit_level)
    leaders = scores[(scores["year"] == year) & (scores["rank"] <= limit)]
    chosen = scores[scores["province_code"].isin(leaders["province_code"])]
    wide = chosen.pivot(index="province", columns="year", values=["rank", "score"])
    # (year, rank) before (year, score); 'rank' < 'score' also sorts them that way
    table = wide.swaplevel(axis=1).sort_index(axis=1).reindex(leaders["province"])
    table = table.rename(columns={"rank": "排名", "score": "得分"}, level=1)
    table.index.name = "省份" if unit_level == PROVINCE else "城市"
    return table


def indicator_by_province(
    connection: duckdb.DuckDBPyConnection, system: str, year: int, indicator: str
) -> pd.DataFrame:
    """Raw values of one indicator for every province, largest first."""
    frame = connection.execute(
        """
        select
            provinces.short_name_zh as province,
            values_.unit_code as province_code,
            values_.raw_value as value,
            values_.unit,
            values_.provenance
        from marts.fct_indicator_values as values_
        inner join marts.dim_province as provinces on values_.unit_code = provinces.province_code
        where values_.system_code = ? and values_.year = ? and values_.unit_level = 'province'
            and values_.indicator_code = ? and values_.raw_value is not null
        order by values_.raw_value desc, values_.unit_code
        """,
        [system, year, indicator],
    ).df()
    if frame.empty:
        raise ValueError(f"no {indicator} values for {system} in {year}")
    return frame


def indicator_shares(
    connection: duckdb.DuckDBPyConnection, system: str, year: int, indicator: str
) -> pd.DataFrame:
    """Each province's share (%) of the sum over the 31 provinces, the national total."""
    frame = indicator_by_province(connection, system, year, indicator)
    frame["share"] = 100.0 * frame["value"] / frame["value"].sum()
    frame["cumulative_share"] = frame["share"].cumsum()
    return frame


def indicator_label(connection: duckdb.DuckDBPyConnection, system: str, indicator: str) -> str:
    """'在用标准机架数（万架）' from the index definition."""
    row = connection.execute(
        "select name_zh, unit from marts.fct_index_weights where system_code = ? and node_code = ?",
        [system, indicator],
    ).fetchone()
    if row is None:
        raise ValueError(f"indicator {indicator!r} is not part of {system}")
    name, unit = row
    return f"{name}（{unit}）" if unit and unit != "ratio" else name


def city_top(connection: duckdb.DuckDBPyConnection, year: int, limit: int = 30) -> pd.DataFrame:
    return connection.execute(
        """
        select
            top.rank,
            top.city_name_zh as city,
            coalesce(provinces.short_name_zh, top.province_name_zh) as province,
            top.score,
            top.rank_change
        from marts.city_top30 as top
        left join marts.dim_province as provinces on top.province_name_zh = provinces.name_zh
        where top.year = ? and top.rank <= ?
        order by top.rank, top.city_code
        """,
        [year, limit],
    ).df()


def provenance_counts(
    connection: duckdb.DuckDBPyConnection, system: str, year: int
) -> list[tuple[str, int]]:
    """How many indicator values of the year are published, derived or synthetic."""
    rows = connection.execute(
        "select provenance, count(*) from marts.fct_indicator_values "
        "where system_code = ? and year = ? group by provenance order by provenance",
        [system, year],
    ).fetchall()
    return [(str(name), int(count)) for name, count in rows]


def _has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = ?",
        [table],
    ).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class GdpScatter:
    frame: pd.DataFrame  # province, score, gdp (亿元), gdp_trillion (万亿元), provenance
    gdp_year: int
    sources: list[str]


def gdp_vs_index(
    connection: duckdb.DuckDBPyConnection, system: str, year: int
) -> GdpScatter | None:
    """Composite score against GDP, or None when GDP has not been delivered.

    GDP of a year is published months after the year ends, so the latest GDP year not after
    the report year is used, and named on the figure.
    """
    if not _has_table(connection, GDP_TABLE):
        return None
    row = connection.execute(
        f"select max(year) from marts.{GDP_TABLE} "
        "where statistic_code = 'gdp' and year <= ? and value is not null",
        [year],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    gdp_year = int(row[0])
    frame = connection.execute(
        f"""
        select
            provinces.short_name_zh as province,
            scores.score,
            statistics.value as gdp,
            statistics.value / 10000.0 as gdp_trillion,
            statistics.provenance,
            statistics.provenance_source
        from marts.fct_index_scores as scores
        inner join marts.dim_province as provinces on scores.unit_code = provinces.province_code
        inner join marts.{GDP_TABLE} as statistics
            on statistics.province_code = scores.unit_code
            and statistics.statistic_code = 'gdp' and statistics.year = $gdp_year
        where scores.system_code = $system and scores.unit_level = 'province'
            and scores.node_code = 'composite' and scores.year = $year
            and statistics.value is not null and scores.score is not null
        order by scores.unit_code
        """,
        {"system": system, "year": year, "gdp_year": gdp_year},
    ).df()
    if len(frame) < 2:
        return None
    sources = sorted({str(s) for s in frame["provenance_source"].dropna()})
    return GdpScatter(frame, gdp_year, sources)


ROBUSTNESS_MARTS = ("fct_rank_uncertainty", "fct_sensitivity", "fct_score_contributions")


def has_robustness_marts(connection: duckdb.DuckDBPyConnection) -> bool:
    return all(_has_table(connection, table) for table in ROBUSTNESS_MARTS)


def rank_intervals(
    connection: duckdb.DuckDBPyConnection, system: str, year: int, limit: int = 20
) -> pd.DataFrame:
    """The composite's nominal Top N with their Monte Carlo median rank and P5–P95 interval
    (a province by its short name, a city by its name)."""
    return connection.execute(
        """
        select
            coalesce(provinces.short_name_zh, units.name_zh) as province,
            uncertainty.nominal_rank,
            uncertainty.median_rank,
            uncertainty.rank_p5,
            uncertainty.rank_p95,
            uncertainty.top10_share,
            uncertainty.runs
        from marts.fct_rank_uncertainty as uncertainty
        inner join marts.dim_unit as units
            on uncertainty.unit_level = units.unit_level
            and uncertainty.unit_code = units.unit_code
        left join marts.dim_province as provinces
            on uncertainty.unit_level = 'province'
            and uncertainty.unit_code = provinces.province_code
        where uncertainty.system_code = $system and uncertainty.node_code = 'composite'
            and uncertainty.year = $year and uncertainty.nominal_rank <= $limit
        order by uncertainty.nominal_rank, uncertainty.unit_code
        """,
        {"system": system, "year": year, "limit": limit},
    ).df()


def audited_systems(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(system, Chinese name, latest year audited) of every system in the uncertainty mart."""
    rows = connection.execute(
        """
        select systems.system_code, systems.name_zh, max(uncertainty.year)
        from marts.fct_rank_uncertainty as uncertainty
        inner join marts.dim_index_system as systems using (system_code)
        group by systems.system_code, systems.name_zh
        order by systems.system_code
        """
    ).fetchall()
    return [(str(code), str(name), int(year)) for code, name, year in rows]


def sensitivity(connection: duckdb.DuckDBPyConnection, system: str, year: int) -> pd.DataFrame:
    """Sobol indices of each uncertain choice on the composite's ranks, most influential first."""
    return connection.execute(
        """
        select factor, first_order, first_order_conf, total_order, total_order_conf, runs
        from marts.fct_sensitivity
        where system_code = ? and unit_level = 'province' and year = ?
        order by total_order desc, factor
        """,
        [system, year],
    ).df()


def composite_contributions(
    connection: duckdb.DuckDBPyConnection, system: str, year: int
) -> pd.DataFrame:
    """Every province's composite as the contributions of its primaries (weight × score),
    highest composite first; columns province, then one per primary (its Chinese name)."""
    long = connection.execute(
        """
        select
            provinces.short_name_zh as province,
            parts.part_code,
            weights.name_zh as part,
            weights.position,
            parts.contribution,
            scores.rank
        from marts.fct_score_contributions as parts
        inner join marts.fct_index_scores as scores
            on parts.system_code = scores.system_code and parts.year = scores.year
            and parts.unit_level = scores.unit_level and parts.unit_code = scores.unit_code
            and parts.node_code = scores.node_code
        inner join marts.fct_index_weights as weights
            on parts.system_code = weights.system_code and parts.part_code = weights.node_code
        inner join marts.dim_province as provinces on parts.unit_code = provinces.province_code
        where parts.system_code = ? and parts.year = ? and parts.unit_level = 'province'
            and parts.node_code = 'composite' and parts.part_kind = 'child'
        order by scores.rank, parts.unit_code, weights.position
        """,
        [system, year],
    ).df()
    order = list(dict.fromkeys(long["province"]))
    parts = list(dict.fromkeys(long.sort_values("position")["part"]))
    wide = long.pivot(index="province", columns="part", values="contribution")
    return wide.reindex(index=order, columns=parts).fillna(0.0).reset_index()


@dataclass(frozen=True)
class IndexSystem:
    """One index system as `marts.dim_index_system` describes it."""

    code: str
    name_zh: str
    report: str | None
    unit_level: str  # province | city
    standardisation: str  # minmax_per_year | minmax_base_year
    base_year: int | None
    is_approximation: bool

    @property
    def base_year_indexed(self) -> bool:
        """Scores of a base-year system pass 100 once a unit outgrows the base year's best."""
        return self.base_year is not None and self.standardisation != "minmax_per_year"


def index_systems(connection: duckdb.DuckDBPyConnection, first: str) -> list[IndexSystem]:
    """Every system with scores: `first`, then the other province systems, then city systems,
    each group by code (the definitions in `seeds/index_systems/` are the only list)."""
    rows = connection.execute(
        """
        select
            systems.system_code, systems.name_zh, systems.report, systems.unit_level,
            systems.standardisation, systems.base_year, systems.is_approximation
        from marts.dim_index_system as systems
        where exists (
            select 1 from marts.fct_index_scores as scores
            where scores.system_code = systems.system_code and scores.score is not null
        )
        order by
            systems.system_code != $first, systems.unit_level != 'province', systems.system_code
        """,
        {"first": first},
    ).fetchall()
    return [
        IndexSystem(
            str(code), str(name), report, str(level), str(standardisation),
            None if base_year is None else int(base_year), bool(approximation),
        )
        for code, name, report, level, standardisation, base_year, approximation in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class WeightRow:
    code: str
    depth: int  # 0 for the composite
    level: str
    name_zh: str
    unit: str | None
    local_weight: float | None
    global_weight: float | None


def weight_tree(connection: duckdb.DuckDBPyConnection, system: str) -> list[WeightRow]:
    """The system's nodes and indicators depth first, children in their defined order."""
    rows = connection.execute(
        """
        select node_code, parent_code, node_level, position, name_zh, unit, local_weight,
            global_weight
        from marts.fct_index_weights
        where system_code = ?
        order by position, node_code
        """,
        [system],
    ).fetchall()
    children: dict[str | None, list[tuple]] = {}
    for row in rows:
        children.setdefault(row[1], []).append(row)
    tree: list[WeightRow] = []

    def walk(parent: str | None, depth: int) -> None:
        for code, _, level, _, name, unit, local, overall in children.get(parent, []):
            tree.append(WeightRow(code, depth, level, name, unit, local, overall))
            walk(code, depth + 1)

    walk(None, 0)
    return tree


def national_totals(connection: duckdb.DuckDBPyConnection, system: str, year: int) -> pd.DataFrame:
    """Each additive indicator's national total in `year` and the year before, and the growth
    (%), in the order of the system's tree; the total's source as fct_national_shares has it."""
    return connection.execute(
        """
        with totals as (
            select distinct year, indicator_code, indicator_name_zh, unit, national_value,
                national_source
            from marts.fct_national_shares
            where system_code = $system and year in ($year - 1, $year)
        ),

        current_ as (select * from totals where year = $year),

        previous as (select * from totals where year = $year - 1)

        select
            current_.indicator_code,
            current_.indicator_name_zh as indicator,
            current_.unit,
            previous.national_value as previous_value,
            current_.national_value as value,
            100.0 * (current_.national_value / nullif(previous.national_value, 0) - 1)
                as growth_pct,
            current_.national_source
        from current_
        left join previous using (indicator_code)
        left join marts.fct_index_weights as weights
            on weights.system_code = $system and weights.node_code = current_.indicator_code
        order by weights.global_weight desc nulls last, current_.indicator_code
        """,
        {"system": system, "year": year},
    ).df()


def group_comparison(
    connection: duckdb.DuckDBPyConnection,
    system: str,
    year: int,
    group: str,
    indicators: tuple[str, ...],
) -> pd.DataFrame:
    """Provinces grouped by `group` (dim_province.region or .hub_node; provinces outside any
    hub are left out): how many, their members, their composite score's mean and best, and
    their summed share (%) of each of `indicators`' national totals."""
    if group not in ("region", "hub_node"):
        raise ValueError(f"no province grouping {group!r}")
    frame = connection.execute(
        f"""
        select
            provinces.{group} as grouping,
            count(*) as provinces,
            string_agg(provinces.short_name_zh, '、' order by scores.rank) as members,
            avg(scores.score) as mean_score,
            max(scores.score) as best_score
        from marts.dim_province as provinces
        inner join marts.fct_index_scores as scores
            on scores.unit_code = provinces.province_code and scores.unit_level = 'province'
            and scores.system_code = $system and scores.year = $year
            and scores.node_code = 'composite'
        where provinces.{group} is not null
        group by provinces.{group}
        order by mean_score desc, grouping
        """,
        {"system": system, "year": year},
    ).df()
    for indicator in indicators:
        shares = connection.execute(
            f"""
            select provinces.{group} as grouping, sum(shares.share_pct) as share
            from marts.fct_national_shares as shares
            inner join marts.dim_province as provinces using (province_code)
            where shares.system_code = $system and shares.year = $year
                and shares.indicator_code = $indicator
            group by provinces.{group}
            """,
            {"system": system, "year": year, "indicator": indicator},
        ).df()
        frame[indicator] = frame["grouping"].map(shares.set_index("grouping")["share"])
    return frame
