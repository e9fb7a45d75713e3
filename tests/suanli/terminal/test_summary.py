"""The lines that end a run: counts, what failed, and where every output is."""

from __future__ import annotations

import io
from pathlib import Path

from suanli.terminal.progress import Kind, RunView, StepNews
from suanli.terminal.summary import LISTED, Output, summary_lines


def test_the_summary_counts_names_what_failed_and_says_where_outputs_are(tmp_path: Path) -> None:
    view = RunView(out=io.StringIO(), total_steps=4)
    for step in ("raw__patents", "dbt_models"):
        view.note(StepNews(Kind.START, step))
        view.note(StepNews(Kind.CHECK, step))
    view.note(StepNews(Kind.SUCCESS, "raw__patents"))
    view.note(StepNews(Kind.FAILURE, "dbt_models", "dbt build failed"))
    view.note(StepNews(Kind.SKIPPED, "published__marts", "a step it reads failed"))
    for n in range(LISTED + 2):
        view.note(StepNews(Kind.CHECK_FAILED, "gx_models", f"check_{n} on marts/x (warn)"))
    view.note(StepNews(Kind.CHECK_FAILED, "gx_models", "complete on marts/x (blocking)"))
    (tmp_path / "data").mkdir()
    report = tmp_path / "data" / "index.html"
    report.write_text("<html>", encoding="utf-8")
    outputs = [
        Output("report", report),
        Output("BI file", tmp_path / "marts.duckdb", "(not published by this run)"),
        Output("workbook", tmp_path / "data" / "marts.xlsx"),
    ]

    lines = summary_lines(
        view, outputs, tmp_path / "logs" / "run.log", tmp_path, "http://127.0.0.1:8080"
    )

    assert lines[0] == (
        "  steps: 3 of 4 done, 1 failed, 1 skipped; checks: 2 evaluated, 1 failed, 12 warned"
    )
    assert lines[1:5] == [
        "  failed steps: 1",
        "    dbt_models: dbt build failed",
        "  failed checks: 1",
        "    complete on marts/x (blocking)",
    ]
    assert lines[5] == f"  checks that warned: {LISTED + 2} (first {LISTED}; the log has all)"
    assert lines[6] == "    check_0 on marts/x (warn)"
    assert lines[-5:] == [
        "  report    data/index.html",
        "  BI file   marts.duckdb (not published by this run)",
        "  workbook  data/marts.xlsx (not written)",
        "  full log  logs/run.log",
        "  browse    `make docs`, then http://127.0.0.1:8080/",
    ]
