"""The fork server: `suanli-dbt` and `python -m suanli.cli materialize` run in it behave as they
do alone, a child lives and dies with the command that asked for it, the server declines what a
fork would not run as the command's own process would, and it ends with the process that
started it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_runs import PARSED, SUANLI_DBT

import suanli
from suanli import zygote
from suanli.settings import DBT_PROJECT_DIR, REPO_ROOT
from suanli.zygote import (
    PROGRAMS,
    Request,
    _forward,
    fork_server,
    installed_stamp,
    interpreter,
    why_not,
)

pytestmark = pytest.mark.slow  # each test runs dbt or the command line

SERVER = [sys.executable, "-m", "suanli.zygote"]
DBT_VARIABLE, CLI_VARIABLE = PROGRAMS["dbt"].variable, PROGRAMS["cli"].variable
CLI = [sys.executable, "-m", "suanli.cli"]


@dataclass
class Server:
    socket: Path
    log: Path

    def lines(self, kind: str, after: int = 0) -> list[str]:
        """What follows `fork server: KIND ` in its log, from its `after`-th such line on."""
        prefix = f"fork server: {kind} "
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [line.removeprefix(prefix) for line in lines if line.startswith(prefix)][after:]

    def children(self, after: int = 0) -> list[tuple[int, str]]:
        """(pid, command) of each command it forked, from its log; those after the first
        `after` (a test's own, the server being the module's)."""
        return [
            (int(line.split()[0]), line.split(" runs ", 1)[1])
            for line in self.lines("child", after)
        ]


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def start_server(
    folder: Path, *programs: str, socket: Path | None = None
) -> tuple[Server, subprocess.Popen[bytes]]:
    """A server of `programs` at `socket` (default: in `folder`), logging in `folder`, once it
    has imported what they import."""
    socket, log = socket or folder / "fork.sock", folder / "server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [*SERVER, str(socket), "--serve", *programs], stdout=out, stderr=subprocess.STDOUT
        )
    wait_for(lambda: "imports took" in log.read_text(encoding="utf-8"))
    return Server(socket, log), process


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    served, process = start_server(tmp_path_factory.mktemp("server"), "dbt", "cli")
    yield served
    process.terminate()
    process.wait(timeout=30)


# Where a command without a server named looks for a run server (`make serve`): none there,
# whether or not the developer running the tests has one serving the checkout.
NO_RUN_SERVER = {"TMPDIR": tempfile.mkdtemp(prefix="suanli-no-run-server-")}


def environment(socket: Path | None, env: dict[str, str] | None) -> dict[str, str]:
    """This process's environment naming the server at `socket` (None: none) to both programs."""
    names = (DBT_VARIABLE, CLI_VARIABLE)
    environment = {key: value for key, value in os.environ.items() if key not in names}
    if socket is not None:
        environment.update(dict.fromkeys(names, str(socket)))
    else:
        environment.update(NO_RUN_SERVER)
    return {**environment, **(env or {})}


def command(
    argv: list[str], cwd: Path, socket: Path | None, env: dict[str, str] | None, **popen
) -> subprocess.Popen[str]:
    """`argv` started in `cwd`, with the server at `socket` named (None: none), output kept."""
    return subprocess.Popen(
        argv, env=environment(socket, env), cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen,
    )  # fmt: skip


def suanli_dbt(
    socket: Path | None, *args: str, env: dict[str, str] | None = None, **popen
) -> subprocess.Popen[str]:
    """`suanli-dbt ARGS` in the project, in the server at `socket` (None: none named)."""
    return command([str(SUANLI_DBT), *args], DBT_PROJECT_DIR, socket, env, **popen)


def suanli_cli(
    socket: Path | None, *args: str, env: dict[str, str] | None = None, **popen
) -> subprocess.Popen[str]:
    """`python -m suanli.cli ARGS` from the repository, in the server at `socket`."""
    return command([*CLI, *args], REPO_ROOT, socket, env, **popen)


def outcome(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()  # and, through the server, its child
        process.communicate()
        raise
    return process.returncode, out, err


def test_a_dbt_command_in_the_server_prints_and_exits_as_it_does_alone(server: Server) -> None:
    # a usage error: dbt's own message on stderr and its exit code 2, whoever runs it
    before = len(server.children())
    alone = outcome(suanli_dbt(None, "nonsense"))
    forked = outcome(suanli_dbt(server.socket, "nonsense"))
    assert alone[0] == 2 and "No such command 'nonsense'" in alone[2]
    assert forked == alone
    code, out, _ = outcome(suanli_dbt(server.socket, "--version"))
    assert code == 0 and "installed: 1.11." in out
    assert [command for _, command in server.children(before)] == [
        "dbt nonsense", "dbt --version"
    ]  # fmt: skip


def test_materialize_in_the_server_prints_and_exits_as_it_does_alone(server: Server) -> None:
    # its help, and a refusal with exit code 2 once Dagster and the pipeline are imported
    before = len(server.children())
    help_alone = outcome(suanli_cli(None, "materialize", "--help"))
    assert help_alone[0] == 0 and "--years" in help_alone[1]
    assert outcome(suanli_cli(server.socket, "materialize", "--help")) == help_alone
    alone = outcome(suanli_cli(None, "materialize", "--years", "1900"))
    assert alone[0] == 2 and "no partition for 1900" in alone[2]
    assert outcome(suanli_cli(server.socket, "materialize", "--years", "1900")) == alone
    assert [command for _, command in server.children(before)] == [
        "cli materialize --help", "cli materialize --years 1900"
    ]  # fmt: skip


def test_only_materialize_is_handed_over(server: Server) -> None:
    # the light commands import little: a fork of the run's imports would change, not speed them
    before = len(server.lines("child")) + len(server.lines("declined"))
    code, out, _ = outcome(suanli_cli(server.socket, "explain", "--help"))
    assert code == 0 and "河北" in out
    assert len(server.lines("child")) + len(server.lines("declined")) == before


def test_without_a_server_answering_a_command_runs_itself(tmp_path: Path) -> None:
    code, out, _ = outcome(suanli_dbt(tmp_path / "nobody.sock", "--version"))
    assert code == 0 and "installed: 1.11." in out
    code, out, _ = outcome(suanli_cli(tmp_path / "nobody.sock", "materialize", "--help"))
    assert code == 0 and "--years" in out


def test_a_server_that_ends_before_it_forks_leaves_the_command_to_run_itself(
    tmp_path: Path,
) -> None:
    # it died importing, or was killed, with commands waiting: none of them ran, each runs here
    path = tmp_path / "dying.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def take_the_request_and_die() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()

    dying = threading.Thread(target=take_the_request_and_die)
    dying.start()
    try:
        code, out, err = outcome(suanli_dbt(path, "--version"))
    finally:
        dying.join(timeout=30)
        listener.close()
    assert code == 0 and "installed: 1.11." in out, err
    assert "went away" not in err


def as_a_shell_starts_it(ignored: tuple[int, ...] = ()) -> None:
    """SIGINT and SIGTERM as a shell leaves them to a command it starts, but for `ignored`: a
    CI job's background shell ignores SIGINT, a pytest-xdist worker SIGTERM, and the commands
    they start inherit that (so would the command run alone, and so does its child)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN if number in ignored else signal.SIG_DFL)


def long_query(
    server: Server | None, scratch: Path, *, busy: bool = False, ignored: tuple[int, ...] = ()
) -> subprocess.Popen[str]:
    """A dbt command that runs until it is stopped, on a scratch target: idle (DuckDB opening a
    named pipe no one writes to, which no signal but a fatal one ends) or `busy` (DuckDB
    counting to 10^12, which an interrupt stops); it ignores the `ignored` signals."""
    (scratch / "target").mkdir(parents=True)
    (scratch / "w").mkdir()
    (scratch / "target" / PARSED.name).write_bytes(PARSED.read_bytes())
    os.mkfifo(scratch / "never_written.csv")
    query = (
        "select count(*) as n from range(1000000000000)"
        if busy
        else f"select * from read_csv('{scratch / 'never_written.csv'}')"
    )
    return suanli_dbt(
        server.socket if server else None, "show", "--inline", query,
        "--profiles-dir", ".", "--target-path", str(scratch / "target"),
        "--log-path", str(scratch / "logs"),
        env={"SUANLI_WAREHOUSE": str(scratch / "w" / "suanli.duckdb")},
        preexec_fn=lambda: as_a_shell_starts_it(ignored),
    )  # fmt: skip


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def running(scratch: Path) -> None:
    """Wait until the long query's dbt has parsed and started its node (its log says so)."""
    log = scratch / "logs" / "dbt.log"
    wait_for(lambda: log.exists() and "Concurrency" in log.read_text(encoding="utf-8"))
    time.sleep(1)  # DuckDB now waits on the pipe, or counts


def started_child(server: Server, client: subprocess.Popen[str], before: int, scratch: Path) -> int:
    wait_for(lambda: server.children(before))
    ((pid, command),) = server.children(before)
    assert command.startswith("dbt show --inline") and alive(pid)
    running(scratch)
    assert client.poll() is None and alive(pid)
    return pid


def test_a_killed_command_takes_its_child_with_it(server: Server, tmp_path: Path) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path)
    child = started_child(server, client, before, tmp_path)
    client.kill()  # kill -9: nothing of it can forward anything
    client.wait(timeout=30)
    wait_for(lambda: not alive(child), seconds=10)


def test_an_interrupt_reaches_the_child_and_its_exit_is_the_commands(
    server: Server, tmp_path: Path
) -> None:
    alone = long_query(None, tmp_path / "alone", busy=True)
    running(tmp_path / "alone")
    alone.send_signal(signal.SIGINT)
    code_alone = outcome(alone)[0]
    assert code_alone != 0

    before = len(server.children())
    client = long_query(server, tmp_path / "forked", busy=True)
    child = started_child(server, client, before, tmp_path / "forked")
    client.send_signal(signal.SIGINT)  # as dagster-dbt interrupts a step
    assert outcome(client)[0] == code_alone
    assert not alive(child)


def test_a_child_killed_by_a_signal_ends_its_command_by_that_signal(
    server: Server, tmp_path: Path
) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path)
    os.kill(started_child(server, client, before, tmp_path), signal.SIGKILL)  # the OOM killer
    assert outcome(client)[0] == -signal.SIGKILL


def test_a_terminate_reaches_the_child(server: Server, tmp_path: Path) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path)
    child = started_child(server, client, before, tmp_path)
    client.terminate()
    assert outcome(client)[0] == -signal.SIGTERM  # as dbt alone: no handler of its own
    assert not alive(child)


def test_a_signal_the_command_ignores_its_child_ignores(server: Server, tmp_path: Path) -> None:
    # what a pytest-xdist worker, which ignores SIGTERM, passes on to the commands it starts
    before = len(server.children())
    client = long_query(server, tmp_path, ignored=(signal.SIGTERM,))
    child = started_child(server, client, before, tmp_path)
    client.terminate()
    os.kill(child, signal.SIGTERM)
    time.sleep(1)
    assert client.poll() is None and alive(child)
    client.kill()
    client.wait(timeout=30)
    wait_for(lambda: not alive(child), seconds=10)


DBT_VERSION = (suanli_dbt, ("--version",), "installed: 1.11.")
MATERIALIZE_HELP = (suanli_cli, ("materialize", "--help"), "--years")


@pytest.mark.parametrize(
    ("command", "env", "reason"),
    [
        (DBT_VERSION, {"PYTHONPATH": "/copy"}, "PYTHONPATH"),  # a copy of the project
        (DBT_VERSION, {"TZ": "Asia/Shanghai"}, "TZ"),
        (MATERIALIZE_HELP, {"MPLBACKEND": "svg"}, "MPLBACKEND"),  # what the report draws with
        (MATERIALIZE_HELP, {"DAGSTER_TIMEZONE": "UTC"}, "DAGSTER_TIMEZONE"),  # not its home
    ],
)
def test_a_command_with_other_start_up_settings_runs_itself(
    server: Server, command: tuple, env: dict[str, str], reason: str
) -> None:
    # what the server's preloaded modules read as they were imported would not be the command's
    start, args, shown = command
    before = len(server.lines("declined"))
    code, out, _ = outcome(start(server.socket, *args, env=env))
    assert code == 0 and shown in out
    (declined,) = server.lines("declined", before)
    assert declined.endswith(f" {' '.join(args)}: other start-up settings ({reason})")


def test_a_command_with_other_python_options_runs_itself(server: Server) -> None:
    before = len(server.lines("declined"))
    argv = [sys.executable, "-X", "dev", "-m", "suanli.cli", "materialize", "--help"]
    code, out, _ = outcome(command(argv, REPO_ROOT, server.socket, None))
    assert code == 0 and "--years" in out
    (declined,) = server.lines("declined", before)
    assert declined.startswith("cli materialize --help: another Python, or other options of it")


def test_a_dbt_command_is_forked_whatever_the_report_reads(server: Server) -> None:
    # set by a run (GX's analytics) or by dagster-dbt (a Windows-only switch), read by no dbt
    before = len(server.children())
    env = {"MPLBACKEND": "svg", "GX_ANALYTICS_ENABLED": "true", "PYTHONLEGACYWINDOWSSTDIO": "1"}
    assert outcome(suanli_dbt(server.socket, "--version", env=env))[0] == 0
    assert [command for _, command in server.children(before)] == ["dbt --version"]


def test_a_cli_command_that_leads_its_process_group_is_forked_too(server: Server) -> None:
    # as an interactive shell starts it: a Ctrl-C there goes to its group, and it forwards
    # what it receives to its child's group (below)
    before = len(server.children())
    code, out, _ = outcome(
        suanli_cli(server.socket, "materialize", "--help", start_new_session=True)
    )
    assert code == 0 and "--years" in out
    assert [command for _, command in server.children(before)] == ["cli materialize --help"]


def test_what_a_group_leading_command_receives_reaches_its_child_s_whole_group() -> None:
    """Its child's processes (dbt, Chromium) get a Ctrl-C as they would in the command's own
    group; a command that does not lead its group forwards to its child alone."""
    script = "sleep 60 & sleep 60 & wait"
    group, alone = (
        subprocess.Popen(
            ["sh", "-c", script], start_new_session=True, preexec_fn=as_a_shell_starts_it
        )
        for _ in range(2)
    )
    try:
        wait_for(lambda: len(members(group.pid)) == 3 and len(members(alone.pid)) == 3)
        _forward(f"signal {signal.SIGTERM}\n", group.pid, to_group=True)
        _forward(f"signal {signal.SIGTERM}\n", alone.pid)
        wait_for(lambda: members(group.pid) == [], seconds=10)
        alone.wait(timeout=10)
        assert len(members(alone.pid)) == 2  # its sleeps live on
    finally:
        for process in (group, alone):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def members(group: int) -> list[int]:
    """The live (not zombie) processes of a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == group and fields[0] != "Z":
                    found.append(int(entry.name))
    return found


def test_a_server_runs_only_the_programs_it_serves(tmp_path: Path) -> None:
    dbt_only, process = start_server(tmp_path, "dbt")
    try:
        code, out, _ = outcome(suanli_cli(dbt_only.socket, "materialize", "--help"))
        assert code == 0 and "--years" in out
        assert dbt_only.lines("declined") == ["cli materialize --help: it serves dbt, not cli"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_server_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    socket = tmp_path / "fork.sock"
    starter = subprocess.run(
        [sys.executable, "-c",
         "import os, subprocess, sys, time; "
         f"server = subprocess.Popen({[*SERVER, str(socket)]!r} + ['--starter', str(os.getpid())], "
         "stdout=subprocess.DEVNULL, "
         "stderr=subprocess.DEVNULL); print(server.pid, flush=True); "
         "time.sleep(1)"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    server = int(starter.stdout.split()[0])
    wait_for(lambda: not alive(server), seconds=30)
    assert not socket.exists()


def test_a_process_names_its_own_server_while_inside_and_stops_it_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DBT_VARIABLE, raising=False)  # as `materialize` outside the test session
    monkeypatch.delenv(CLI_VARIABLE, raising=False)
    with fork_server("dbt") as path:
        assert os.environ[DBT_VARIABLE] == path
        assert CLI_VARIABLE not in os.environ
        log = Path(path).with_name("server.log")
        wait_for(lambda: "imports took" in log.read_text(encoding="utf-8"))
        code, out, _ = outcome(suanli_dbt(Path(path), "--version"))
        assert code == 0 and "installed: 1.11." in out
        assert "runs dbt --version" in log.read_text(encoding="utf-8")
    assert DBT_VARIABLE not in os.environ
    assert not Path(path).parent.exists()


def test_a_server_already_named_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DBT_VARIABLE, "/somewhere/fork.sock")
    with fork_server("dbt") as path:
        assert path == "/somewhere/fork.sock"
    assert os.environ[DBT_VARIABLE] == "/somewhere/fork.sock"


def test_the_run_server_serves_materialize_and_its_dbt_builds_unnamed(tmp_path: Path) -> None:
    """`python -m suanli.cli serve`: commands of this checkout find it without a variable."""
    runtime = Path(tempfile.mkdtemp(prefix="srv", dir="/tmp"))  # a socket's path is short
    env = {"TMPDIR": str(runtime)}
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as out:
        serving = subprocess.Popen(
            [*CLI, "serve", "--idle-minutes", "5"], env=environment(None, env), cwd=REPO_ROOT,
            stdout=out, stderr=out, preexec_fn=as_a_shell_starts_it,  # Ctrl-C stops it
        )  # fmt: skip
    try:
        wait_for(lambda: log.read_text(encoding="utf-8").count("imports took") == 2)
        code, out, _ = outcome(suanli_cli(None, "materialize", "--help", env=env))
        assert code == 0 and "--years" in out
        code, out, _ = outcome(suanli_dbt(None, "--version", env=env))
        assert code == 0 and "installed: 1.11." in out
        forked = log.read_text(encoding="utf-8")
        assert "runs cli materialize --help" in forked and "runs dbt --version" in forked
        code, _, err = outcome(suanli_cli(None, "serve", env=env))
        assert code == 1 and "a run server already listens" in err
        code, _, err = outcome(suanli_cli(None, "serve", "--idle-minutes", "0", env=env))
        assert code == 2 and "'0' is not a number of minutes above 0" in err
    finally:
        serving.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            assert serving.wait(timeout=30) == 0
            assert list((runtime / f"suanli-{os.getuid()}").glob("*.sock")) == []
        finally:
            serving.kill()
            shutil.rmtree(runtime)


def test_a_server_without_a_command_for_its_idle_time_stops(tmp_path: Path) -> None:
    socket, log = tmp_path / "fork.sock", tmp_path / "server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [*SERVER, str(socket), "--serve", "dbt", "--idle", "0.5"], stdout=out, stderr=out
        )
    assert process.wait(timeout=60) == 0
    assert "no command for 0.5 s, stopping" in log.read_text(encoding="utf-8")
    assert not socket.exists()


def test_a_server_whose_imports_changed_since_it_started_declines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long-lived run server outlives a `pip install` or an edit of what it imported."""
    request = Request(
        "dbt", ["suanli-dbt", "--version"], dict(os.environ), os.getcwd(), sys.executable,
        False, [], interpreter(), suanli.__file__, 0o022, [], b"",
    )  # fmt: skip
    stamp = installed_stamp()
    monkeypatch.setattr(zygote, "_STAMP", stamp)
    assert why_not(request, ("dbt",)) is None
    edited = next(path for path in stamp if path.endswith("zygote.py"))
    monkeypatch.setattr(zygote, "_STAMP", {**stamp, edited: stamp[edited] - 1})
    assert why_not(request, ("dbt",)) == (
        "what the server imported has changed since it started (restart it)"
    )


def test_a_run_server_in_a_folder_others_may_enter_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command hands its server its whole environment, passwords among it: never to a socket
    someone else could have put there."""
    runtime = Path(tempfile.mkdtemp(prefix="srv", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(runtime))  # where run_server_socket looks
    path = zygote.run_server_socket("cli")
    path.parent.mkdir()
    path.parent.chmod(0o755)
    server, process = start_server(tmp_path, "cli", socket=path)
    env = {"TMPDIR": str(runtime)}
    try:
        code, out, _ = outcome(suanli_cli(None, "materialize", "--help", env=env))
        assert code == 0 and "--years" in out
        assert server.children() == []
        code, _, err = outcome(suanli_cli(None, "serve", env=env))
        assert code == 1 and "is not this user's alone (0700)" in err
        path.parent.chmod(0o700)  # the same server, in a folder of the user's alone: used
        assert outcome(suanli_cli(None, "materialize", "--help", env=env))[0] == 0
        assert [command for _, command in server.children()] == ["cli materialize --help"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(runtime)
