"""Matplotlib figures of the report (bars, shares, scatter with its OLS line) and PNG output.

Figures are built with `matplotlib.figure.Figure`, never pyplot, so nothing registers in
pyplot's global figure list; call them inside `fonts.cjk_style` so the labels use the CJK font.
matplotlib is imported by the functions that draw, not with this module: the Dagster
definitions import the report, and every process start would pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

DATA_NOTE = (
    "数据说明：随附数据快照仅作演示，除已公开发布的数字外，数值均为合成数据，不代表官方统计。"
)
NOTE_INCHES = 0.32  # strip kept free at the bottom of every figure for DATA_NOTE
WIDTH = 8.0
BAR = "#2b6cb0"
ACCENT = "#c05621"
MUTED = "#718096"
UP, DOWN = "#2f855a", "#c53030"
# zlib level of the PNGs: level 1 writes them ~2× faster than the default 6; as RGB the charts
# are still smaller than the RGBA ones savefig wrote at level 6 (2.1 MB against 2.2 MB for the
# 23 charts of the bundled snapshot).
PNG_COMPRESS_LEVEL = 1


def new_figure(height: float, width: float = WIDTH, note: str = DATA_NOTE) -> Figure:
    """A figure whose bottom strip carries the data-honesty note, never covered by axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    engine = figure.get_layout_engine()
    bottom = NOTE_INCHES / height
    engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom))  # type: ignore[call-arg]
    figure.text(0.01, 0.08 / height, note, fontsize=7.5, color=MUTED, ha="left", va="bottom")
    return figure


def save_png(figure: Figure, path: Path) -> Path:
    """The figure as a PNG at `savefig.dpi`, without the matplotlib version in its metadata:
    the same data give the same bytes.

    The pixels are those `figure.savefig` draws, for less work: one Agg draw that lays out
    and renders (savefig lays out in a draw of its own first), and an opaque figure is
    written as RGB, not RGBA, at zlib level PNG_COMPRESS_LEVEL.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure_dpi = figure.dpi
    dpi = matplotlib.rcParams["savefig.dpi"]
    dpi = figure_dpi if dpi == "figure" else dpi
    figure.set_dpi(dpi)
    try:
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        if image.getchannel("A").getextrema() == (255, 255):
            image = image.convert("RGB")
    finally:
        figure.set_dpi(figure_dpi)  # as savefig leaves it
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="png", dpi=(dpi, dpi), compress_level=PNG_COMPRESS_LEVEL)
    return path


def _rank_change_label(change: float | None) -> tuple[str, str]:
    if change is None or pd.isna(change):
        return "新", MUTED
    if change > 0:
        return f"▲{int(change)}", UP
    if change < 0:
        return f"▼{-int(change)}", DOWN
    return "—", MUTED


def _horizontal_bars(axes: Axes, labels: list[str], values: list[float], color: str) -> None:
    """Largest at the top, as the blue books draw their rankings."""
    positions = np.arange(len(labels))
    axes.barh(positions, values, color=color, height=0.68)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    axes.set_axisbelow(True)


def axis_label(xlabel: str, axis_max: float) -> str:
    return f"{xlabel}（0–{axis_max:g}）；右侧为较上年排名变化"


def _top_axes(axes: Axes, frame: pd.DataFrame, axis_max: float | None, fontsize: float) -> None:
    """Top N bars on `axes`: 0 to `axis_max` (the same for every panel of a grid), or to the
    best score when None, with room at the right for the score and the rank change."""
    labels = [
        f"{int(rank)}  {name}" for rank, name in zip(frame["rank"], frame["province"], strict=True)
    ]
    scores = frame["score"].astype(float).tolist()
    _horizontal_bars(axes, labels, scores, BAR)
    top = axis_max if axis_max is not None else max(scores)
    right = top * 1.22
    axes.set_xlim(0, right)
    axes.set_xticks([tick for tick in axes.get_xticks() if 0 <= tick <= top])
    for position, (score, change) in enumerate(zip(scores, frame["rank_change"], strict=True)):
        axes.text(score + right * 0.01, position, f"{score:.1f}", va="center", fontsize=fontsize)
        text, color = _rank_change_label(change)
        axes.text(
            right * 0.995, position, text, va="center", ha="right", fontsize=fontsize - 1,
            color=color,
        )  # fmt: skip


def top_bar(
    frame: pd.DataFrame, title: str, xlabel: str = "得分", axis_max: float = 100.0
) -> Figure:
    """Top N of one node: score labels at the bar ends, rank change (▲ up, ▼ down) beside, on
    a 0–`axis_max` axis shared by every chart of the system."""
    figure = new_figure(height=0.9 + 0.36 * len(frame))
    axes = figure.add_subplot()
    _top_axes(axes, frame, axis_max, 9)
    axes.set_title(title, loc="left")
    axes.set_xlabel(axis_label(xlabel, axis_max))
    return figure


def top_panel(
    panels: list[tuple[str, pd.DataFrame]], title: str, axis_max: float, xlabel: str = "得分"
) -> Figure:
    """Several nodes' Top N side by side (two columns) on one shared 0–`axis_max` axis."""
    columns = 2 if len(panels) > 1 else 1
    rows = -(-len(panels) // columns)
    tallest = max(len(frame) for _, frame in panels)
    figure = new_figure(height=0.9 + rows * (0.5 + 0.27 * tallest), width=WIDTH * 1.25)
    grid = figure.subplots(rows, columns, squeeze=False)
    shown = list(grid.flat)[: len(panels)]
    for axes, (name, frame) in zip(shown, panels, strict=True):
        _top_axes(axes, frame, axis_max, 7.5)
        axes.tick_params(axis="y", labelsize=8)
        axes.set_title(name, loc="left", fontsize=10)
    for axes in list(grid.flat)[len(panels) :]:
        axes.set_visible(False)
    for column in range(columns):  # the axis named once, under each column's last panel
        shown[max(i for i in range(len(shown)) if i % columns == column)].set_xlabel(
            axis_label(xlabel, axis_max), fontsize=8
        )
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    return figure


def share_bar(frame: pd.DataFrame, title: str, value_label: str) -> Figure:
    """Every province's share of the national total, largest first."""
    figure = new_figure(height=1.2 + 0.26 * len(frame))
    axes = figure.add_subplot()
    shares = frame["share"].astype(float).tolist()
    _horizontal_bars(axes, frame["province"].tolist(), shares, BAR)
    right = max(shares) * 1.3
    axes.set_xlim(0, right)
    for position, (share, value) in enumerate(zip(shares, frame["value"], strict=True)):
        axes.text(
            share + right * 0.01,
            position,
            f"{share:.1f}%  ({value:,.1f})" if share >= 0.1 else f"{share:.2f}%  ({value:,.2f})",
            va="center",
            fontsize=7.5,
        )
    axes.set_title(title, loc="left")
    total = float(frame["value"].sum())
    axes.set_xlabel(f"占全国比重（%）；括号内为{value_label}，全国合计 {total:,.1f}")
    return figure


def value_bar(frame: pd.DataFrame, title: str, xlabel: str, fmt: str = "{:.1f}") -> Figure:
    """A raw indicator for every province, largest first (e.g. 上架率)."""
    figure = new_figure(height=1.2 + 0.26 * len(frame))
    axes = figure.add_subplot()
    values = frame["value"].astype(float).tolist()
    _horizontal_bars(axes, frame["province"].tolist(), values, ACCENT)
    right = max(values) * 1.15
    axes.set_xlim(0, right)
    for position, value in enumerate(values):
        axes.text(value + right * 0.01, position, fmt.format(value), va="center", fontsize=7.5)
    axes.set_title(title, loc="left")
    axes.set_xlabel(xlabel)
    return figure


def city_bar(frame: pd.DataFrame, title: str) -> Figure:
    """City Top 30: the city with its province, score at the bar end."""
    figure = new_figure(height=1.2 + 0.27 * len(frame))
    axes = figure.add_subplot()
    labels = [
        f"{int(rank)}  {city}（{province}）"
        for rank, city, province in zip(
            frame["rank"], frame["city"], frame["province"], strict=True
        )
    ]
    scores = frame["score"].astype(float).tolist()
    _horizontal_bars(axes, labels, scores, BAR)
    right = max(scores) * 1.15
    axes.set_xlim(0, right)
    for position, score in enumerate(scores):
        axes.text(score + right * 0.01, position, f"{score:.1f}", va="center", fontsize=7.5)
    axes.set_title(title, loc="left")
    axes.set_xlabel("城市算力分指数得分（0–100）")
    return figure


@dataclass(frozen=True)
class OlsFit:
    """y = intercept + slope·x by ordinary least squares."""

    slope: float
    intercept: float
    r_squared: float
    n: int


def ols_fit(x: np.ndarray, y: np.ndarray) -> OlsFit:
    """Closed-form simple regression (slope = cov(x, y) / var(x))."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError("a line needs at least two distinct x values")
    dx, dy = x - x.mean(), y - y.mean()
    slope = float((dx * dy).sum() / (dx * dx).sum())
    intercept = float(y.mean() - slope * x.mean())
    residual = y - (intercept + slope * x)
    total = float((dy * dy).sum())
    r_squared = 1.0 - float((residual * residual).sum()) / total if total else 1.0
    return OlsFit(slope, intercept, r_squared, len(x))


def slope_text(fit: OlsFit) -> str:
    """The fitted line as printed on the figure and the page."""
    return (
        f"OLS 拟合：得分 = {fit.intercept:.2f} + {fit.slope:.3f} × GDP（万亿元）；"
        f"斜率 {fit.slope:.3f} 分/万亿元，R² = {fit.r_squared:.2f}，n = {fit.n}"
    )


def gdp_scatter(frame: pd.DataFrame, fit: OlsFit, title: str, note: str) -> Figure:
    """Composite score against GDP (万亿元), each province labelled, with the fitted line."""
    figure = new_figure(height=6.4, note=note)
    axes = figure.add_subplot()
    x = frame["gdp_trillion"].astype(float).to_numpy()
    y = frame["score"].astype(float).to_numpy()
    axes.scatter(x, y, s=28, color=BAR, zorder=3)
    line_x = np.linspace(0, x.max() * 1.05, 50)
    axes.plot(line_x, fit.intercept + fit.slope * line_x, color=ACCENT, linewidth=1.6, zorder=2)
    legend = axes.text(
        0.02, 0.97, slope_text(fit).replace("；", "\n"), transform=axes.transAxes,
        va="top", fontsize=9, bbox={"facecolor": "white", "edgecolor": "#cbd5e0"},
    )  # fmt: skip
    axes.set_xlim(0, x.max() * 1.08)
    axes.set_title(title, loc="left")
    axes.set_xlabel("地区生产总值（万亿元）")
    axes.set_ylabel("综合算力指数得分")
    axes.grid(color="#e2e8f0", linewidth=0.8)
    axes.set_axisbelow(True)
    place_labels(figure, axes, frame["province"].tolist(), x, y, obstacles=[legend])
    return figure


# Offsets (points) tried in turn for a point label: right, left, above, below, the diagonals,
# then the same directions further out (with a leader line back to the point).
NEAR = 5
LABEL_OFFSETS = tuple(
    (dx * reach, dy * reach)
    for reach in (1, 2.4, 3.8, 5.2)
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))
)


def _alignment(dx: float, dy: float) -> tuple[str, str]:
    horizontal = "left" if dx > 0 else "right" if dx < 0 else "center"
    vertical = "bottom" if dy > 0 else "top" if dy < 0 else "center"
    return horizontal, vertical


def text_extent(label: Text, renderer: RendererBase, pad: float = 0.0) -> Bbox:
    """The box of a label's text alone (an annotation's own extent includes its arrow)."""
    from matplotlib.text import Annotation, Text

    if isinstance(label, Annotation):
        label.update_positions(renderer)  # an annotation places its text only when drawn
    return Text.get_window_extent(label, renderer).padded(pad)


def _freeze_layout(figure: Figure) -> None:
    """Lay the figure out now, so display coordinates are final, and keep that layout: the
    labels stay out of it (`in_layout=False`), so saving need not lay it out again (a second
    pass over every artist, half a map's drawing time)."""
    engine = figure.get_layout_engine()
    if engine is None:
        return
    engine.execute(figure)
    figure.set_layout_engine("none")


def place_labels(
    figure: Figure,
    axes: Axes,
    names: list[str],
    x: np.ndarray,
    y: np.ndarray,
    obstacles: list[Artist],
    *,
    centred_first: bool = False,
    point_radius: float = 4.0,
    fontsize: float = 7.5,
    bbox: dict | None = None,
) -> list[Text]:
    """Label points without overlaps (a simple repel): each label takes the first offset whose
    text box collides with no point, no earlier label and no obstacle, nearest offsets first
    (greedy, deterministic, densest points first); a label pushed away from its point gets a
    leader line. `centred_first` tries the point itself first (a map's province label)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    renderer = FigureCanvasAgg(figure).get_renderer()
    _freeze_layout(figure)
    points = axes.transData.transform(np.column_stack([x, y]))
    radius = point_radius * figure.dpi / 72.0
    taken = [
        Bbox.from_extents(px - radius, py - radius, px + radius, py + radius)
        for px, py in points
        if radius > 0
    ]
    taken += [artist.get_window_extent(renderer) for artist in obstacles]
    frame = axes.get_window_extent(renderer)
    pad = 1.5 * figure.dpi / 72.0  # room between neighbouring labels
    crowding = [sum(np.hypot(*(points - p).T) < 40) for p in points]
    offsets = [(0.0, 0.0)] if centred_first else []
    offsets += [(dx * NEAR, dy * NEAR) for dx, dy in LABEL_OFFSETS]
    labels: list[Text] = []
    for index in sorted(range(len(names)), key=lambda i: (-crowding[i], i)):
        # A point's own dot is no obstacle to its label: the label starts beside it.
        mine = taken[index] if radius > 0 else None
        others = [box for box in taken if box is not mine]
        chosen = None
        for dx, dy in offsets:
            ha, va = _alignment(dx, dy)
            far = abs(dx) > NEAR * 1.5 or abs(dy) > NEAR * 1.5
            label = axes.annotate(
                names[index], (x[index], y[index]), xytext=(dx, dy), textcoords="offset points",
                ha=ha, va=va, fontsize=fontsize, in_layout=False, bbox=bbox, zorder=5,
                arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.6,
                            "shrinkA": 0, "shrinkB": 2} if far else None,
            )  # fmt: skip
            box = text_extent(label, renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in others):
                chosen = label
                break
            label.remove()
        if chosen is None:  # nowhere free: the first choice, overlapping rather than unlabelled
            dx, dy = offsets[0]
            ha, va = _alignment(dx, dy)
            chosen = axes.annotate(
                names[index], (x[index], y[index]), xytext=(dx, dy), textcoords="offset points",
                ha=ha, va=va, fontsize=fontsize, in_layout=False, bbox=bbox, zorder=5,
            )  # fmt: skip
        taken.append(text_extent(chosen, renderer, pad))
        labels.append(chosen)
    return labels


def _finished(figure: Figure, axes: Axes, xlabel: str, title: str) -> Figure:
    """The audit charts' common dress: vertical grid behind the bars, legend, labels."""
    axes.grid(axis="x", color="#e2e8f0", linewidth=0.8)
    axes.set_axisbelow(True)
    axes.set_xlabel(xlabel)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.set_title(title, loc="left")
    return figure


def rank_interval_chart(frame: pd.DataFrame, title: str) -> Figure:
    """The JRC's rank chart: for each unit of the nominal Top N, its P5–P95 rank interval as a
    bar, the median rank as a dot and the nominal rank as a cross (rank 1 at the left)."""
    figure = new_figure(height=1.2 + 0.3 * len(frame))
    axes = figure.add_subplot()
    positions = np.arange(len(frame))
    low, high = frame["rank_p5"].astype(float), frame["rank_p95"].astype(float)
    axes.barh(positions, high - low, left=low, height=0.5, color="#bee3f8", label="P5–P95")
    axes.scatter(frame["median_rank"], positions, color=BAR, s=22, zorder=3, label="中位排名")
    axes.scatter(
        frame["nominal_rank"], positions, color=ACCENT, marker="x", s=30, zorder=4,
        label="名义排名",
    )  # fmt: skip
    axes.set_yticks(positions, frame["province"].tolist())
    axes.invert_yaxis()
    axes.set_xlim(0.5, max(float(high.max()), float(len(frame))) + 0.5)
    return _finished(figure, axes, f"排名（{int(frame['runs'].iloc[0]):,} 次蒙特卡洛模拟）", title)


def sobol_chart(frame: pd.DataFrame, title: str, labels: dict[str, str]) -> Figure:
    """First- and total-order Sobol index of each uncertain choice, side by side."""
    figure = new_figure(height=1.4 + 0.45 * len(frame))
    axes = figure.add_subplot()
    positions = np.arange(len(frame))
    axes.barh(positions - 0.18, frame["total_order"], height=0.34, color=BAR, label="总效应")
    axes.barh(positions + 0.18, frame["first_order"], height=0.34, color=MUTED, label="一阶")
    axes.set_yticks(positions, [labels.get(factor, factor) for factor in frame["factor"]])
    axes.invert_yaxis()
    axes.set_xlim(0, max(1.0, float(frame["total_order"].max()) * 1.1))
    return _finished(figure, axes, "Sobol 指数（对综合排名平均绝对变动）", title)


# Colours of the stacked parts, in order (the primaries of a system number five at most).
PART_COLOURS = ("#2b6cb0", "#c05621", "#2f855a", "#805ad5", "#b7791f", "#718096")


def contribution_chart(frame: pd.DataFrame, title: str) -> Figure:
    """Every province's composite as stacked contributions of its primaries."""
    parts = [column for column in frame.columns if column != "province"]
    figure = new_figure(height=1.4 + 0.26 * len(frame))
    axes = figure.add_subplot()
    positions = np.arange(len(frame))
    left = np.zeros(len(frame))
    for colour, part in zip(PART_COLOURS * 2, parts, strict=False):
        values = frame[part].to_numpy(dtype=float)
        axes.barh(positions, values, left=left, height=0.7, color=colour, label=part)
        left += values
    axes.set_yticks(positions, frame["province"].tolist())
    axes.invert_yaxis()
    axes.tick_params(axis="y", length=0, labelsize=8)
    return _finished(figure, axes, "对综合指数的贡献（权重 × 得分）", title)
