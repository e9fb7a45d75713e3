"""A run's output goes to its log file — Python's, a subprocess's, and stderr alike — while
the terminal keeps a stream of its own; the newest log is always `<what>_latest.log`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import subprocess, sys
from pathlib import Path
from suanli.terminal.capture import output_to, stderr_to

log = Path(sys.argv[1])
print("before")
with output_to(log) as terminal:
    print("dagster says")
    print("a warning", file=sys.stderr)
    subprocess.run([sys.executable, "-c", "import os; os.write(1, b'dbt says\\\\n')"])
    terminal.write("[ 1/1] done\\n")
print("after")
stderr_to(log)
print("at exit", file=sys.stderr)
"""


def test_what_a_run_prints_goes_to_the_log_and_the_terminal_sees_only_its_own_lines(
    tmp_path: Path,
) -> None:
    log = tmp_path / "run.log"
    shown = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)], capture_output=True, text=True, check=True
    )
    assert shown.stdout.splitlines() == ["before", "[ 1/1] done", "after"]
    assert shown.stderr == ""
    assert log.read_text(encoding="utf-8").splitlines() == [
        "dagster says",
        "a warning",
        "dbt says",
        "at exit",
    ]


def test_each_log_is_new_and_the_latest_link_points_at_the_newest(tmp_path: Path) -> None:
    from suanli.terminal.capture import new_log_path

    latest = tmp_path / "logs" / "materialize_latest.log"
    first = new_log_path(latest)
    first.write_text("one", encoding="utf-8")
    second = new_log_path(latest)
    second.write_text("two", encoding="utf-8")

    assert first != second and first.name.startswith("materialize_2")
    assert latest.is_symlink() and latest.read_text(encoding="utf-8") == "two"
