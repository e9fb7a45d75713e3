"""Shared fixtures. Tests use real parts: real DuckDB files, real dbt, a real Dagster instance."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

from suanli.zygote import fork_server

# Property tests: 60 examples each in the full suite; `make check` loads `fast` (15).
settings.register_profile("full", max_examples=60)
settings.register_profile("fast", max_examples=15)
settings.load_profile(os.environ.get("SUANLI_HYPOTHESIS_PROFILE", "full"))

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# Pipeline runs in tests audit the indices with fewer Monte Carlo and Sobol runs than the
# product's 2,000 (tests/suanli/index/robustness checks the audit itself at full size).
TEST_UNCERTAINTY = REPO_ROOT / "tests" / "uncertainty_few_runs.yml"

# A test that needs the session's pipeline run (directly or through another fixture) is an
# integration test, whether or not its module says so: `make check` leaves them out.
PIPELINE_FIXTURES = {"first_run"}

FORK_SERVERS = pytest.StashKey[contextlib.ExitStack]()
FORK_LOGS = pytest.StashKey[dict[str, Path]]()


# The order in which pytest-xdist hands whole files to workers (the Makefile's
# `--no-loadscope-reorder`; by default it would order files by their number of tests, and these
# have few). Longest first keeps one worker from running a long file alone at the end
# (longest-processing-time-first scheduling). First the files whose tests run the pipeline
# several times: the first asks first for the session's first run, so it builds it; the second
# builds its own from scratch (a project with one more indicator), so it does not wait. Then
# the longest of the rest (the linters, dbt's unit tests, the reports drawn whole), which
# `make check` starts with; every other file follows in collection order.
LONGEST_FIRST = [
    "tests/suanli/alerts/test_alerts_end_to_end.py",
    "tests/test_adding_an_indicator.py",
    "tests/suanli/test_concurrent_runs.py",
    "tests/suanli/test_write_audit_publish.py",
    "tests/suanli/deploy/test_production_instance.py",
    "tests/suanli/test_publication_gate.py",
    "tests/suanli/test_partial_rebuild.py",
    "tests/suanli/deliveries/test_corpus.py",
    "tests/suanli/test_city_index.py",
    "tests/suanli/test_missing_values.py",
    "tests/suanli/index/panel/test_panel_in_the_warehouse.py",
    "tests/suanli/test_deliveries_end_to_end.py",
    "tests/suanli/test_end_to_end.py",
    "tests/suanli/test_weight_change.py",
    "tests/suanli/bi/test_old_duckdb.py",
    "tests/suanli/bi/test_superset.py",
    "tests/test_lint.py",
    "tests/suanli/report/test_report.py",
    "tests/dbt_project/test_unit_tests.py",
    "tests/suanli/intake/test_audits.py",
    "tests/suanli/intake/test_records_properties.py",
    "tests/suanli/alerts/test_sensors.py",
    "tests/suanli/publish/test_publish.py",
]


# ----------------------------------------------------------------------- imports, done once
# Some 40 dbt commands run in a session (each pipeline run's build, the dbt tests' own), each
# paying 2.2 s of CPU for importing dbt before it reads a file, and some 30 runs of `python -m
# suanli.cli materialize`, each paying 5 s for Dagster, dbt, Great Expectations and the report's
# libraries. The session starts two fork servers (suanli.zygote), one with dbt's imports (as a
# run's own) and one with the runs', and names them to every process it starts: each
# `suanli-dbt` and each `materialize` is then a fork of an interpreter with those imported,
# running the working copy's own code. The pytest-xdist workers inherit the variables from the
# process that starts them. test_zygote.py tests the server itself; a copy of the project or a
# command with other start-up settings starts its own interpreter, as the server declines it.


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: the process that started it named the server
    # What every run sets before it imports GX (suanli.quality.suites), set before the server
    # imports it: a command that inherits it from a worker's earlier checks is still forked.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    servers = contextlib.ExitStack()
    config.stash[FORK_SERVERS] = servers
    config.stash[FORK_LOGS] = {
        program: Path(servers.enter_context(fork_server(program))).with_name("server.log")
        for program in ("dbt", "cli")  # dbt's imports alone, as a run's own; then the runs'
    }


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """How many commands the session's fork servers ran, and why they declined the others (a
    decline costs time, not correctness: the command starts its own interpreter)."""
    for program, log in config.stash.get(FORK_LOGS, {}).items():
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        forked = sum(line.startswith("fork server: child ") for line in lines)
        reasons = Counter(
            line.rsplit(": ", 1)[-1] for line in lines if line.startswith("fork server: declined ")
        )
        said = "; ".join(f"{count} × {reason}" for reason, count in reasons.items())
        terminalreporter.write_line(
            f"fork server ({program}): {forked} commands forked, {sum(reasons.values())} "
            f"declined{': ' + said if said else ''}"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    if FORK_SERVERS in config.stash:
        config.stash[FORK_SERVERS].close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PIPELINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
    position = {path: index for index, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: position.get(item.nodeid.split("::")[0], len(position)))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data`: missing is a failure under CI, a skip on a developer machine without it."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing at {SHARED_DATA}")
        pytest.skip("shared data not present")
    return SHARED_DATA


# ---------------------------------------------------------------------------- end to end
# One materialisation of the bundled snapshot per test session, shared by every pytest-xdist
# worker: the first worker to need it builds it under a file lock, and each worker then works
# on its own copy (later runs load bad deliveries into it, or use a landing copy of their own).

FIRST_RUN_PARTS = ("warehouse", "archive", "dagster_home", "report", "exports", "logs")


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suanli.cli", *args],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


@pytest.fixture(scope="session")
def materialise_on_marts():
    """`run(asset, marts)`: one asset materialised in process on the published marts file
    `marts` (its work file beside it); returns (asset key, metadata values)."""
    from dagster import materialize

    from suanli.warehouse.resource import WarehouseResource

    def run(asset, marts: Path) -> tuple:
        warehouse = WarehouseResource(
            path=str(marts.with_name("work.duckdb")), marts_path=str(marts)
        )
        result = materialize([asset], resources={"warehouse": warehouse})
        assert result.success
        [event] = result.get_asset_materialization_events()
        metadata = event.materialization.metadata
        return event.asset_key, {key: value.value for key, value in metadata.items()}

    return run


@pytest.fixture(scope="session")
def record_publication():
    """`record(marts, content_sha256)`: the `_publication` row publish_marts would leave in the
    marts file `marts`, saying what content it published."""

    def record(marts: Path, content_sha256: str) -> None:
        with duckdb.connect(str(marts)) as connection:
            connection.execute("drop table if exists marts._publication")
            connection.execute(
                "create table marts._publication as select now()::timestamp as published_at, "
                "'run' as run_id, '{}' as tables, '[]' as deliveries, 'run' as built_by_run, "
                "? as content_sha256",
                [content_sha256],
            )

    return record


@pytest.fixture(scope="session")
def cli():
    """`python -m suanli.cli …` in a subprocess with the given environment."""
    return run_cli


def run_locations(root: Path) -> dict[str, str]:
    """Where a pipeline run under `root` keeps its state: its Dagster home, work file,
    archive, Data Docs, report, exports and run logs (environment variables); and the audit's
    few runs."""
    return {
        "DAGSTER_HOME": str(root / "dagster_home"),
        "SUANLI_WAREHOUSE": str(root / "warehouse" / "suanli.duckdb"),
        "SUANLI_ARCHIVE": str(root / "archive"),
        "SUANLI_GX_DOCS": str(root / "gx_docs"),
        "SUANLI_REPORT_DIR": str(root / "report"),
        "SUANLI_EXPORT_DIR": str(root / "exports"),
        "SUANLI_LOG_DIR": str(root / "logs"),
        "SUANLI_UNCERTAINTY": str(TEST_UNCERTAINTY),
    }


def new_run_locations(root: Path) -> dict[str, str]:
    """`run_locations` under `root` for a run from scratch: its Dagster home made, with the
    project's dagster.yaml."""
    locations = run_locations(root)
    home = Path(locations["DAGSTER_HOME"])
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return locations


@pytest.fixture(scope="session")
def fresh_run_locations() -> Callable[[Path], dict[str, str]]:
    """`locations(root)`: the environment variables of a run from scratch under `root`."""
    return new_run_locations


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        **os.environ,
        **new_run_locations(tmp_path_factory.mktemp("warehouse_run")),
        "SUANLI_LANDING": str(REPO_ROOT / "seeds" / "snapshot"),
    }


@pytest.fixture(scope="session")
def first_run_root(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Where the session's first run is built: one directory for all pytest-xdist workers."""
    base = tmp_path_factory.getbasetemp()
    return (base if worker_id == "master" else base.parent) / "first_run"


def build_once(
    root: Path, make: Callable[[Path], subprocess.CompletedProcess[str]]
) -> subprocess.CompletedProcess[str]:
    """`make(root/build)` once per session: later callers, in this process or another
    worker's, wait for it and get the recorded result. A failed build is recorded too, so
    every worker reports it rather than each building again."""
    from filelock import FileLock

    root.mkdir(parents=True, exist_ok=True)
    recorded = root / "result.json"
    with FileLock(root / "build.lock"):
        if not recorded.exists():
            build = root / "build"
            build.mkdir()
            result = make(build)
            recorded.write_text(
                json.dumps([result.returncode, result.stdout, result.stderr]), encoding="utf-8"
            )
    returncode, stdout, stderr = json.loads(recorded.read_text(encoding="utf-8"))
    return subprocess.CompletedProcess(["materialize"], returncode, stdout, stderr)


def build_first_run(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The snapshot materialised under `root/build`, once (`build_once`)."""
    return build_once(
        root, lambda build: run_cli({**env, **new_run_locations(build)}, "materialize")
    )


def copy_first_run(first_run_root: Path, env: dict[str, str], root: Path) -> dict[str, str]:
    """The environment of a copy under `root` of the first run as it finished (work file,
    published marts, archive, Dagster home, report, exports)."""
    for part in FIRST_RUN_PARTS:
        shutil.copytree(first_run_root / "build" / part, root / part, dirs_exist_ok=True)
    return {**env, **run_locations(root)}


@pytest.fixture(scope="session")
def first_run(env: dict[str, str], first_run_root: Path) -> subprocess.CompletedProcess[str]:
    """The first run, copied into this worker's `env` (whose tests may change it)."""
    result = build_first_run(first_run_root, env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    copy_first_run(first_run_root, env, Path(env["SUANLI_WAREHOUSE"]).parent.parent)
    return result


@pytest.fixture(scope="session")
def copy_of_first_run(
    env: dict[str, str], first_run, first_run_root: Path
) -> Callable[[Path], dict[str, str]]:
    """`copy(root)`: a copy of the first run under `root`, for fixtures wider than a test."""
    return lambda root: copy_first_run(first_run_root, env, root)


@pytest.fixture
def copied_warehouse(
    env: dict[str, str], first_run, first_run_root: Path, tmp_path: Path
) -> dict[str, str]:
    """A copy of the first run as it finished: for runs that change or break things."""
    return copy_first_run(first_run_root, env, tmp_path)


@pytest.fixture
def warehouse(env: dict[str, str], first_run) -> duckdb.DuckDBPyConnection:
    with duckdb.connect(env["SUANLI_WAREHOUSE"], read_only=True) as connection:
        yield connection


Rows = list[dict[str, str]]


def write_landing(landing: Path, edit: Callable[[Rows], Rows]) -> Path:
    """A copy of the snapshot at `landing` whose 2025 compute-centre registry `edit(rows)` has
    changed."""
    shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing, dirs_exist_ok=True)
    registry = landing / "compute_centres" / "compute_centres_2025.csv"
    with registry.open(encoding="utf-8", newline="") as handle:
        rows: Rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = edit(rows)
    with registry.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return landing


@pytest.fixture(scope="session")
def landing_with_registry(tmp_path_factory: pytest.TempPathFactory):
    """`make(edit)`: a new copy of the snapshot whose 2025 compute-centre registry `edit(rows)`
    has changed (session-wide, so module fixtures can build on it too)."""

    def make(edit) -> Path:
        return write_landing(tmp_path_factory.mktemp("landing"), edit)

    return make


@pytest.fixture
def latest_check_evaluation(env: dict[str, str]):
    """`latest(asset, check, environment=None)`: the most recent evaluation of an asset check in
    the session's instance, or in the instance of `environment` (a copied warehouse)."""
    from dagster import AssetCheckKey, AssetKey, DagsterInstance

    def latest(asset: list[str], check: str, environment: dict[str, str] | None = None):
        home = (environment or env)["DAGSTER_HOME"]
        with DagsterInstance.from_config(home) as instance:
            key = AssetCheckKey(AssetKey(asset), check)
            history = instance.event_log_storage.get_asset_check_execution_history(key, 1)
            assert history, f"{check} on {'/'.join(asset)} never ran"
            return history[0].event.dagster_event.event_specific_data

    return latest


def drop_one_city(rows: Rows) -> Rows:
    """The registry without any centre of the hosting city that has fewest: still a valid
    delivery (intake and its audits pass), but the city index loses a city."""
    from collections import Counter

    from suanli.intake.regions import default_resolver

    resolver = default_resolver()

    def city_of(row: dict[str, str]) -> str | None:
        return resolver.city(row["city"], resolver.province(row["province"]).code).code

    counts = Counter(code for row in rows if (code := city_of(row)) is not None)
    smallest = min(counts, key=lambda code: (counts[code], code))
    return [row for row in rows if city_of(row) != smallest]


@pytest.fixture(scope="session")
def without_one_city():
    """`landing_with_registry(without_one_city)`: a registry missing one hosting city."""
    return drop_one_city


def double_intelligent_compute(rows: Rows) -> Rows:
    """The registry with the first centre that has intelligent compute holding twice as much:
    a corrected delivery the index shows."""
    row = next(row for row in rows if float(row["intelligent_compute_pflops"]) > 0)
    row["intelligent_compute_pflops"] = f"{2 * float(row['intelligent_compute_pflops']):.1f}"
    return rows


@pytest.fixture(scope="session")
def doubled_intelligent_compute():
    """`landing_with_registry(doubled_intelligent_compute)`: one centre's intelligent compute
    doubled."""
    return double_intelligent_compute


@pytest.fixture(scope="session")
def doubled_registry_run(
    env: dict[str, str], first_run, first_run_root: Path
) -> Callable[[Path], tuple[dict[str, str], subprocess.CompletedProcess[str]]]:
    """`copy(root)`: the environment of a copy under `root` of the first run after
    `materialize --years 2025` with one centre's intelligent compute doubled (a partial run),
    and that run's result. The run is made once per session (`build_once`), for every story
    that reads what such a run leaves (test_partial_rebuild, test_old_duckdb)."""

    def make(build: Path) -> subprocess.CompletedProcess[str]:
        copy_first_run(first_run_root, env, build)
        landing = write_landing(build / "landing", double_intelligent_compute)
        return run_cli(
            {**env, **run_locations(build), "SUANLI_LANDING": str(landing)},
            "materialize", "--years", "2025",
        )  # fmt: skip

    shared = first_run_root.parent / "doubled_registry_run"
    result = build_once(shared, make)

    def copy(root: Path) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
        for part in (*FIRST_RUN_PARTS, "landing"):
            shutil.copytree(shared / "build" / part, root / part, dirs_exist_ok=True)
        return {**env, **run_locations(root), "SUANLI_LANDING": str(root / "landing")}, result

    return copy
