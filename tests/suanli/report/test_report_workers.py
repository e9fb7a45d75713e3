"""Charts drawn by worker processes: the same PNG as the build's own process would draw, in
page order whichever worker finishes first, a chart failing in a worker fails the build
before the page is written, and a worker never finalises what its parent left to collect.
The drawing modules may be loaded beforehand on a thread (while dbt builds): the workers are
forked only once it is done."""

from __future__ import annotations

import gc
import os
import threading
import time
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from suanli.report import build_report, charts, find_cjk_font
from suanli.report import builder as builder_module
from suanli.report.builder import Builder, chart_workers, preload_drawing
from suanli.report.fonts import cjk_style


def broken_chart(*args: object, **kwargs: object) -> None:
    """A figure function that fails (module level: a worker finds it by name)."""
    raise ValueError("no figure for you")


def test_a_worker_draws_the_bytes_the_build_process_would(
    top10: pd.DataFrame, tmp_path: Path
) -> None:
    font = find_cjk_font()
    figures = {
        "composite_top10": partial(charts.top_bar, top10, "2025年 综合算力指数 Top 10"),
        "city_bar": partial(charts.city_bar, top10.assign(city=top10["province"]), "城市"),
    }
    with chart_workers(2) as pool:
        builder = Builder(tmp_path / "pool", pool, font)
        blocks = [builder.chart(key, key, figure, top10) for key, figure in figures.items()]
        builder.wait()
    assert [block.src for block in blocks] == [f"charts/{key}.png" for key in figures]
    assert [chart.key for chart in builder.charts] == list(figures)
    for key, figure in figures.items():
        with cjk_style(font):
            here = charts.save_png(figure(), tmp_path / "here" / f"{key}.png")
        assert (tmp_path / "pool" / "charts" / f"{key}.png").read_bytes() == here.read_bytes()


def test_a_chart_failing_in_a_worker_is_raised(top10: pd.DataFrame, tmp_path: Path) -> None:
    with chart_workers(2) as pool:
        builder = Builder(tmp_path, pool, find_cjk_font())
        builder.chart("good", "good", partial(charts.top_bar, top10, "good"), top10)
        builder.chart("broken", "broken", broken_chart, top10)
        with pytest.raises(ValueError, match="no figure for you"):
            builder.wait()


def test_a_failed_chart_fails_the_build_before_the_page(
    marts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(charts, "top_bar", broken_chart)  # the workers are forked: they see it
    with pytest.raises(ValueError, match="no figure for you"):
        build_report(marts, tmp_path)
    assert not (tmp_path / "index.html").exists()


class Finalised:
    """Part of a reference cycle: says in `log` which process ran its finaliser."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.cycle = self

    def __del__(self) -> None:
        with self.log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")


def collect_garbage() -> int:
    return gc.collect()


def test_a_worker_never_finalises_the_garbage_of_the_process_that_forked_it(
    tmp_path: Path,
) -> None:
    """An inherited object holding a connection or a lock crashed a worker that finalised it."""
    log = tmp_path / "finalised"
    gc.disable()  # the cycle is still uncollected when the workers are forked
    try:
        Finalised(log)
        with chart_workers(2) as pool:
            for _ in range(4):  # the workers collect their garbage
                pool.submit(collect_garbage).result()
    finally:
        gc.enable()
    gc.collect()
    assert log.read_text().split() == [str(os.getpid())]


def test_drawing_preloaded_on_a_thread_is_loaded_before_the_workers_fork(
    top10: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[tuple[str, float, float]] = []  # (thread, started, ended) of each load
    load_drawing = builder_module._load_drawing

    def slow_load() -> None:  # a preload still under way when the report's step begins
        started = time.monotonic()
        if threading.current_thread().name == "drawing-preload":
            time.sleep(0.5)
        load_drawing()
        loads.append((threading.current_thread().name, started, time.monotonic()))

    monkeypatch.setattr(builder_module, "_preloading", [])
    monkeypatch.setattr(builder_module, "_load_drawing", slow_load)
    preload_drawing()
    preload_drawing()  # once per process
    with chart_workers(2) as pool:
        (preloaded, _, preload_ended), (_, own_started, _) = loads
        assert preloaded == "drawing-preload" and own_started >= preload_ended  # it waited
        builder = Builder(tmp_path, pool, find_cjk_font())
        builder.chart("top", "top", partial(charts.top_bar, top10, "top"), top10)
        builder.wait()
    assert (tmp_path / "charts" / "top.png").stat().st_size > 0


def test_what_the_preload_met_is_raised_by_the_report_not_the_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(builder_module, "_preloading", [])
    monkeypatch.setattr(builder_module, "DRAWING_MODULES", ("suanli_no_such_module",))
    preload_drawing()  # the thread keeps quiet: the dbt step it runs beside is not at fault
    builder_module._preloading[0].join()
    with pytest.raises(ModuleNotFoundError, match="suanli_no_such_module"), chart_workers(2):
        pass
