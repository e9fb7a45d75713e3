"""The code base stays ruff- and sqlfluff-clean (the style guide is enforced, not hoped for)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from suanli.settings import DBT_PROJECT_DIR, REPO_ROOT

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("command", "cwd"),
    [
        ([str(BIN / "ruff"), "check", "dagster_project", "tools", "tests"], REPO_ROOT),
        ([str(BIN / "ruff"), "format", "--check", "dagster_project", "tools", "tests"], REPO_ROOT),
        ([str(BIN / "sqlfluff"), "lint", "models", "tests"], DBT_PROJECT_DIR),
    ],
    ids=["ruff-check", "ruff-format", "sqlfluff"],
)
def test_linter_is_clean(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
