"""The production instance (deploy/dagster.yaml) as a team would run it: PostgreSQL storage,
`dagster-daemon run` and `dagster-webserver` as separate processes, the queued run coordinator.

A throw-away PostgreSQL cluster is started on 127.0.0.1 for the test, on a copy of the
session's first run; the landing sensor is turned on through the webserver's GraphQL, with the
cursor of a sensor that has seen the bundled snapshot; a re-exported registry is delivered to the
landing folder, and the sensor's run must go through the queue, succeed, be stored in
PostgreSQL and publish the marts. A run started with `dagster job launch` meanwhile goes
through the same queue and never runs beside it.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SNAPSHOT = REPO_ROOT / "seeds" / "snapshot"
REGISTRY = Path("compute_centres") / "compute_centres_2025.csv"
PG_PROGRAMS = ("initdb", "pg_ctl", "postgres")
DATABASE = "dagster"
RUN_TIMEOUT = 1200.0  # the sensor's run rebuilds a year on a busy 2-core machine

pytestmark = [pytest.mark.slow, pytest.mark.integration]


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres are: beside pg_ctl on PATH, else Debian's
    /usr/lib/postgresql/<version>/bin (which Debian leaves off PATH), the newest first."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(debian, key=lambda path: int(path.parent.name), reverse=True)
    for directory in candidates:
        if all((directory / program).is_file() for program in PG_PROGRAMS):
            return directory
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    log: Path

    def environment(self) -> dict[str, str]:
        """What deploy/dagster.yaml reads (the cluster trusts local connections)."""
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USERNAME": self.user,
            "DAGSTER_PG_PASSWORD": "unused",
            "DAGSTER_PG_DB": DATABASE,
        }

    def query(self, sql: str, *parameters: object) -> list[tuple]:
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname=DATABASE
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, parameters)
                return cursor.fetchall()
        finally:
            connection.close()


@contextmanager
def postgres_cluster(bin_dir: Path) -> Iterator[Postgres]:
    """A new cluster listening on 127.0.0.1 (and a socket in its own folder), with an empty
    database `dagster`; stopped and deleted on exit. PostgreSQL refuses to run as root: as root
    it runs as the `postgres` user, in a folder under /tmp that user can reach (pytest's
    tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="suanli-pg-"))
    as_user: str | None = None
    if os.geteuid() == 0:
        as_user = "postgres" if _user_exists("postgres") else "nobody"
        shutil.chown(root, as_user, as_user)
    data, log, port = root / "data", root / "postgres.log", free_port()

    def run(*command: str | Path) -> None:
        subprocess.run(
            [str(part) for part in command], user=as_user, check=True, capture_output=True,
            text=True, timeout=120, cwd=root,
        )  # fmt: skip

    try:
        run(bin_dir / "initdb", "-D", data, "-U", DATABASE, "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync")  # fmt: skip
        options = f"-k {root} -p {port} -h 127.0.0.1 -F"
        run(bin_dir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
        try:
            import psycopg2

            admin = psycopg2.connect(host="127.0.0.1", port=port, user=DATABASE, dbname="postgres")
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f"create database {DATABASE}")
            admin.close()
            yield Postgres(port, DATABASE, log)
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as error:
        pytest.fail(f"{error.cmd[0]} failed:\n{error.stdout}{error.stderr}{_tail(log)}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _tail(path: Path, characters: int = 4000) -> str:
    if not path.is_file():
        return ""
    return f"\n--- {path.name} (end) ---\n{path.read_text(errors='replace')[-characters:]}"


# ------------------------------------------------------------------------------ Dagster


@contextmanager
def service(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A long-running Dagster process, its output in `log`; on exit it and its children (code
    server, run workers: one process group) get SIGTERM, then SIGKILL."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=30)


def _signal_group(process: subprocess.Popen, signal_number: int) -> None:
    with suppress(ProcessLookupError):  # the group is gone (a command that had finished)
        os.killpg(process.pid, signal_number)


def wait_for_webserver(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster-webserver exited with {process.returncode}{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(f"dagster-webserver not answering after 300 s{_tail(log)}")


def graphql(url: str, query: str, **variables: object) -> dict:
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer
    return answer["data"]


SENSORS = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
    name location { name } sensors { name } } } } }"""
SET_CURSOR = """mutation ($selector: SensorSelector!, $cursor: String) {
  setSensorCursor(sensorSelector: $selector, cursor: $cursor) {
    __typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }"""
START = """mutation ($selector: SensorSelector!) {
  startSensor(sensorSelector: $selector) {
    __typename ... on Sensor { sensorState { status } } ... on PythonError { message } } }"""


def turn_on_landing_sensor(url: str, cursor: str) -> None:
    """Through the webserver, as an operator would: the sensor's cursor, then the sensor on."""
    [repository] = graphql(url, SENSORS)["repositoriesOrError"]["nodes"]
    assert "landing_sensor" in {sensor["name"] for sensor in repository["sensors"]}
    selector = {
        "repositoryLocationName": repository["location"]["name"],
        "repositoryName": repository["name"],
        "sensorName": "landing_sensor",
    }
    answer = graphql(url, SET_CURSOR, selector=selector, cursor=cursor)["setSensorCursor"]
    assert answer["__typename"] == "Sensor", answer
    if answer["sensorState"]["status"] != "RUNNING":  # running by default when a landing is set
        answer = graphql(url, START, selector=selector)["startSensor"]
        assert answer["__typename"] == "Sensor", answer
    assert answer["sensorState"]["status"] == "RUNNING", answer


def seen_snapshot_cursor() -> str:
    """The cursor of a landing sensor that has seen the bundled snapshot: what the first run
    loaded. (A fresh instance's sensor would count every file as a new delivery.)"""
    from suanli.intake.catalog import source_specs
    from suanli.intake.sensor import Cursor, scan
    from suanli.transform.assets import load_manifest

    seen = scan(SNAPSHOT, source_specs(load_manifest()), Cursor())
    return Cursor(seen.files, frozenset(seen.unknown)).dumps()


def deliver_reexported_registry(landing: Path) -> None:
    """The 2025 compute-centre registry delivered again, exported in another order: new bytes
    (a new delivery, a new publication), the same facts, so every blocking check still passes
    (they hold the scores to the bundled snapshot's). Written beside the landing and moved in
    at once, as a delivery should be."""
    target = landing / REGISTRY
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    partial = landing / "incoming.part"
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(reversed(rows))
    os.replace(partial, target)


def failures(instance, run_id: str) -> str:
    """What went wrong in a run: its error events, with their errors."""
    lines = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if record.level >= 40 or (event is not None and event.is_failure):
            lines.append(record.user_message)
            error = getattr(event.event_specific_data, "error", None) if event else None
            if error is not None:
                lines.append(error.to_string()[-2000:])
    return "\n".join(lines)


# --------------------------------------------------------------------------------- test


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL's initdb/pg_ctl/postgres not found (make test installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with postgres_cluster(bin_dir) as cluster:
        yield cluster


def test_a_delivery_runs_through_the_queue_on_postgres_and_publishes(
    postgres: Postgres,
    copy_of_first_run: Callable[[Path], dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

    from suanli.publish.marts import last_publication
    from suanli.settings import published_marts_path

    env = copy_of_first_run(tmp_path / "deployment")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    landing = tmp_path / "landing"
    shutil.copytree(SNAPSHOT, landing)
    env |= {
        **postgres.environment(),
        "DAGSTER_HOME": str(home),
        "SUANLI_LANDING": str(landing),
        "DAGSTER_DISABLE_TELEMETRY": "true",
    }
    for name in ("DAGSTER_HOME", "SUANLI_WAREHOUSE", *postgres.environment()):
        monkeypatch.setenv(name, env[name])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logs = {name: tmp_path / f"{name}.log" for name in ("webserver", "daemon", "launch")}

    def diagnosis() -> str:
        return "".join(_tail(log) for log in (*logs.values(), postgres.log))

    with ExitStack() as services, DagsterInstance.get() as instance:
        webserver = services.enter_context(
            service(
                [str(BIN / "dagster-webserver"), "-m", "suanli.definitions",
                 "-h", "127.0.0.1", "-p", str(port)],
                env, logs["webserver"],
            )
        )  # fmt: skip
        wait_for_webserver(url, webserver, logs["webserver"])
        turn_on_landing_sensor(url, seen_snapshot_cursor())
        daemon = services.enter_context(
            service([str(BIN / "dagster-daemon"), "run", "-m", "suanli.definitions"], env,
                    logs["daemon"])
        )  # fmt: skip
        deliver_reexported_registry(landing)

        def sensor_runs() -> list:
            return instance.get_runs(filters=RunsFilter(tags={"suanli/trigger": "landing_sensor"}))

        launched = None
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            runs = sensor_runs()
            if runs and launched is None:
                # While the sensor's run holds the only slot, a run from the command line.
                launched = services.enter_context(launch_publication(env, logs["launch"]))
            if runs and runs[0].is_finished:
                break
            if daemon.poll() is not None:
                pytest.fail(f"dagster-daemon exited with {daemon.returncode}{diagnosis()}")
            if time.monotonic() > deadline:
                states = [(run.run_id, run.status.value) for run in runs]
                pytest.fail(f"no finished sensor run after {RUN_TIMEOUT:.0f} s: {states}"
                            f"{diagnosis()}")  # fmt: skip
            time.sleep(5)

        [run] = runs
        if run.status != DagsterRunStatus.SUCCESS:
            pytest.fail(f"the sensor's run {run.status.value}:\n{failures(instance, run.run_id)}"
                        f"{diagnosis()}")  # fmt: skip
        assert run.tags["suanli/landing_files"] == str(REGISTRY)
        assert run.tags["dagster/partition"] == "2025"

        # Stored in PostgreSQL: the run, and its event log through the queue.
        assert postgres.query("select status from runs where run_id = %s", run.run_id) == [
            ("SUCCESS",)
        ]
        events = [
            kind
            for (kind,) in postgres.query(
                "select dagster_event_type from event_logs where run_id = %s"
                " and dagster_event_type is not null order by id",
                run.run_id,
            )
        ]
        lifecycle = [
            DagsterEventType.RUN_ENQUEUED.value,  # submitted to the queue, not launched at once
            DagsterEventType.RUN_START.value,
            DagsterEventType.RUN_SUCCESS.value,
        ]
        assert [kind for kind in events if kind in lifecycle] == lifecycle

        # Published: the BI file says this run published it.
        published = published_marts_path()
        assert last_publication(published)["run_id"] == run.run_id

        # The run from the command line went through the queue, after the sensor's run.
        assert launched is not None
        cli_run = wait_for_launched_run(instance, run.run_id, daemon, diagnosis)
        if cli_run.status != DagsterRunStatus.SUCCESS:
            pytest.fail(f"the launched run {cli_run.status.value}:\n"
                        f"{failures(instance, cli_run.run_id)}{diagnosis()}")  # fmt: skip
        cli_events = [
            event.dagster_event_type
            for event in instance.all_logs(cli_run.run_id)
            if event.dagster_event_type is not None
        ]
        assert DagsterEventType.RUN_ENQUEUED in cli_events
        sensor_end = instance.get_run_record_by_id(run.run_id).end_time
        assert instance.get_run_record_by_id(cli_run.run_id).start_time >= sensor_end


@contextmanager
def launch_publication(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """`dagster job launch` of the publish step alone (quick), submitted to the instance."""
    command = [
        str(BIN / "dagster"), "job", "launch", "-m", "suanli.definitions",
        "-j", "materialize_all", "-o", "published__marts",
        "--tags", json.dumps({"dagster/partition": "2025", "suanli/trigger": "cli"}),
    ]  # fmt: skip
    with service(command, env, log) as process:
        yield process


def wait_for_launched_run(instance, after_run_id: str, daemon: subprocess.Popen, diagnosis):
    from dagster import RunsFilter

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        runs = instance.get_runs(filters=RunsFilter(tags={"suanli/trigger": "cli"}))
        if runs and runs[0].is_finished:
            return runs[0]
        if daemon.poll() is not None:
            pytest.fail(f"dagster-daemon exited with {daemon.returncode}{diagnosis()}")
        time.sleep(3)
    pytest.fail(f"the run from `dagster job launch` did not finish after {after_run_id}"
                f"{diagnosis()}")  # fmt: skip
