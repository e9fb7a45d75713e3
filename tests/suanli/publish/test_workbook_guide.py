"""The workbook's guide: the dbt exposure `suanli_marts_workbook` orders every sheet (composite
scores first, provinces before cities), every mart and column is documented `中文 / English`,
score points show two decimals and nothing else does, and a workbook of a small marts file
opens on its 说明 About sheet."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from suanli.data_note import DATA_NOTE_PAGE, PROVENANCE_MEANINGS
from suanli.publish.exports import (
    WORKBOOK_NAME,
    column_names_zh,
    export_marts,
    list_marts,
    parquet_only,
)
from suanli.publish.workbook_guide import (
    ABOUT_SHEET,
    MartGuide,
    WorkbookGuide,
    shows_two_decimals,
    split_bilingual,
    workbook_guide,
)
from suanli.settings import DBT_PROJECT_DIR

CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_PUNCTUATION = re.compile("[，。；、：（）]")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    path = DBT_PROJECT_DIR / "target" / "manifest.json"
    assert path.is_file(), f"{path} missing: run `make manifest`"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def guide(manifest: dict[str, Any]) -> WorkbookGuide:
    return workbook_guide(manifest)


def test_the_exposure_lists_every_sheet_of_the_workbook_once(
    guide: WorkbookGuide, manifest: dict[str, Any]
) -> None:
    in_workbook = set(column_names_zh(manifest)) - parquet_only(manifest)
    assert len(guide.order) == len(set(guide.order))
    assert set(guide.order) == in_workbook


def test_composite_scores_come_first_lineage_last_and_provinces_before_cities(
    guide: WorkbookGuide,
) -> None:
    order = list(guide.order)
    assert order[:4] == [
        "wide_index_scores", "top10_by_node", "top10_across_years", "fct_index_scores",
    ]  # fmt: skip
    facts = [index for index, mart in enumerate(order) if mart.startswith("fct_")]
    dimensions = [index for index, mart in enumerate(order) if mart.startswith("dim_")]
    assert max(facts) < min(dimensions)  # the facts, then the dimensions
    assert order[-1] == "dim_delivery"  # what was delivered: bookkeeping, last
    # Provinces before cities: the score views (both levels, provinces' system first) before
    # the city Top 30, the provinces' dimension before the cities'.
    assert order.index("fct_rank_history") < order.index("city_top30")
    assert order.index("dim_province") < order.index("dim_city")


def test_marts_the_exposure_does_not_list_follow_by_name() -> None:
    guide = WorkbookGuide(order=("fct_index_scores", "dim_province"))
    marts = ["zz_new", "dim_province", "aa_new", "fct_index_scores"]
    assert guide.ordered(marts) == ["fct_index_scores", "dim_province", "aa_new", "zz_new"]


def test_every_mart_and_column_is_documented_in_chinese_and_english(
    guide: WorkbookGuide, manifest: dict[str, Any]
) -> None:
    assert set(guide.marts) == set(column_names_zh(manifest))
    for name, mart in guide.marts.items():
        for where, (zh, en) in [(name, mart.description), *mart.columns.items()]:
            assert CJK.search(zh), f"{name}.{where}: no Chinese before ' / ': {zh!r}"
            assert re.search("[A-Za-z]", en), f"{name}.{where}: no English after ' / ': {en!r}"
            # A ` / ` inside the Chinese would split it early: Chinese left in the English.
            assert not CHINESE_PUNCTUATION.search(en), f"{name}.{where}: split early: {en!r}"
            assert zh.count("（") == zh.count("）"), f"{name}.{where}: split early: {zh!r}"


def test_descriptions_split_at_the_first_separator() -> None:
    assert split_bilingual("指数年份 / Index year.") == ("指数年份", "Index year.")
    assert split_bilingual("一致性比率 CR = CI/RI / CR = CI / RI.") == (
        "一致性比率 CR = CI/RI",
        "CR = CI / RI.",
    )
    assert split_bilingual("  折行的\n  说明 /\n  folded text  ") == ("折行的 说明", "folded text")
    assert split_bilingual("只有中文") == ("只有中文", "")


@pytest.mark.parametrize(
    ("column", "type_id", "two_decimals"),
    [
        ("score", "double", True),
        ("composite_score", "double", True),
        ("y2025_score", "double", True),
        ("score_change", "double", True),
        ("score_p95", "double", True),
        ("contribution", "double", True),
        ("gap_to_leader", "double", True),
        ("local_weight", "double", False),  # weights keep their precision
        ("share_pct", "double", False),
        ("pearson_with_parent", "double", False),
        ("score_runs", "integer", False),  # a count, not score points
        ("composite_rank", "bigint", False),
        ("no_score_reason", "varchar", False),
    ],
)
def test_score_points_show_two_decimals(column: str, type_id: str, two_decimals: bool) -> None:
    assert shows_two_decimals(column, type_id) is two_decimals


def small_marts(path: Path) -> duckdb.DuckDBPyConnection:
    """Two marts: scores with decimals beyond the second and a province dimension; never
    published (no `_publication`)."""
    connection = duckdb.connect(str(path))
    connection.execute("create schema marts")
    connection.execute(
        "create table marts.fct_index_scores as select 2024 as year, "
        "(110000 + 10000 * i)::varchar as unit_code, 100 / 3 + i as score, "
        "1 / (i + 7) as local_weight from range(3) t(i)"
    )
    connection.execute(
        "create table marts.dim_province as select * from (values ('110000', '北京市')) "
        "t(province_code, name_zh)"
    )
    return connection


def test_a_small_workbook_opens_on_its_guide_in_the_guides_order(tmp_path: Path) -> None:
    guide = WorkbookGuide(
        order=("fct_index_scores",),
        marts={
            "fct_index_scores": MartGuide(
                ("指数得分", "Index scores."),
                {"score": ("得分", "Score."), "year": ("年份", "Year.")},
            )
        },
    )
    with small_marts(tmp_path / "published.duckdb") as connection:
        assert list_marts(connection) == ["dim_province", "fct_index_scores"]
        export_marts(connection, tmp_path / "out", column_names={}, left_out=(), guide=guide)
    workbook = openpyxl.load_workbook(tmp_path / "out" / WORKBOOK_NAME)
    assert workbook.sheetnames == [ABOUT_SHEET, "fct_index_scores", "dim_province"]
    texts = [value for row in workbook[ABOUT_SHEET].iter_rows(values_only=True) for value in row]
    assert DATA_NOTE_PAGE in texts
    assert "未发布 Not published" in texts
    assert set(PROVENANCE_MEANINGS) <= set(texts)
    assert {"指数得分", "Index scores.", "得分", "Score."} <= set(texts)
    scores = workbook["fct_index_scores"]
    assert [cell.value for cell in scores[1]] == ["year", "unit_code", "score", "local_weight"]
    for row in scores.iter_rows(min_row=2):
        year, _, score, weight = row
        assert score.number_format == "0.00"
        assert score.value != round(score.value, 2)  # shown to two decimals, stored in full
        assert (year.number_format, weight.number_format) == ("General", "General")
