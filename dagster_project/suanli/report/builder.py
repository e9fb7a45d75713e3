"""What a report build collects: each chart's PNG, title and data, in page order; the charts
are drawn by worker processes while the build goes on querying, writing the page and its fonts,
all but those already in place from the folder's last build (`suanli.report.drawn`).

Drawing is most of a build's work, and matplotlib draws on one core: a worker per core puts
them all to it. The workers are forked, with matplotlib and the chart modules imported first,
so they start at once. Not spawned, nor from a fork server: such a child imports the parent's
`__main__` again (`python -m suanli.cli`: the whole pipeline, seconds per worker). A forked
child gets only the forking thread; it draws and writes files, touching nothing the build's
other threads (DuckDB's, Dagster's) might hold. Nor what the parent left for its garbage
collector: collected in a child, an object holding such a resource (a database connection, a
thread's lock) ran its finaliser there and crashed the worker. The parent collects its garbage
and freezes what remains (`gc.freeze`) while it forks, so a worker's collector never sees it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from suanli.report import charts, choropleth
from suanli.report.drawn import DrawnCharts
from suanli.report.fonts import CjkFont, cjk_style
from suanli.report.page import FigureBlock

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHART_DIR = "charts"
# A chart to draw: a picklable call that makes its figure, e.g. functools.partial of a
# function of `charts` or `choropleth` with its data (a worker process calls it).
FigureFactory = Callable[[], "Figure"]
# What every chart needs, imported before the workers are forked: once, not once per worker.
DRAWING_MODULES = (
    "matplotlib.backends.backend_agg", "matplotlib.figure", "PIL.PngImagePlugin",
    "shapely.geometry",
)  # fmt: skip


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    path: Path


def worker_count() -> int:
    """The cores this process may run on (its CPU affinity, where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _load_drawing() -> None:
    for module in DRAWING_MODULES:
        importlib.import_module(module)
    choropleth.load_boundaries()


def _preload() -> None:
    with contextlib.suppress(Exception):  # chart_workers raises it, in the report's step
        _load_drawing()


_preloading: list[threading.Thread] = []


def preload_drawing() -> None:
    """Load the drawing modules and the map outlines on a thread of their own, once per
    process: the dbt step, which calls this for a run that draws the report, waits on dbt, so
    the half second they take passes then instead of in the report's step."""
    if not _preloading:
        _preloading.append(threading.Thread(target=_preload, name="drawing-preload"))
        _preloading[0].start()


@contextmanager
def chart_workers(workers: int | None = None) -> Iterator[Executor]:
    """A pool of chart-drawing processes (default: one per core), forked with the drawing
    modules and the map outlines loaded; left, it cancels what has not started (a failed
    build stops drawing)."""
    for thread in _preloading:  # no fork while a module is half imported
        thread.join()
    _load_drawing()  # (at once when preloaded; raises what the preload met)
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers or worker_count(), mp_context=context)
    try:
        _fork_workers(pool)
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _fork_workers(pool: ProcessPoolExecutor) -> None:
    """Fork every worker of `pool` now (a fork context forks them all at the first task), with
    this process's objects out of their garbage collector's reach."""
    # Frozen already (a fork server's imports, suanli.zygote): unfrozen, they would be copied
    # into this process by its next collection; so what is frozen here stays frozen too.
    frozen_already = gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    try:
        pool.submit(int)
    finally:
        if not frozen_already:
            gc.unfreeze()


def draw_chart(figure: FigureFactory, path: Path, font: CjkFont) -> None:
    """Make the figure and write its PNG (in a worker process)."""
    with cjk_style(font):
        charts.save_png(figure(), path)


class Builder:
    """Collects charts in page order and hands each to `pool` to draw, unless `drawn` has it
    in place already; `wait` returns once every PNG is written (or raises the first chart's
    failure)."""

    def __init__(
        self, out_dir: Path, pool: Executor, font: CjkFont, drawn: DrawnCharts | None = None
    ) -> None:
        self.out_dir = out_dir
        self.pool = pool
        self.font = font
        self.drawn = drawn
        self.charts: list[Chart] = []
        self.data: dict[str, pd.DataFrame] = {}
        self.axis_max: dict[str, float] = {}  # system → the score axis of its charts
        self._drawing: list[Future[None]] = []

    def chart(
        self, key: str, title: str, figure: FigureFactory, frame: pd.DataFrame
    ) -> FigureBlock:
        path = self.out_dir / CHART_DIR / f"{key}.png"
        if self.drawn is None or not self.drawn.keep(key, figure):
            self._drawing.append(self.pool.submit(draw_chart, figure, path, self.font))
        self.charts.append(Chart(key, title, path))
        self.data[key] = frame
        return FigureBlock(f"{CHART_DIR}/{key}.png", title)

    def wait(self) -> None:
        for drawing in self._drawing:
            drawing.result()
