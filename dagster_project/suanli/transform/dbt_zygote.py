"""A dbt fork server: dbt imported once, each `suanli-dbt` command a fork of it.

Every dbt process spends about 2.2 s of CPU importing dbt, its DuckDB adapter and what the
Python models import (pandas, SciPy through SALib) before it reads a file. A process that runs
many dbt commands (a test session: 40 of them) can start this server once, `python -m
suanli.transform.dbt_zygote SOCKET`, and set `SUANLI_DBT_ZYGOTE=SOCKET` for the commands it
starts. `suanli-dbt` then hands its arguments, environment, working directory and standard
streams to the server, which forks a child that runs dbt with them, exactly as `suanli-dbt`
would have, and `suanli-dbt` exits as that child does (code or signal). Without the variable,
or when no server answers on the socket, `suanli-dbt` runs dbt itself.

The child is tied to the command that asked for it: SIGINT and SIGTERM sent to `suanli-dbt`
(dagster-dbt interrupting a step) reach the child, and if `suanli-dbt` dies (kill -9 of a run's
process group) the server kills the child at once, as the group's kill would have. Only
third-party modules are imported ahead (`PRELOAD`); suanli's own, but for this module and the
package's `__init__`, are imported by each child, so a changed working copy is what runs, and a
command from another interpreter or PYTHONPATH (a copy of the project) is declined: it runs dbt
itself. The server's loop runs on one thread (the only other threads are OpenBLAS's, which
numpy starts and which survive a fork by design); it ends with the process that started it, and
its children with it.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from suanli.transform.dbt_command import ZYGOTE_ENV

# What every dbt command imports, and the Python models' heavy imports.
PRELOAD = (
    "dbt.cli.main",
    "dbt.adapters.duckdb",
    "dbt.adapters.duckdb.impl",
    "dbt.adapters.duckdb.environments.local",
    "dbt.task.build",
    "numpy",
    "pandas",
    "scipy.stats",
    "SALib.analyze.sobol",
)
STREAMS = (0, 1, 2)
FORWARDED = (signal.SIGINT, signal.SIGTERM)
POLL_SECONDS = 0.05


# --------------------------------------------------------------------------------- starting


@contextmanager
def dbt_server() -> Iterator[str]:
    """A dbt fork server for the commands this process starts while inside (named to them in
    this process's environment), stopped on leaving; or the one already named, if any. The
    server imports dbt while this process does other work (a run's first steps)."""
    if os.environ.get(ZYGOTE_ENV):
        yield os.environ[ZYGOTE_ENV]
        return
    # mkdtemp's folder is the user's alone (0700): no one else can connect. Short: a socket's
    # path has at most 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="suanli-dbt-"))
    path = str(folder / "dbt.sock")
    with (folder / "server.log").open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "suanli.transform.dbt_zygote", path, str(os.getpid())],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C meant for the run reaches dbt through suanli-dbt
        )  # fmt: skip
    os.environ[ZYGOTE_ENV] = path
    try:
        yield path
    finally:
        os.environ.pop(ZYGOTE_ENV, None)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------- client


def run_in_zygote(path: str, argv: list[str]) -> int | None:
    """Run `argv` (suanli-dbt's) in the server at `path`; its exit code (a signal that ended
    it is raised on this process, as if dbt had received it here). None when no server answers
    or it declines (another interpreter or PYTHONPATH): the caller runs dbt itself, and a
    signal that came meanwhile is raised on this process again."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    received: list[int] = []
    sent = False

    def forward(number: int, _frame: object) -> None:
        received.append(number)
        if sent:  # before, the request carries them
            _send(connection, f"signal {number}\n")

    previous = {number: signal.signal(number, forward) for number in FORWARDED}
    reply = b""
    try:
        request = {
            "argv": argv, "env": dict(os.environ), "cwd": os.getcwd(),
            "executable": sys.executable,
        }  # fmt: skip
        payload = json.dumps(request).encode()
        try:
            connection.connect(path)
            socket.send_fds(connection, [f"{len(payload)}\n".encode()], list(STREAMS))
            connection.sendall(payload)
        except OSError:  # no server there (any more): nothing of the command ran
            pass
        else:
            sent = True
            for number in received:
                _send(connection, f"signal {number}\n")
            while not reply.endswith(b"\n"):
                try:
                    chunk = connection.recv(64)
                except OSError:
                    chunk = b""
                if not chunk:  # dbt may have run in part: never run it a second time here
                    print(f"suanli-dbt: the dbt fork server at {path} went away", file=sys.stderr)
                    return 1
                reply += chunk
    finally:
        connection.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    kind, _, number = reply.decode().strip().partition(" ")
    if kind not in ("exit", "signal"):  # no server, or declined: dbt runs here
        for signal_number in received:
            os.kill(os.getpid(), signal_number)
        return None
    if kind == "signal":
        with contextlib.suppress(OSError, ValueError):  # SIGKILL's action cannot be set
            signal.signal(int(number), signal.SIG_DFL)
        os.kill(os.getpid(), int(number))
    return int(number)


def _send(connection: socket.socket, message: str) -> None:
    with contextlib.suppress(OSError):  # the other end is gone: its reader finds out
        connection.sendall(message.encode())


# ---------------------------------------------------------------------------------- server

READ_TIMEOUT_SECONDS = 5  # a client that connects and sends nothing does not hold the server


@dataclass
class Request:
    argv: list[str]
    env: dict[str, str]
    cwd: str
    executable: str
    streams: list[int]
    after: bytes  # what the client sent after the request: signals it forwarded already


def read_request(connection: socket.socket) -> Request:
    """The request and the client's three streams; raises ValueError (or OSError) for a bad
    or slow one, having closed any streams it received."""
    connection.settimeout(READ_TIMEOUT_SECONDS)
    streams: list[int] = []
    try:
        data, streams, _, _ = socket.recv_fds(connection, 65536, len(STREAMS))
        if len(streams) != len(STREAMS):
            raise ValueError(f"{len(streams)} standard streams passed, not {len(STREAMS)}")
        while b"\n" not in data:
            data += _recv(connection)
        length, _, payload = data.partition(b"\n")
        while len(payload) < int(length):
            payload += _recv(connection)
        fields = json.loads(payload[: int(length)])
        request = Request(
            fields["argv"], fields["env"], fields["cwd"], fields["executable"], streams,
            payload[int(length):],
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as error:
        for descriptor in streams:
            os.close(descriptor)
        raise ValueError(f"a bad request ({error!r})") from error
    connection.settimeout(None)
    return request


def _recv(connection: socket.socket) -> bytes:
    chunk = connection.recv(65536)
    if not chunk:
        raise ValueError("the client closed the connection mid-request")
    return chunk


def same_interpreter(request: Request) -> bool:
    """Whether a fork of this server runs what `suanli-dbt` would run in the client's own
    process: the same Python and the same PYTHONPATH (a copy of the project has its own)."""
    return request.executable == sys.executable and request.env.get(
        "PYTHONPATH", ""
    ) == os.environ.get("PYTHONPATH", "")


def run_child(request: Request, inherited: list[int]) -> None:
    """In the forked child: become the `suanli-dbt` that asked, run dbt, exit as it exits."""
    code = 1
    try:
        _die_with_parent()
        for descriptor in inherited:  # the listening socket, the other clients' connections
            os.close(descriptor)
        for number in (*FORWARDED, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
        for target, descriptor in zip(STREAMS, request.streams, strict=True):
            os.dup2(descriptor, target)
            os.close(descriptor)
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.env)
        sys.argv = list(request.argv)
        from suanli.transform.dbt_command import run_dbt

        run_dbt()
    except SystemExit as exit_:
        if isinstance(exit_.code, int) or exit_.code is None:
            code = exit_.code or 0
        else:  # sys.exit("message"): printed, as the interpreter would
            print(exit_.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()  # what the interpreter's exit would run (log handlers)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _die_with_parent() -> None:
    """The child is killed if the server dies (even by SIGKILL): it would otherwise hold its
    client's output open with no one to report its end."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _status_line(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}\n"
    return f"exit {os.WEXITSTATUS(status)}\n"


def serve(path: str, parent: int | None = None, log=sys.stderr) -> None:
    """Listen on `path`, import `PRELOAD`, then fork a dbt child per request until the process
    that started it, `parent` (its pid, given by the starter: read here it could already be
    init's), is gone, or SIGTERM."""
    parent = os.getppid() if parent is None else parent
    Path(path).unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)  # commands that come while dbt imports wait for it, no longer
    started = time.perf_counter()
    for module in PRELOAD:
        importlib.import_module(module)
    print(f"dbt fork server on {path}: imports took {time.perf_counter() - started:.1f} s",
          file=log, flush=True)  # fmt: skip
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    children: dict[int, socket.socket] = {}  # child pid → its client's connection
    try:
        while not stopping and os.getppid() == parent:  # else its starter is gone
            for key, _ in selector.select(POLL_SECONDS):
                if key.fileobj is listener:
                    _accept(listener, selector, children, log)
                elif not _from_client(key.fileobj, key.data):
                    selector.unregister(key.fileobj)  # gone: its child is reaped below
            _reap(children, selector)
    finally:
        for pid in children:
            _kill(pid, signal.SIGKILL)
        listener.close()
        Path(path).unlink(missing_ok=True)


def _accept(
    listener: socket.socket,
    selector: selectors.BaseSelector,
    children: dict[int, socket.socket],
    log,
) -> None:
    """One request: fork its child, or say why not and go on serving the others."""
    try:
        connection, _ = listener.accept()
    except OSError as error:  # out of descriptors: the client retries nothing, it waits
        print(f"dbt fork server: accept failed ({error!r})", file=log, flush=True)
        return
    try:
        request = read_request(connection)
    except ValueError as error:
        print(f"dbt fork server: {error}", file=log, flush=True)
        connection.close()
        return
    if not same_interpreter(request):
        for descriptor in request.streams:
            os.close(descriptor)
        _send(connection, "declined\n")
        connection.close()
        return
    inherited = [listener.fileno(), connection.fileno(), selector.fileno()] + [
        kept.fileno() for kept in children.values()
    ]
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # A SIGTERM meant for the child, between the fork and its own handlers, would meet the
    # server's: the signals wait until the child has reset them.
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    try:
        pid = os.fork()
    except OSError as error:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
        print(f"dbt fork server: fork failed ({error!r})", file=log, flush=True)
        for descriptor in request.streams:
            os.close(descriptor)
        connection.close()  # the client says the server went away and exits 1
        return
    if pid == 0:
        run_child(request, inherited)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    for descriptor in request.streams:
        os.close(descriptor)
    children[pid] = connection
    selector.register(connection, selectors.EVENT_READ, pid)
    print(f"dbt fork server: child {pid} runs {' '.join(request.argv[1:])}", file=log, flush=True)
    _forward(request.after.decode(errors="replace"), pid)


def _from_client(connection: socket.socket, pid: int) -> bool:
    """A client forwards a signal (True), or has gone, killed: its child is killed with it
    (False)."""
    try:
        message = connection.recv(64).decode(errors="replace")
    except OSError:
        message = ""
    if not message:
        _kill(pid, signal.SIGKILL)
        return False
    _forward(message, pid)
    return True


def _forward(message: str, pid: int) -> None:
    for line in message.splitlines():
        kind, _, number = line.partition(" ")
        if kind == "signal" and number.isdigit():
            _kill(pid, int(number))


def _kill(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just ended
        os.kill(pid, number)


def _reap(children: dict[int, socket.socket], selector: selectors.BaseSelector) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is None:
            continue
        if connection in selector.get_map():  # not if its client has gone already
            selector.unregister(connection)
        _send(connection, _status_line(status))
        connection.close()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
