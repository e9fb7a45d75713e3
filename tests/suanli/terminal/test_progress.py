"""The run's terminal view: a line per finished step, a live status line with a bar where a
step has parts, failures, failed checks and warnings collected for the summary."""

from __future__ import annotations

import io

from suanli.terminal.progress import Kind, RunView, StepNews, clock_text, counted, one_line


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def view_with(clock: Clock, live: bool = False) -> tuple[RunView, io.StringIO]:
    out = io.StringIO()
    return RunView(out=out, total_steps=3, parts={"dbt_models": 4}, live=live, clock=clock), out


def test_each_finished_step_is_one_line_with_its_time_and_what_it_reported() -> None:
    clock = Clock()
    view, out = view_with(clock)
    view.note(StepNews(Kind.START, "raw__compute_centres"))
    clock.now += 1.5
    view.note(StepNews(Kind.PART, "raw__compute_centres"))
    view.note(StepNews(Kind.PART, "raw__compute_centres"))
    view.note(StepNews(Kind.CHECK, "raw__compute_centres"))
    view.note(StepNews(Kind.SUCCESS, "raw__compute_centres"))

    (line,) = out.getvalue().splitlines()
    assert line.startswith("[ 1/3]  0:01  ✓ raw/compute_centres ")
    assert line.endswith("1.5 s  2 outputs · 1 check")
    assert view.succeeded == ["raw__compute_centres"] and view.checks == 1


def test_failed_and_skipped_steps_say_so_and_failures_are_kept_for_the_summary() -> None:
    clock = Clock()
    view, out = view_with(clock)
    view.note(StepNews(Kind.START, "dbt_models"))
    view.note(StepNews(Kind.FAILURE, "dbt_models", "dbt build failed\nTraceback …"))
    view.note(StepNews(Kind.SKIPPED, "published__marts"))

    failed, detail, skipped = out.getvalue().splitlines()
    assert "✗ dbt_models" in failed and failed.endswith("FAILED: dbt build failed")
    assert detail == " " * 18 + "Traceback …"
    assert "– published/marts" in skipped and "skipped" in skipped
    assert view.failed_steps == ["dbt_models: dbt build failed"]
    assert (view.done, view.skipped) == (2, 1)


def test_failed_checks_and_warnings_are_printed_under_their_step_and_collected() -> None:
    view, out = view_with(Clock())
    view.note(StepNews(Kind.CHECK_FAILED, "gx_models", "node_coherence on marts/x (warn)"))
    view.note(StepNews(Kind.CHECK_FAILED, "gx_models", "scores_complete on marts/x (blocking)"))
    view.note(StepNews(Kind.WARNING, "dbt_models", "something odd\nsecond line"))

    assert out.getvalue().splitlines() == [
        " " * 16 + "! check node_coherence on marts/x (warn)",
        " " * 16 + "✗ check scores_complete on marts/x (blocking)",
        " " * 16 + "! dbt_models: something odd",
    ]
    assert view.failed_checks == [
        "node_coherence on marts/x (warn)",
        "scores_complete on marts/x (blocking)",
    ]
    assert view.warnings == ["dbt_models: something odd"]


def test_the_live_line_shows_the_step_at_work_with_a_bar_of_its_parts() -> None:
    clock = Clock()
    view, out = view_with(clock, live=True)
    view.note(StepNews(Kind.START, "dbt_models"))
    view.note(StepNews(Kind.PART, "dbt_models"))
    view.note(StepNews(Kind.CHECK, "dbt_models"))
    clock.now += 75

    assert view.status() == "[ 0/3]  1:15  … dbt_models ▕" + "█" * 12 + "░" * 12 + "▏ 2/4"
    # redrawn in place: a carriage return and erase-line before each drawing, no newline
    assert "\n" not in out.getvalue() and out.getvalue().count("\r\x1b[K") == 3


def test_a_step_holding_its_events_back_moves_its_bar_by_saying_how_far_it_is() -> None:
    view, _ = view_with(Clock(), live=True)
    view.note(StepNews(Kind.START, "dbt_models"))
    view.note(StepNews(Kind.PROGRESS, "dbt_models", "3"))
    assert view.status().endswith("▏ 3/4")
    for _ in range(4):  # the held events, once the step lets them go
        view.note(StepNews(Kind.PART, "dbt_models"))
    assert view.status().endswith("▏ 4/4")


def test_a_finished_step_line_replaces_the_live_line_which_comes_back_below_it() -> None:
    view, out = view_with(Clock(), live=True)
    view.note(StepNews(Kind.START, "index_definitions"))
    view.note(StepNews(Kind.SUCCESS, "index_definitions"))
    view.close()

    text = out.getvalue()
    assert text.endswith("\r\x1b[K")  # closing erases the live line
    printed = text.replace("\r\x1b[K", "\n").split("\n")
    assert any(line.startswith("[ 1/3]") and "✓ index_definitions" in line for line in printed)


def test_a_view_not_on_a_terminal_never_draws_the_live_line() -> None:
    view, out = view_with(Clock(), live=False)
    view.note(StepNews(Kind.START, "dbt_models"))
    view.note(StepNews(Kind.PART, "dbt_models"))
    view.tick()
    assert out.getvalue() == ""


def test_small_wording_helpers() -> None:
    assert clock_text(3725) == "62:05"
    assert counted(1, 0) == "1 output" and counted(0, 2) == "2 checks" and counted(0, 0) == ""
    assert one_line("x" * 200) == "x" * 159 + "…"
    assert one_line("") == ""


def test_a_run_failure_outside_the_steps_is_printed_once_in_full_and_notes_pass_through() -> None:
    view, out = view_with(Clock())
    path = "/tmp/" + "x" * 200 + "/suanli.duckdb"
    view.note(StepNews(Kind.NOTE, None, f"waiting for warehouse {path}: in use by process 7"))
    for _ in range(2):  # Dagster says it twice: resources failed, then the run failed
        view.note(StepNews(Kind.FAILURE, None, f"WarehouseBusy: {path} is in use\ntraceback"))

    assert out.getvalue().splitlines() == [
        " " * 16 + f"… waiting for warehouse {path}: in use by process 7",
        " " * 16 + f"✗ run FAILED: WarehouseBusy: {path} is in use",
        " " * 18 + "traceback",
    ]
    assert view.run_failures == [f"WarehouseBusy: {path} is in use"] and view.done == 0
