"""`suanli-dbt`: dbt as the pipeline runs it, keeping dbt's partial parsing across warehouses.

dbt re-parses the whole project (about 16 s here, against 5 s for a partial parse) whenever the
connection it was parsed with differs: a hash of the profile's connection keys, path included.
The warehouse's location (`SUANLI_WAREHOUSE`) changes nothing dbt parses (no model reads
`target.path`), yet each test's, benchmark's or deployment's own file cost a full parse. This
entry point leaves the path out of that hash and is otherwise `dbt`: same arguments, same exit
code. A changed database name, schema or any other connection key still re-parses.

The `years` a run builds reach dbt as the environment variable `SUANLI_DBT_YEARS`, not as
`--vars`: any change of the vars re-parses the whole project, while the variable is read only
when dbt executes (macros/years.sql, and `selected_years` in the Python models), so a run's years
re-parse nothing. `--vars '{years: [2025]}'` still overrides it.

Its log file (dbt.log) is written at `info`, not dbt's default `debug`: a build's debug lines
(1.7 MB, the SQL of every query) cost 2–3 s of its ~40 s, flushed line by line. Errors and each
node's result are still there; `DBT_LOG_LEVEL_FILE=debug` brings the SQL back.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import NoReturn

YEARS_ENV = "SUANLI_DBT_YEARS"
LOG_LEVEL_FILE_ENV = "DBT_LOG_LEVEL_FILE"


def selected_years(configured: list | str | int | None) -> list[int]:
    """The years a Python model rebuilds, empty for every year: its `years` config (the
    `years` var, when given) else `SUANLI_DBT_YEARS`."""
    if configured is None:
        configured = json.loads(os.environ.get(YEARS_ENV) or "[]")
    if isinstance(configured, str):
        configured = configured.split(",") if configured else []
    if isinstance(configured, int):
        configured = [configured]
    return [int(year) for year in configured]


def without_path(connection_keys: Callable[..., tuple[str, ...]]) -> Callable[..., tuple[str, ...]]:
    """`connection_keys` (a credentials class's `_connection_keys`) without `path`."""

    def keys(self: object) -> tuple[str, ...]:
        return tuple(key for key in connection_keys(self) if key != "path")

    return keys


def run_dbt() -> NoReturn:
    """dbt with these arguments (`sys.argv`), here; exits as dbt does."""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials
    from dbt.cli.main import cli

    DuckDBCredentials._connection_keys = without_path(DuckDBCredentials._connection_keys)  # type: ignore[method-assign]
    os.environ.setdefault(LOG_LEVEL_FILE_ENV, "info")
    # The name the command was called by (click would read a fork server's `python -m`).
    sys.exit(cli(prog_name=os.path.basename(sys.argv[0])))


def main() -> NoReturn:
    """`suanli-dbt`: in the fork server `SUANLI_DBT_ZYGOTE` names when one answers there
    (suanli.zygote: dbt already imported), else in this process, which ends as a forked one
    does (`suanli.ending`)."""
    from suanli.ending import run_then_exit
    from suanli.zygote import hand_over

    hand_over("dbt")
    run_then_exit(run_dbt)


if __name__ == "__main__":
    main()
