"""A command ends as the interpreter would end it, its status, messages, threads, `atexit`
functions and buffered output all as usual, but without the interpreter's finalisation: an
object still alive at the end is not taken down."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import atexit, sys, threading, time
from suanli.ending import run_then_exit

class Held:
    def __del__(self):
        print("finalised", flush=True)

held = Held()  # alive until the interpreter's finalisation, which is skipped
atexit.register(lambda: print("atexit ran"))
"""


def ended(body: str) -> subprocess.CompletedProcess[str]:
    """A script of PRELUDE then `body` (which calls run_then_exit), its output piped."""
    script = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


def test_a_command_that_returns_exits_0_its_output_threads_and_atexit_done() -> None:
    done = ended("""
        def command():
            threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
            sys.stdout.write("buffered, never flushed by the command\\n")
        run_then_exit(command)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "buffered, never flushed by the command",
        "thread done",  # a non-daemon thread is joined before atexit's functions run
        "atexit ran",
    ]
    assert "finalised" not in done.stdout


@pytest.mark.parametrize(
    ("exit_call", "status", "message"),
    [
        ("sys.exit(3)", 3, ""),
        ("sys.exit()", 0, ""),
        ("sys.exit('no deliveries')", 1, "no deliveries"),
    ],
)
def test_sys_exit_gives_its_status_or_prints_its_message(
    exit_call: str, status: int, message: str
) -> None:
    done = ended(f"run_then_exit(lambda: {exit_call})")
    assert done.returncode == status
    assert done.stderr.strip() == message
    assert done.stdout.splitlines() == ["atexit ran"]


def test_an_exception_prints_its_traceback_and_exits_1() -> None:
    done = ended("""
        def command():
            raise ValueError("row 4, column racks_in_use")
        run_then_exit(command)
    """)
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert done.stderr.strip().endswith("ValueError: row 4, column racks_in_use")
    assert done.stdout.splitlines() == ["atexit ran"]


def test_an_interrupt_prints_its_traceback_and_dies_by_sigint() -> None:
    done = ended("""
        def command():
            raise KeyboardInterrupt
        run_then_exit(command)
    """)
    assert done.returncode == -signal.SIGINT
    assert done.stderr.strip().endswith("KeyboardInterrupt")
    assert done.stdout.splitlines() == ["atexit ran"]


def test_the_command_line_ends_so() -> None:
    """`python -m suanli.cli` (a usage error: no Dagster imported) keeps argparse's status."""
    done = subprocess.run(
        [sys.executable, "-m", "suanli.cli", "top10", "--no-such-option"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unrecognized arguments: --no-such-option" in done.stderr
