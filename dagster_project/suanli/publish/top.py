"""Read-only queries on the published marts, for the CLI and tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

TOP_QUERY = """
select
    scores.rank,
    provinces.name_zh,
    provinces.name_en,
    round(scores.score, 2) as score,
    scores.rank_change
from marts.fct_index_scores as scores
inner join marts.dim_province as provinces on scores.unit_code = provinces.province_code
where
    scores.system_code = $system
    and scores.node_code = $node
    and scores.unit_level = 'province'
    and scores.year = coalesce(
        $year,
        (select max(year) from marts.fct_index_scores where system_code = $system)
    )
order by scores.rank, provinces.province_code
limit $limit
"""


def top_units(
    warehouse: Path, system: str, node: str = "composite", year: int | None = None, limit: int = 10
) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        frame = connection.execute(
            TOP_QUERY, {"system": system, "node": node, "year": year, "limit": limit}
        ).df()
    return frame.set_index("rank")
