"""What a report build collects while drawing: each chart's PNG, title and data, in page order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from suanli.report import charts
from suanli.report.page import FigureBlock

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_DIR = "charts"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    path: Path


class Builder:
    """Collects charts while drawing, in page order; each figure is drawn once, to its PNG."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.charts: list[Chart] = []
        self.data: dict[str, pd.DataFrame] = {}
        self.axis_max: dict[str, float] = {}  # system → the score axis of its charts

    def chart(self, key: str, title: str, figure: Figure, frame: pd.DataFrame) -> FigureBlock:
        path = charts.save_png(figure, self.out_dir / CHART_DIR / f"{key}.png")
        self.charts.append(Chart(key, title, path))
        self.data[key] = frame
        return FigureBlock(f"{CHART_DIR}/{key}.png", title)
