"""Fixtures shared by the report's tests: the small marts of `report_marts` and their Top 10."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from report_marts import SYSTEM, make_marts

from suanli.report import queries


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_marts(tmp_path_factory.mktemp("marts") / "published.duckdb")


@pytest.fixture(scope="module")
def top10(marts: Path) -> pd.DataFrame:
    with duckdb.connect(str(marts), read_only=True) as connection:
        return queries.top_units(connection, SYSTEM, "composite", 2025)
