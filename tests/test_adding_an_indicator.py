"""Adding an indicator from an existing source touches three files: the catalogue row, the
source's indicator model and the definition of the system that uses it. Shown on a copy of
the project: a new System A indicator, inter-centre latency (ms, lower is better), from the
network delivery, goes through the whole pipeline into the published marts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = "seeds/reference/indicators.csv"
MODEL = "dbt_project/models/intermediate/indicators/int_indicators__network_stats.sql"
DEFINITION = "seeds/index_systems/comprehensive_v4.yml"
CODE = "inter_centre_latency"

pytestmark = pytest.mark.integration


def add_the_indicator(project: Path) -> None:
    """The three edits a developer makes (see the README, "Adding an indicator")."""
    with (project / CATALOGUE).open("a", encoding="utf-8") as catalogue:
        catalogue.write(
            f"{CODE},算间网络时延,Inter-centre latency,ms,negative,false,"
            "int_indicators__network_stats,,,\n"
        )
    replace(
        project / MODEL,
        ("        oxc_deployment_pct,\n",
         "        oxc_deployment_pct,\n        inter_centre_latency_ms,\n"),
        ("            'oxc_deployment_pct': 'oxc_deployment',\n",
         "            'oxc_deployment_pct': 'oxc_deployment',\n"
         f"            'inter_centre_latency_ms': '{CODE}',\n"),
    )  # fmt: skip
    replace(
        project / DEFINITION,
        ("            - [1, 1, 2, 1]\n            - [1, 1, 2, 1]\n"
         "            - [1/2, 1/2, 1, 1/2]\n            - [1, 1, 2, 1]\n"
         "          children:\n            - direct_connect_points\n",
         "            - [1, 1, 2, 1, 1]\n            - [1, 1, 2, 1, 1]\n"
         "            - [1/2, 1/2, 1, 1/2, 1/2]\n            - [1, 1, 2, 1, 1]\n"
         "            - [1, 1, 2, 1, 1]\n"
         "          children:\n            - direct_connect_points\n"),
        ("            - inter_centre_network_quality\n",
         f"            - inter_centre_network_quality\n            - {CODE}\n"),
    )  # fmt: skip


def replace(path: Path, *edits: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{path.name}: expected one {old!r}"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def copy_project(destination: Path) -> list[str]:
    """The project's files (tracked and new, not ignored) under `destination`."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    files = [
        name for name in listed if (REPO_ROOT / name).exists() or (REPO_ROOT / name).is_symlink()
    ]
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target, follow_symlinks=False)
    return files


def changed_files(project: Path, files: list[str]) -> list[str]:
    return sorted(
        name
        for name in files
        if not (project / name).is_symlink()
        and (project / name).read_bytes() != (REPO_ROOT / name).read_bytes()
    )


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, fresh_run_locations
) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("project_copy")
    project = root / "project"
    files = copy_project(project)
    add_the_indicator(project)
    assert changed_files(project, files) == sorted([CATALOGUE, MODEL, DEFINITION])
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SUANLI_")},
        **fresh_run_locations(root),
        # the copy's code, not the installed package's
        "PYTHONPATH": os.pathsep.join([str(project / "dagster_project"), str(project / "tools")]),
        "SUANLI_LANDING": str(REPO_ROOT / "seeds" / "snapshot"),
    }
    dbt = str(Path(sys.executable).parent / "suanli-dbt")
    parsed = run([dbt, "parse", "--profiles-dir", "."], project / "dbt_project", env)
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    where = run([sys.executable, "-c", "import suanli; print(suanli.__file__)"], project, env)
    assert where.stdout.startswith(str(project)), where.stdout
    result = run([sys.executable, "-m", "suanli.cli", "materialize"], project, env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return project, env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def published(env: dict[str, str]) -> duckdb.DuckDBPyConnection:
    work = Path(env["SUANLI_WAREHOUSE"])
    return duckdb.connect(str(work.with_name(f"{work.stem}_marts{work.suffix}")), read_only=True)


def test_three_files_put_the_new_indicator_in_the_published_marts(project) -> None:
    _, env = project
    with published(env) as marts:
        weight = marts.execute(
            "select parent_code, unit, direction, local_weight from marts.fct_index_weights "
            "where system_code = 'comprehensive_v4' and node_code = ?",
            [CODE],
        ).fetchone()
        values = marts.execute(
            "select count(*), min(score), max(score), corr(raw_value, score) "
            "from marts.fct_indicator_values where system_code = 'comprehensive_v4' "
            "and year = 2025 and indicator_code = ?",
            [CODE],
        ).fetchone()
        files = marts.execute(
            "select distinct deliveries.source from marts.fct_indicator_lineage as lineage "
            "inner join marts.dim_delivery as deliveries using (delivery_id) "
            "where lineage.indicator_code = ?",
            [CODE],
        ).fetchall()
        catalogued = marts.execute(
            "select name_zh, indicator_model from marts.dim_indicator where indicator_code = ?",
            [CODE],
        ).fetchone()
    assert weight[:3] == ("network_inter", "ms", "negative") and weight[3] > 0
    count, low, high, correlation = values
    assert (count, low, high) == (31, 0, 100)
    assert correlation < 0  # lower latency, higher score
    assert files == [("network_stats",)]
    assert catalogued == ("算间网络时延", "int_indicators__network_stats")


def test_without_its_catalogue_row_the_indicator_is_refused_twice(project) -> None:
    """The definition names an unknown indicator, and the catalogue test names what the model
    produces that no one catalogued."""
    copy, env = project
    catalogue = copy / CATALOGUE
    lines = catalogue.read_text(encoding="utf-8").splitlines(keepends=True)
    catalogue.write_text("".join(lines[:-1]), encoding="utf-8")
    definitions = run(
        [sys.executable, "-c", "from suanli.index.systems import load_systems; "
         "from suanli.settings import INDEX_SYSTEMS_DIR; load_systems(INDEX_SYSTEMS_DIR)"],
        copy, env,
    )  # fmt: skip
    assert definitions.returncode != 0
    assert f"indicator '{CODE}'" in definitions.stderr
    assert "not in the indicator catalogue" in definitions.stderr
    dbt = str(Path(sys.executable).parent / "suanli-dbt")
    seeded = run(
        [dbt, "seed", "--select", "indicators", "--profiles-dir", "."], copy / "dbt_project", env
    )
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    tested = run(
        [dbt, "test", "--select", "assert_indicator_catalogue_matches_models",
         "--profiles-dir", "."],
        copy / "dbt_project", env,
    )  # fmt: skip
    assert tested.returncode != 0
    assert "FAIL 1 assert_indicator_catalogue_matches_models" in tested.stdout
    compiled = (
        copy
        / "dbt_project/target/compiled/suanli/tests/assert_indicator_catalogue_matches_models.sql"
    )
    with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as work:
        problems = work.execute(
            f"select indicator_code, problem from ({compiled.read_text()})"
        ).fetchall()
    assert problems == [(CODE, "produced but not in the catalogue")]
