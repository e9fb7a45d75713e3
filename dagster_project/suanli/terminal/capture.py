"""Send a run's whole output to its log file: Dagster's log, dbt's lines, warnings, and what
subprocesses (dbt, Chromium) print, by pointing file descriptors 1 and 2 at the file. The
terminal keeps one stream of its own, for the progress view and the summary."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO


def new_log_path(latest: Path) -> Path:
    """A new log file beside `latest` (`<what>_latest.log`), named `<what>_<UTC time>.log`,
    with `latest` made a link to it."""
    latest.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S_%fZ")
    path = latest.with_name(latest.name.replace("latest", stamp))
    latest.unlink(missing_ok=True)
    latest.symlink_to(path.name)
    return path


@contextmanager
def output_to(log: Path) -> Iterator[TextIO]:
    """Within the block, everything this process and its children write to stdout and stderr
    is appended to `log`; yields a stream to where stdout went before (the terminal)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    terminal = os.fdopen(os.dup(saved[1]), "w", encoding="utf-8", buffering=1)
    with log.open("ab") as handle:
        for fd in saved:
            os.dup2(handle.fileno(), fd)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            terminal.close()


def stderr_to(log: Path) -> None:
    """From now on, this process's stderr goes to `log`: what the interpreter prints as it
    exits (DuckDB's binding reports objects still alive then) is for the log, not the reader."""
    sys.stderr.flush()
    with log.open("ab") as handle:
        os.dup2(handle.fileno(), 2)
