"""The real NBS deliveries in `../shared/data/real/nbs` (read-only: tests edit copies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbs_files import EXPORT, Cells, csv_cells


@pytest.fixture
def nbs(shared_data: Path) -> Path:
    return shared_data / "real" / "nbs"


@pytest.fixture
def export_cells(nbs: Path) -> Cells:
    return csv_cells((nbs / EXPORT).read_bytes(), "gb18030")
