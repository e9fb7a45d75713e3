"""What a person sees while a run goes: a line per finished step and, on a terminal, a live
line below them (steps done of all, elapsed time, the step at work, and a bar where the step
reports its parts, as dbt's build does table by table).

Pure: the view learns of the run from `StepNews` (`suanli.terminal.news` makes them from
Dagster's events) and writes to any text stream, so it is tested on its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TextIO

BAR_WIDTH = 24
# A warning or failure longer than this is cut on the terminal (the log file has it whole).
LINE_LIMIT = 160
# A failure is printed whole, up to this many lines after its first.
FAILURE_LINES = 12


class Kind(Enum):
    START = "start"
    SUCCESS = "success"
    FAILURE = "failure"
    SKIPPED = "skipped"
    PART = "part"  # one of a step's outputs is done
    CHECK = "check"  # one of a step's checks is evaluated (a part too)
    PROGRESS = "progress"  # a step says how many of its parts are done (text: the number)
    CHECK_FAILED = "check_failed"
    WARNING = "warning"
    NOTE = "note"  # what a person should know while waiting (a resource's word: the lock)


@dataclass(frozen=True)
class StepNews:
    kind: Kind
    step: str | None
    text: str = ""


def step_label(step: str) -> str:
    """`raw__compute_centres` → `raw/compute_centres`: the asset key as the UI writes it."""
    return step.replace("__", "/")


def clock_text(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"


def counted(outputs: int, checks: int) -> str:
    """`1 output · 3 checks`: what a step reported (an output is an asset or a partition)."""
    parts = [f"{outputs} output{'s' * (outputs != 1)}"] if outputs else []
    parts += [f"{checks} check{'s' * (checks != 1)}"] if checks else []
    return " · ".join(parts)


def first_line(text: str) -> str:
    """A failure's first line, whole: what failed must be readable in full."""
    return text.strip().splitlines()[0] if text.strip() else ""


def one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= LINE_LIMIT else first[: LINE_LIMIT - 1] + "…"


@dataclass
class RunView:
    """Writes a run's progress to `out`; `live` redraws a status line (for a terminal)."""

    out: TextIO
    total_steps: int
    parts: Mapping[str, int] = field(default_factory=dict)  # step → outputs + checks expected
    live: bool = False
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)
    done: int = field(init=False, default=0)
    current: dict[str, int] = field(init=False, default_factory=dict)  # running step → parts done
    succeeded: list[str] = field(init=False, default_factory=list)
    skipped: int = field(init=False, default=0)
    checks: int = field(init=False, default=0)
    failed_steps: list[str] = field(init=False, default_factory=list)
    run_failures: list[str] = field(init=False, default_factory=list)
    failed_checks: list[str] = field(init=False, default_factory=list)
    warnings: list[str] = field(init=False, default_factory=list)
    _step_started: dict[str, float] = field(init=False, default_factory=dict)
    _step_checks: dict[str, int] = field(init=False, default_factory=dict)
    _reported: dict[str, int] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _status_shown: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def note(self, news: StepNews) -> None:
        with self._lock:
            self._note(news)
            self._draw_status()

    def _note(self, news: StepNews) -> None:
        step = news.step or ""
        if news.kind is Kind.FAILURE and not step:
            # The run failed outside any step (a resource could not start): said once, whole.
            if first_line(news.text) not in self.run_failures:
                self.run_failures.append(first_line(news.text))
                self._write(f"{'':16}✗ run FAILED: {first_line(news.text)}")
                self._rest_of(news.text)
            return
        if news.kind is Kind.NOTE:
            self._write(f"{'':16}… {first_line(news.text)}")
            return
        if news.kind is Kind.START:
            self.current[step] = 0
            self._step_started[step] = self.clock()
        elif news.kind is Kind.PROGRESS:
            self._reported[step] = int(news.text)
        elif news.kind in (Kind.PART, Kind.CHECK):
            self.current[step] = self.current.get(step, 0) + 1
            if news.kind is Kind.CHECK:
                self.checks += 1
                self._step_checks[step] = self._step_checks.get(step, 0) + 1
        elif news.kind in (Kind.SUCCESS, Kind.FAILURE, Kind.SKIPPED):
            self.done += 1
            self._reported.pop(step, None)
            checks = self._step_checks.pop(step, 0)
            outputs = self.current.pop(step, 0) - checks
            seconds = self.clock() - self._step_started.pop(step, self.clock())
            if news.kind is Kind.SUCCESS:
                self.succeeded.append(step)
                self._line("✓", step, f"{seconds:5.1f} s  " + counted(outputs, checks))
            elif news.kind is Kind.SKIPPED:
                self.skipped += 1
                self._line("–", step, "skipped: " + (news.text or "nothing upstream to use"))
            else:
                self.failed_steps.append(f"{step_label(step)}: {first_line(news.text)}")
                self._line("✗", step, "FAILED: " + first_line(news.text))
                self._rest_of(news.text)
        elif news.kind is Kind.CHECK_FAILED:
            self.failed_checks.append(one_line(news.text))
            mark = "✗" if news.text.endswith("(blocking)") else "!"  # a warning stops nothing
            self._write(f"{'':16}{mark} check {one_line(news.text)}")
        elif news.kind is Kind.WARNING:
            where = f"{step_label(step)}: " if step else ""
            self.warnings.append(where + one_line(news.text))
            self._write(f"{'':16}! {where}{one_line(news.text)}")

    def _rest_of(self, failure: str) -> None:
        """A failure's lines after its first, indented under it (at most FAILURE_LINES)."""
        rest = [line for line in failure.strip().splitlines()[1:] if line.strip()]
        for line in rest[:FAILURE_LINES]:
            self._write(f"{'':18}{line.strip()}")
        if len(rest) > FAILURE_LINES:
            self._write(f"{'':18}… (the log has the rest)")

    def _line(self, mark: str, step: str, detail: str) -> None:
        elapsed = clock_text(self.clock() - self.started)
        self._write(
            f"[{self.done:>2}/{self.total_steps}] {elapsed:>5}  {mark} {step_label(step):<36} "
            + detail
        )

    def _write(self, line: str) -> None:
        self._clear_status()
        self.out.write(line + "\n")
        self.out.flush()

    def status(self) -> str:
        """The live line: steps done, elapsed, the step at work with its bar when it has parts."""
        elapsed = clock_text(self.clock() - self.started)
        head = f"[{self.done:>2}/{self.total_steps}] {elapsed:>5}"
        if not self.current:
            return head
        step, parts_done = next(iter(self.current.items()))
        parts_done = max(parts_done, self._reported.get(step, 0))
        expected = self.parts.get(step, 0)
        if expected > 1:
            filled = min(BAR_WIDTH, round(BAR_WIDTH * parts_done / expected))
            bar = "█" * filled + "░" * (BAR_WIDTH - filled)
            return f"{head}  … {step_label(step)} ▕{bar}▏ {min(parts_done, expected)}/{expected}"
        return f"{head}  … {step_label(step)}"

    def tick(self) -> None:
        """Redraw the live line (the elapsed time moves while a step works)."""
        with self._lock:
            self._draw_status()

    def _draw_status(self) -> None:
        if self.live:
            self.out.write("\r\x1b[K" + self.status())
            self.out.flush()
            self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self.out.write("\r\x1b[K")
            self._status_shown = False

    def close(self) -> None:
        with self._lock:
            self._clear_status()
            self.out.flush()


class Ticker:
    """Redraws a live view every `interval` seconds until stopped."""

    def __init__(self, view: RunView, interval: float = 0.5) -> None:
        self._view = view
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Ticker:
        if self._view.live:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._view.tick()
