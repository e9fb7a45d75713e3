"""The indicator catalogue (`seeds/reference/indicators.csv`) is the one list of indicators:
each is produced by exactly one indicator model, the one it names, and every indicator a
model produces is catalogued."""

from __future__ import annotations

from collections import defaultdict

import pytest
import yaml

from suanli.index.catalogue import CatalogueError, load_catalogue
from suanli.settings import DBT_PROJECT_DIR

INDICATOR_MODELS_DIR = DBT_PROJECT_DIR / "models" / "intermediate" / "indicators"


def test_the_indicator_models_are_the_folder_the_var_and_the_catalogue_alike() -> None:
    """int_indicator_values stacks var `indicator_models`; dbt tags the folder's models
    `indicator_part` and stops compiling if the two differ; the catalogue names only them."""
    listed = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))["vars"][
        "indicator_models"
    ]
    in_folder = sorted(path.stem for path in INDICATOR_MODELS_DIR.glob("*.sql"))
    assert sorted(listed) == in_folder
    assert {indicator.model for indicator in load_catalogue().values()} == set(in_folder)


def test_every_indicator_is_produced_by_the_one_model_the_catalogue_names(warehouse) -> None:
    produced: dict[str, set[str]] = defaultdict(set)
    for code, model in warehouse.execute(
        "select distinct indicator_code, indicator_model from intermediate.int_indicator_values"
    ).fetchall():
        produced[code].add(model)
    catalogue = load_catalogue()
    assert set(produced) == set(catalogue)
    assert {code: models for code, models in produced.items() if len(models) > 1} == {}
    assert {code: models.pop() for code, models in produced.items()} == {
        code: indicator.model for code, indicator in catalogue.items()
    }


def test_the_marts_carry_the_catalogue(warehouse) -> None:
    rows = warehouse.execute(
        "select indicator_code, name_zh, unit, direction, additive from marts.dim_indicator"
    ).fetchall()
    catalogue = load_catalogue()
    assert {row[0]: row[1:] for row in rows} == {
        code: (i.name_zh, i.unit, i.direction, i.additive) for code, i in catalogue.items()
    }
    # the two systems that use computing_patent_grants now agree on its unit
    units = warehouse.execute(
        "select distinct unit from marts.fct_index_weights "
        "where node_code = 'computing_patent_grants'"
    ).fetchall()
    assert units == [("件",)]


def test_a_bad_catalogue_row_is_named_by_row_column_and_value(tmp_path) -> None:
    path = tmp_path / "indicators.csv"
    header = (
        "indicator_code,name_zh,name_en,unit,direction,additive,model,"
        "max_national_share_pct,max_yoy_factor,yoy_min_base\n"
    )
    path.write_text(
        header + "pue,PUE,Power usage effectiveness,ratio,downward,false,m,,,\n", encoding="utf-8"
    )
    with pytest.raises(
        CatalogueError,
        match=r'indicators.csv: row 2, column "direction": value "downward" — expected one of',
    ):
        load_catalogue(path)
    path.write_text(header + "pue,PUE,PUE,ratio,negative,false,m,,three,\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r'column "max_yoy_factor": value "three"'):
        load_catalogue(path)
