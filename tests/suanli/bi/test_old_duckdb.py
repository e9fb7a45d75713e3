"""BI tools bundle older DuckDB releases: the marts must open in DuckDB 1.1.3, read-only.

DuckDB 2.x writes a storage format 1.x cannot read unless a file is created with
`storage_compatibility_version`. The old release lives outside the venv
(`make old-duckdb` installs it into .cache/duckdb-1.1.3) and runs in a subprocess whose
PYTHONPATH puts it before the venv's duckdb.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_runs import dbt_in

from suanli.publish.marts import last_publication
from suanli.settings import REPO_ROOT, published_marts_path

pytestmark = pytest.mark.integration

OLD_VERSION = "1.1.3"
OLD_DUCKDB_DIR = REPO_ROOT / ".cache" / f"duckdb-{OLD_VERSION}"

# Runs under the old duckdb: every relation of `marts`, whole, as JSON (floats round-trip).
READ_MARTS = """
import json, sys
import duckdb
assert duckdb.__version__ == sys.argv[2], f"duckdb {duckdb.__version__} from {duckdb.__file__}"
connection = duckdb.connect(sys.argv[1], read_only=True)
# A query past 2 s would draw DuckDB's progress bar on stdout, into the JSON (seen under load).
connection.execute("set enable_progress_bar = false")
names = [name for (name,) in connection.execute(
    "select table_name from information_schema.tables where table_schema = 'marts' "
    "order by table_name"
).fetchall()]
marts = {
    name: connection.execute(f'select * from marts."{name}" order by all').fetchall()
    for name in names
}
print(json.dumps({"version": duckdb.__version__, "marts": marts}, ensure_ascii=False, default=str))
"""

READ_ONE = """
import sys
import duckdb
assert duckdb.__version__ == sys.argv[2], f"duckdb {duckdb.__version__} from {duckdb.__file__}"
connection = duckdb.connect(sys.argv[1], read_only=True)
connection.execute("set enable_progress_bar = false")
print(connection.execute(sys.argv[3]).fetchall()[0][0])
"""


@pytest.fixture(scope="module")
def old_duckdb() -> Path:
    if not (OLD_DUCKDB_DIR / "duckdb" / "__init__.py").is_file():
        pytest.fail(
            f"DuckDB {OLD_VERSION} is not installed in {OLD_DUCKDB_DIR}: run `make old-duckdb` "
            "(a prerequisite of `make test`)"
        )
    return OLD_DUCKDB_DIR


def run_old(
    old_duckdb: Path, script: str, file: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """`script` under the old duckdb with argv: file, the expected version, then `args`."""
    # PYTHONPATH precedes site-packages on sys.path, so this duckdb shadows the venv's.
    environment = {**os.environ, "PYTHONPATH": str(old_duckdb)}
    return subprocess.run(
        [sys.executable, "-c", script, str(file), OLD_VERSION, *args],
        env=environment, capture_output=True, text=True, timeout=300, cwd=old_duckdb,
    )  # fmt: skip


def rows_as_json(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return json.loads(json.dumps([list(row) for row in rows], ensure_ascii=False, default=str))


def test_every_mart_reads_the_same_in_duckdb_1_1_3(
    old_duckdb: Path, published_marts: Path, empty_on_the_snapshot: frozenset[str]
) -> None:
    result = run_old(old_duckdb, READ_MARTS, published_marts)
    assert result.returncode == 0, result.stderr[-3000:]
    old = json.loads(result.stdout)
    assert old["version"] == OLD_VERSION
    with duckdb.connect(str(published_marts), read_only=True) as connection:
        current = {
            name: connection.execute(f'select * from marts."{name}" order by all').fetchall()
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by table_name"
            ).fetchall()
        }
    assert sorted(old["marts"]) == sorted(current)
    assert {"fct_index_scores", "top10_by_node", "wide_index_scores"} <= set(current)
    for name, rows in current.items():
        assert bool(rows) != (name in empty_on_the_snapshot), f"marts.{name}: {len(rows)} rows"
        assert old["marts"][name] == rows_as_json(rows), f"marts.{name} differs in {OLD_VERSION}"


def test_a_file_written_without_storage_compatibility_cannot_be_read(
    old_duckdb: Path, tmp_path: Path
) -> None:
    """The control that makes the test above meaningful: DuckDB 2's own format is unreadable."""
    plain, compatible = tmp_path / "plain.duckdb", tmp_path / "compatible.duckdb"
    for path, config in ((plain, {}), (compatible, {"storage_compatibility_version": "v1.1.0"})):
        with duckdb.connect(str(path), config=config) as connection:
            connection.execute("create table t as select '算力' as name, 1.5 as score")
    refused = run_old(old_duckdb, READ_ONE, plain, "select name from t")
    assert refused.returncode != 0
    assert "version" in refused.stderr.lower(), refused.stderr[-2000:]
    read = run_old(old_duckdb, READ_ONE, compatible, "select name from t")
    assert read.returncode == 0, read.stderr[-2000:]
    assert read.stdout.strip() == "算力"


def test_a_warehouse_file_dbt_creates_is_readable_by_duckdb_1_1_3(
    old_duckdb: Path, tmp_path: Path
) -> None:
    """dbt may create the work file (a bare `dbt build`, `make docs` on a fresh clone)."""
    work = tmp_path / "suanli.duckdb"
    dbt = dbt_in(tmp_path, {"SUANLI_WAREHOUSE": str(work)}, "seed", "--select", "provinces")
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    read = run_old(old_duckdb, READ_ONE, work, "select count(*) from reference.provinces")
    assert read.returncode == 0, (
        f"dbt created {work} in a format DuckDB {OLD_VERSION} cannot read. In "
        "dbt_project/profiles.yml give storage_compatibility_version under `config_options` "
        "(passed to duckdb.connect, so it applies when the file is created), not under "
        "`settings` (a SET after the file exists, too late):\n" + read.stderr[-1500:]
    )
    assert read.stdout.strip() == "31"


# Runs under the old duckdb: every table of every schema, read whole; prints what failed.
READ_EVERY_TABLE = """
import json, sys
import duckdb
assert duckdb.__version__ == sys.argv[2], f"duckdb {duckdb.__version__} from {duckdb.__file__}"
connection = duckdb.connect(sys.argv[1], read_only=True)
connection.execute("set enable_progress_bar = false")
tables = connection.execute(
    "select schema_name, table_name from duckdb_tables() "
    "where database_name = current_database() order by all"
).fetchall()
failed = {}
for schema, table in tables:
    try:
        connection.execute(f'select * from "{schema}"."{table}"').fetchall()
    except duckdb.Error as error:
        failed[f"{schema}.{table}"] = str(error)
print(json.dumps({"tables": len(tables), "failed": failed}))
"""


def published_run(environment: dict[str, str]) -> str:
    work = Path(environment["SUANLI_WAREHOUSE"])
    return last_publication(published_marts_path(work))["run_id"]


@dataclass(frozen=True)
class SecondRun:
    environment: dict[str, str]
    published_before: str  # the run whose marts the copy had published


@pytest.fixture(scope="module")
def after_an_incremental_run(
    doubled_registry_run, first_run_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> SecondRun:
    """A copy of the first run after a second run of 2025 alone, whose registry doubles one
    centre's intelligent compute: dbt rewrites tables of the work file in place, and the
    changed scores are published again (the session's run, shared with test_partial_rebuild)."""
    environment, again = doubled_registry_run(tmp_path_factory.mktemp("incremental"))
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    before = published_run(
        {"SUANLI_WAREHOUSE": str(first_run_root / "build" / "warehouse" / "suanli.duckdb")}
    )
    return SecondRun(environment, before)


def test_the_published_file_stays_readable_by_duckdb_1_1_3_after_an_incremental_run(
    old_duckdb: Path, after_an_incremental_run: SecondRun
) -> None:
    """Every publication writes a new file in the v1.1.0 format and renames it into place, so
    incremental runs never touch what BI tools open. The work file is not promised: DuckDB 2.0
    rewrites it in place, and DuckDB 1.1.3 then failed, now and then, to open it ("Failed to
    load metadata pointer"); README says older releases open the published file only."""
    second = after_an_incremental_run
    assert published_run(second.environment) != second.published_before, "nothing republished"
    published = published_marts_path(Path(second.environment["SUANLI_WAREHOUSE"]))
    result = run_old(old_duckdb, READ_EVERY_TABLE, published)
    assert result.returncode == 0, f"{published.name}: {result.stderr[-3000:]}"
    read = json.loads(result.stdout)
    assert read["failed"] == {}
    assert read["tables"] > 10


def test_an_incremental_run_leaves_no_temporary_table_in_the_work_file(
    after_an_incremental_run: SecondRun,
) -> None:
    """dbt-duckdb left the temporary table of each incremental Python model behind, three
    more tables at every run (dbt_project/macros/python_incremental_temp.sql)."""
    work = after_an_incremental_run.environment["SUANLI_WAREHOUSE"]
    with duckdb.connect(work, read_only=True) as connection:
        left = connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database() and contains(table_name, '__dbt_tmp') "
            "order by all"
        ).fetchall()
        incremental_python = connection.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and table_name in ('int_leave_one_out', 'int_rank_uncertainty', 'int_sensitivity')"
        ).fetchone()[0]
    assert incremental_python == 3
    assert left == []
