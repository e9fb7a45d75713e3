"""dbt in a subprocess, as the pipeline invokes it, for tests that build models themselves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from suanli.settings import DBT_PROJECT_DIR

SUANLI_DBT = Path(sys.executable).parent / "suanli-dbt"
# `make manifest`'s partial-parse state: a scratch target starting from it re-parses only what
# differs (suanli.transform.dbt_command), not the whole project.
PARSED = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"


def dbt_in(
    scratch: Path, env: dict[str, str], *args: str, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """`suanli-dbt ARGS --profiles-dir .` in the project, with the environment `env` over this
    process's (less dbt's own DBT_* settings), its target and log folders under `scratch`: the
    project's target stays untouched.

    The warehouse file must be named `suanli.duckdb`, as in the manifest: dbt-duckdb names the
    database after the file, and a run with another database name re-parses the whole project
    (5 s), its nodes then naming that database."""
    warehouse = env.get("SUANLI_WAREHOUSE")
    if warehouse is not None and Path(warehouse).name != "suanli.duckdb":
        raise ValueError(f"name the warehouse suanli.duckdb (in a folder of its own): {warehouse}")
    target = scratch / "target"
    if not (target / PARSED.name).exists() and PARSED.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(PARSED, target / PARSED.name)
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    return subprocess.run(
        [
            str(SUANLI_DBT), *args, "--profiles-dir", ".", "--target-path", str(target),
            "--log-path", str(scratch / "logs"),
        ],
        cwd=DBT_PROJECT_DIR, env={**inherited, **env}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
