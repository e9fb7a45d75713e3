"""Labels a reader can read: on the maps and in the scatter no label's text covers another's,
measured on the rendered figure (matplotlib's renderer extents), where the classic collision
is 北京, 天津 and 河北, whose label points lie a few millimetres apart."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

import suanli
from suanli.report import charts, choropleth, find_cjk_font
from suanli.report.fonts import cjk_style

PROVINCES_CSV = Path(suanli.__file__).resolve().parents[2] / "seeds/reference/provinces.csv"
# Labelled first: the crowded north China plain and Yangtze delta
CROWDED = ["北京", "天津", "河北", "上海", "江苏", "浙江", "安徽", "山东", "河南", "山西"]


def provinces() -> pd.DataFrame:
    with PROVINCES_CSV.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return pd.DataFrame(
        {"province_code": [r["province_code"] for r in rows],
         "province": [r["short_name_zh"] for r in rows]}
    )  # fmt: skip


def label_boxes(figure: Figure) -> tuple[list[str], list[Bbox]]:
    """Every annotation's text and the box its text occupies in the rendered figure."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    labels = [t for axes in figure.axes for t in axes.texts if isinstance(t, Annotation)]
    return [t.get_text() for t in labels], [Text.get_window_extent(t, renderer) for t in labels]


def overlapping(names: list[str], boxes: list[Bbox]) -> list[tuple[str, str]]:
    return [
        (names[i], names[j])
        for i, j in itertools.combinations(range(len(boxes)), 2)
        if boxes[i].overlaps(boxes[j])
    ]


def test_the_collision_exists_without_the_repel() -> None:
    """The check below can fail: centred on their provinces, 北京 and 河北 collide."""
    frame = provinces().set_index("province")
    points = choropleth.load_boundaries().provinces
    with cjk_style(find_cjk_font()):
        figure = choropleth.new_figure(height=7.2, width=9.0)
        axes = figure.add_subplot()
        choropleth._frame(axes, choropleth.MAIN_VIEW)
        for name in ("北京", "天津", "河北"):
            point = points[frame.loc[name, "province_code"]].representative_point()
            axes.annotate(f"1 {name}", (point.x, point.y), ha="center", va="center", fontsize=7.5)
        names, boxes = label_boxes(figure)
    assert overlapping(names, boxes)


@pytest.mark.parametrize("labelled", [10, 16])
def test_province_map_labels_do_not_overlap(labelled: int) -> None:
    frame = provinces()
    order = CROWDED + [p for p in frame["province"] if p not in CROWDED]
    frame["rank"] = [order.index(p) + 1 for p in frame["province"]]
    frame["score"] = 100.0 - 3 * frame["rank"]
    with cjk_style(find_cjk_font()):
        figure = choropleth.choropleth(frame, "map", label_top=labelled)
        names, boxes = label_boxes(figure)
    assert len(names) == labelled
    assert {n.split(" ", 1)[1] for n in names} >= {"北京", "天津", "河北"}
    assert overlapping(names, boxes) == []
    main = figure.axes[0].get_window_extent()
    assert all(main.contains(b.x0, b.y0) and main.contains(b.x1, b.y1) for b in boxes)


def test_city_map_labels_do_not_overlap() -> None:
    rng = np.random.default_rng(7)
    # ten cities within a degree or two of Beijing, and a few far away
    near = [(116.4 + dx, 39.9 + dy) for dx, dy in rng.uniform(-1.5, 1.5, size=(10, 2))]
    far = [(106.6, 26.6), (113.6, 24.8), (120.2, 30.3), (87.6, 43.8)]
    points = near + far
    frame = pd.DataFrame(
        {
            "province_code": [f"c{i}" for i in range(len(points))],
            "province": [f"城市{chr(0x4E00 + i)}市" for i in range(len(points))],
            "longitude": [p[0] for p in points],
            "latitude": [p[1] for p in points],
            "rank": range(1, len(points) + 1),
            "score": np.linspace(100, 20, len(points)),
        }
    )
    with cjk_style(find_cjk_font()):
        figure = choropleth.city_map(frame, "cities", label_top=10)
        names, boxes = label_boxes(figure)
    assert len(names) == 10
    assert overlapping(names, boxes) == []


def test_scatter_labels_do_not_overlap_each_other_or_the_legend() -> None:
    rng = np.random.default_rng(11)
    frame = provinces()
    frame["gdp_trillion"] = rng.gamma(2.0, 2.5, size=len(frame))
    frame["score"] = np.clip(10 + 6 * frame["gdp_trillion"] + rng.normal(0, 6, len(frame)), 0, 100)
    fit = charts.ols_fit(frame["gdp_trillion"].to_numpy(), frame["score"].to_numpy())
    with cjk_style(find_cjk_font()):
        figure = charts.gdp_scatter(frame, fit, "scatter", charts.DATA_NOTE)
        names, boxes = label_boxes(figure)
        renderer = figure.canvas.get_renderer()
        legend = next(t for t in figure.axes[0].texts if "OLS" in t.get_text())
        legend_box = legend.get_window_extent(renderer)
    assert sorted(names) == sorted(frame["province"])
    assert overlapping(names, boxes) == []
    assert not any(box.overlaps(legend_box) for box in boxes)
