"""The lines that end a run on the terminal: what happened (steps, failed checks, warnings)
and where its results are, each path shown relative to the working directory when inside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from suanli.terminal.progress import RunView

# Failed checks and warnings listed by name at most; the log file has them all.
LISTED = 10


@dataclass(frozen=True)
class Output:
    label: str
    path: Path
    note: str = ""


def shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


def _listed(title: str, items: Sequence[str]) -> list[str]:
    if not items:
        return []
    more = f" (first {LISTED}; the log has all)" if len(items) > LISTED else ""
    return [f"  {title}: {len(items)}{more}", *(f"    {item}" for item in items[:LISTED])]


def summary_lines(
    view: RunView, outputs: Sequence[Output], log: Path, cwd: Path, docs_url: str = ""
) -> list[str]:
    """Counts of the run's steps, its failures and warnings, then where each output is (and
    the docs server that serves them in a browser)."""
    blocking = [check for check in view.failed_checks if check.endswith("(blocking)")]
    warned = [check for check in view.failed_checks if check not in blocking]
    lines = [
        f"  steps: {view.done} of {view.total_steps} done, {len(view.failed_steps)} failed, "
        f"{view.skipped} skipped; checks: {view.checks} evaluated, {len(blocking)} failed, "
        f"{len(warned)} warned",
        *_listed("run failed", view.run_failures),
        *_listed("failed steps", view.failed_steps),
        *_listed("failed checks", blocking),
        *_listed("checks that warned", warned),
        *_listed("warnings", view.warnings),
    ]
    width = max(len(output.label) for output in outputs)
    for output in outputs:
        state = output.note or ("" if output.path.exists() else "(not written)")
        lines.append(f"  {output.label:<{width}}  {shown(output.path, cwd)} {state}".rstrip())
    lines.append(f"  {'full log':<{width}}  {shown(log, cwd)}")
    if docs_url:
        lines.append(f"  {'browse':<{width}}  `make docs`, then {docs_url}/")
    return lines
