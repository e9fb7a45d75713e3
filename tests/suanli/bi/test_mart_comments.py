"""What a BI tool shows beside a relation or a column: every view of the published marts, every
column of `wide_index_scores` (generated per node, described from the node's names) and of the
publication record carries a Chinese and English comment."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def marts(published_marts: Path) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(str(published_marts), read_only=True) as connection:
        yield connection


def test_every_view_has_a_comment(
    marts: duckdb.DuckDBPyConnection, mart_models: dict[str, str]
) -> None:
    views = dict(
        marts.execute(
            "select view_name, comment from duckdb_views() where schema_name = 'marts' "
            "and not internal"
        ).fetchall()
    )
    assert sorted(views) == sorted(name for name, kind in mart_models.items() if kind == "view")
    assert all(comment and comment.strip() for comment in views.values()), views


@pytest.mark.parametrize("relation", ["wide_index_scores", "_publication"])
def test_every_column_has_a_comment(marts: duckdb.DuckDBPyConnection, relation: str) -> None:
    columns = marts.execute(
        "select column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' and table_name = ?",
        [relation],
    ).fetchall()
    assert columns, relation
    uncommented = [name for name, comment in columns if not (comment and comment.strip())]
    assert not uncommented, f"marts.{relation}: {uncommented}"


def test_generated_node_columns_are_described_by_their_node(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    nodes = marts.execute(
        "select node_code, any_value(name_zh) from marts.fct_index_weights group by node_code"
    ).fetchall()
    comments = dict(
        marts.execute(
            "select column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = 'wide_index_scores'"
        ).fetchall()
    )
    assert len(nodes) > 100
    for node_code, _ in nodes:
        assert f"(node {node_code})" in comments[f"{node_code}_score"]
        assert f"(node {node_code})" in comments[f"{node_code}_rank"]
    assert comments["composite_score"].startswith("综合")
    assert comments["compute_score"].startswith("算力得分")
    assert comments["compute_rank"].startswith("算力排名")
