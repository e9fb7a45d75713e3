"""What `make run` shows a person on a clean run: a line per step and a summary, under 150
lines with the Top 10 and make's own lines; everything else is in the log file it names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[3]
STEP_LINE = re.compile(r"^\[\s*(\d+)/(\d+)\]\s+\d+:\d\d  ✓ ")


def make_lines() -> int:
    """At most the lines make itself prints for `make run` (`-n` prints silent lines too)."""
    planned = subprocess.run(
        ["make", "-n", "run"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return len(planned.stdout.splitlines())


def test_a_clean_run_prints_steps_and_a_summary_in_under_150_lines(env, first_run, cli) -> None:
    printed = (first_run.stdout + first_run.stderr).splitlines()
    top10 = cli(env, "top10")
    assert top10.returncode == 0, top10.stderr

    assert len(printed) + len(top10.stdout.splitlines()) + make_lines() < 150, printed
    steps = [STEP_LINE.match(line) for line in printed]
    done = [int(match.group(1)) for match in steps if match]
    total = {int(match.group(2)) for match in steps if match}
    assert len(total) == 1 and done == list(range(1, total.pop() + 1)), printed
    assert not any("DEBUG" in line or "\x1b[" in line for line in printed)
    assert not any(" WARNING " in line or "BetaWarning" in line for line in printed)
    ended = next(n for n, line in enumerate(printed) if "succeeded in" in line)
    summary = "\n".join(printed[ended:])
    for label in ("steps:", "warehouse", "BI file", "(published by this run)", "report",
                  "workbook", "Data Docs", "full log"):  # fmt: skip
        assert label in summary, summary


def test_the_full_log_is_in_the_file_the_summary_names(env, first_run) -> None:
    (named,) = [line.split()[-1] for line in first_run.stdout.splitlines() if "full log" in line]
    log = Path(env["SUANLI_LOG_DIR"]) / Path(named).name
    text = log.read_text(encoding="utf-8")
    assert " - DEBUG - " in text  # Dagster's whole log
    assert re.search(r"\d+ of \d+ OK created sql table model marts\.", text)  # dbt's lines
    assert "STEP_SUCCESS" in text and "RUN_SUCCESS" in text
    latest = Path(env["SUANLI_LOG_DIR"]) / "materialize_latest.log"
    assert latest.read_text(encoding="utf-8") == text  # (a copy of the run: a file, not a link)
