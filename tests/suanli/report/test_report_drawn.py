"""A report folder keeps the charts of its last build that would be drawn from the same data by
the same code, fonts and libraries: only the others are drawn again, and the folder then holds
the same files as a build from scratch."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from suanli.report import build_report, charts, find_cjk_font
from suanli.report.builder import CHART_DIR, Builder, chart_workers
from suanli.report.drawn import DrawnCharts


def pngs(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((out / CHART_DIR).glob("*.png"))}


def draw(out: Path, figures: dict[str, partial], context: str = "context") -> list[str]:
    """The charts `figures` built into `out` as a report build does; the names drawn."""
    drawn = DrawnCharts(out / CHART_DIR, context)
    with chart_workers(1) as pool:
        builder = Builder(out, pool, find_cjk_font(), drawn)
        for name, figure in figures.items():
            builder.chart(name, name, figure, pd.DataFrame())
        builder.wait()
    drawn.save()
    return drawn.drawn


def test_a_second_build_of_the_same_marts_draws_nothing_but_what_changed_on_disk(
    marts: Path, tmp_path: Path
) -> None:
    first = build_report(marts, tmp_path)
    assert list(first.drawn) == [chart.key for chart in first.charts]
    charts_before, page_before = pngs(tmp_path), first.html.read_bytes()
    second = build_report(marts, tmp_path)
    assert second.drawn == ()
    assert pngs(tmp_path) == charts_before
    assert second.html.read_bytes() == page_before
    (tmp_path / CHART_DIR / "composite_top10.png").write_bytes(b"edited by hand")
    (tmp_path / CHART_DIR / "composite_map.png").unlink()
    third = build_report(marts, tmp_path)
    assert sorted(third.drawn) == ["composite_map", "composite_top10"]
    assert pngs(tmp_path) == charts_before


def test_only_the_chart_whose_data_changed_is_drawn_again(
    top10: pd.DataFrame, tmp_path: Path
) -> None:
    moved = top10.copy()
    moved.loc[moved.index[0], "score"] += 0.5
    first = {
        "scores": partial(charts.top_bar, top10, "综合算力指数 Top 10"),
        "same": partial(charts.top_bar, top10.head(5), "前五"),
    }
    assert draw(tmp_path / "kept", first) == ["scores", "same"]
    kept_before = pngs(tmp_path / "kept")
    second = {**first, "scores": partial(charts.top_bar, moved, "综合算力指数 Top 10")}
    assert draw(tmp_path / "kept", second) == ["scores"]
    assert draw(tmp_path / "scratch", second) == ["scores", "same"]
    assert pngs(tmp_path / "kept") == pngs(tmp_path / "scratch")
    assert pngs(tmp_path / "kept")["same.png"] == kept_before["same.png"]
    assert pngs(tmp_path / "kept")["scores.png"] != kept_before["scores.png"]


def test_a_changed_drawing_context_draws_every_chart_again(
    top10: pd.DataFrame, tmp_path: Path
) -> None:
    figures = {"scores": partial(charts.top_bar, top10, "综合算力指数 Top 10")}
    assert draw(tmp_path, figures, context="matplotlib 3.10") == ["scores"]
    assert draw(tmp_path, figures, context="matplotlib 3.10") == []
    assert draw(tmp_path, figures, context="matplotlib 3.11") == ["scores"]


def test_a_chart_no_longer_shown_is_removed_and_the_record_is_of_the_last_build(
    top10: pd.DataFrame, tmp_path: Path
) -> None:
    both = {
        "scores": partial(charts.top_bar, top10, "综合算力指数 Top 10"),
        "gone": partial(charts.top_bar, top10.head(3), "前三"),
    }
    draw(tmp_path, both)
    assert draw(tmp_path, {"scores": both["scores"]}) == []
    assert list(pngs(tmp_path)) == ["scores.png"]
    assert list(DrawnCharts(tmp_path / CHART_DIR, "context").earlier) == ["scores"]
