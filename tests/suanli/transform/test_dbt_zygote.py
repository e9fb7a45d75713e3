"""The dbt fork server: `suanli-dbt` run in it behaves as `suanli-dbt` run alone, its child
lives and dies with the command that asked for it, and the server with the process that
started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_runs import PARSED, SUANLI_DBT

from suanli.settings import DBT_PROJECT_DIR
from suanli.transform.dbt_command import ZYGOTE_ENV
from suanli.transform.dbt_zygote import dbt_server

pytestmark = pytest.mark.slow  # each test runs dbt

SERVER = [sys.executable, "-m", "suanli.transform.dbt_zygote"]


@dataclass
class Server:
    socket: Path
    log: Path

    def children(self, after: int = 0) -> list[tuple[int, str]]:
        """(pid, arguments) of each command it forked, from its log; those after the first
        `after` (a test's own, the server being the module's)."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [
            (int(line.split()[4]), line.split(" runs ", 1)[1])
            for line in lines
            if line.startswith("dbt fork server: child ")
        ][after:]


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    socket, log = folder / "dbt.sock", folder / "server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([*SERVER, str(socket)], stdout=out, stderr=subprocess.STDOUT)
    wait_for(lambda: "imports took" in log.read_text(encoding="utf-8"))
    yield Server(socket, log)
    process.terminate()
    process.wait(timeout=30)


def suanli_dbt(
    socket: Path | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """`suanli-dbt ARGS` in the project, in the server at `socket` (None: none named)."""
    environment = {key: value for key, value in os.environ.items() if key != ZYGOTE_ENV}
    if socket is not None:
        environment[ZYGOTE_ENV] = str(socket)
    return subprocess.Popen(
        [str(SUANLI_DBT), *args], env={**environment, **(env or {})}, cwd=DBT_PROJECT_DIR,
        text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def outcome(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_a_command_in_the_server_prints_and_exits_as_it_does_alone(server: Server) -> None:
    # a usage error: dbt's own message on stderr and its exit code 2, whoever runs it
    before = len(server.children())
    alone = outcome(suanli_dbt(None, "nonsense"))
    forked = outcome(suanli_dbt(server.socket, "nonsense"))
    assert alone[0] == 2 and "No such command 'nonsense'" in alone[2]
    assert forked == alone
    code, out, _ = outcome(suanli_dbt(server.socket, "--version"))
    assert code == 0 and "installed: 1.11." in out
    assert [arguments for _, arguments in server.children(before)] == ["nonsense", "--version"]


def test_without_a_server_answering_it_runs_dbt_itself(tmp_path: Path) -> None:
    code, out, _ = outcome(suanli_dbt(tmp_path / "nobody.sock", "--version"))
    assert code == 0 and "installed: 1.11." in out


def long_query(server: Server, scratch: Path, *, busy: bool = False) -> subprocess.Popen[str]:
    """A dbt command that runs until it is stopped, on a scratch target: idle (DuckDB opening a
    named pipe no one writes to, which no signal but a fatal one ends) or `busy` (DuckDB
    counting to 10^12, which an interrupt stops)."""
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
        server.socket, "show", "--inline", query,
        "--profiles-dir", ".", "--target-path", str(scratch / "target"),
        "--log-path", str(scratch / "logs"),
        env={"SUANLI_WAREHOUSE": str(scratch / "w" / "suanli.duckdb")},
    )  # fmt: skip


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def started_child(server: Server, client: subprocess.Popen[str], before: int) -> int:
    wait_for(lambda: server.children(before))
    ((pid, arguments),) = server.children(before)
    assert arguments.startswith("show --inline") and alive(pid)
    time.sleep(3)  # dbt parses, then DuckDB waits on the pipe or counts
    assert client.poll() is None and alive(pid)
    return pid


def test_a_killed_command_takes_its_dbt_child_with_it(server: Server, tmp_path: Path) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path)
    child = started_child(server, client, before)
    client.kill()  # kill -9: nothing of it can forward anything
    client.wait(timeout=30)
    wait_for(lambda: not alive(child), seconds=10)


def test_an_interrupt_reaches_the_dbt_child_and_its_exit_is_the_commands(
    server: Server, tmp_path: Path
) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path, busy=True)
    child = started_child(server, client, before)
    client.send_signal(signal.SIGINT)  # as dagster-dbt interrupts a step
    code, _, _ = outcome(client)
    assert code != 0
    assert not alive(child)


def test_a_child_killed_by_a_signal_ends_its_command_by_that_signal(
    server: Server, tmp_path: Path
) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path)
    os.kill(started_child(server, client, before), signal.SIGKILL)  # the kernel's OOM killer, say
    assert outcome(client)[0] == -signal.SIGKILL


def test_a_terminate_reaches_the_dbt_child(server: Server, tmp_path: Path) -> None:
    before = len(server.children())
    client = long_query(server, tmp_path)
    child = started_child(server, client, before)
    client.terminate()
    assert outcome(client)[0] != 0
    assert not alive(child)


def test_a_command_with_another_pythonpath_runs_dbt_itself(server: Server) -> None:
    # a copy of the project runs its own code: the server's imports are not its
    before = len(server.children())
    code, out, _ = outcome(suanli_dbt(server.socket, "--version", env={"PYTHONPATH": "/copy"}))
    assert code == 0 and "installed: 1.11." in out
    assert server.children(before) == []


def test_the_server_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    socket = tmp_path / "dbt.sock"
    starter = subprocess.run(
        [sys.executable, "-c",
         "import os, subprocess, sys, time; "
         f"server = subprocess.Popen({[*SERVER, str(socket)]!r} + [str(os.getpid())], "
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
    monkeypatch.delenv(ZYGOTE_ENV, raising=False)  # as `materialize` outside the test session
    with dbt_server() as path:
        assert os.environ[ZYGOTE_ENV] == path
        log = Path(path).with_name("server.log")
        wait_for(lambda: "imports took" in log.read_text(encoding="utf-8"))
        code, out, _ = outcome(suanli_dbt(Path(path), "--version"))
        assert code == 0 and "installed: 1.11." in out
        assert "runs --version" in log.read_text(encoding="utf-8")
    assert ZYGOTE_ENV not in os.environ
    assert not Path(path).parent.exists()


def test_a_server_already_named_is_the_one_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ZYGOTE_ENV, "/somewhere/dbt.sock")
    with dbt_server() as path:
        assert path == "/somewhere/dbt.sock"
    assert os.environ[ZYGOTE_ENV] == "/somewhere/dbt.sock"
