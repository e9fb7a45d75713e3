"""A fork server: a command's heavy imports done once, each command a fork of them.

Every dbt process spends about 2.2 s of CPU importing dbt, its DuckDB adapter and what the
Python models import (pandas, SciPy through SALib) before it reads a file; every `python -m
suanli.cli materialize` about 5 s importing Dagster, dbt, Great Expectations and what the report
draws with. A process that starts many such commands (a test session: some 40 dbt builds and 30
runs) can start a server once, `python -m suanli.zygote SOCKET --serve dbt` (or `cli`), and name
it to the commands it starts in the program's variable (`PROGRAMS`). The command (`suanli-dbt`,
or `python -m suanli.cli materialize`) then hands its arguments, environment, working directory
and standard streams to the server, which forks a child that runs the command with them, as the
command would have in its own process, and the command exits as that child does (code or
signal, an unhandled Ctrl-C included). Without the variable, or when no server answers on the
socket, declines, or ends before it forks, the command runs in its own process.

`python -m suanli.cli serve` (`make serve`, `run_server`) keeps a `cli` and a `dbt` server for
a user's checkout while they iterate, at sockets the commands find without a variable
(`run_server_socket`); it stops on Ctrl-C or after an idle time.

The child is tied to the command that asked for it: SIGINT and SIGTERM sent to the command
(dagster-dbt interrupting a step) reach the child (its whole group, when the command leads its
own group as an interactive shell starts it: a Ctrl-C there), signals the command ignores the
child ignores, and if the command dies (kill -9 of a run's process group) the server kills the
child at once, with the processes it started (a `cli` child leads a process group of its own).
Only third-party modules are imported ahead; suanli's own, but for this module, its
`suanli.ending`, the package's `__init__` and what that imports (`suanli.dagster_storage`; under
`serve` also `suanli.cli`'s `suanli.settings`), are imported by each child, so a changed working
copy is what runs. The server declines what a fork would not run as the command's own process
would: another interpreter or other options of it, another `suanli` (a copy of the project),
another setting read when the preloaded modules were imported (locale, time zone, home,
`PYTHON*`, NumPy's, pandas', SciPy's; for `cli` also `DAGSTER_*` but its home, gRPC's,
matplotlib's, GX's), and any command once a package or a module the server imported itself has
changed since it started (`installed_stamp`). What differs still: the child's pid, parent,
controlling terminal, resource limits and CPU affinity are not the command's (its umask and
temporary folder are), a Ctrl-Z stops the command but not its child, its hash seed and NumPy's
legacy global generator are the server's (suanli seeds its own), and warnings shown while the
server imported are not shown again. It ends as the command ends alone (`suanli.ending`). The
server's loop runs on one thread (the only other threads, checked with every preload, are
OpenBLAS's, which survive a fork by design); it ends with the process that started it (or,
given one, after an idle time), its children with it.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import hashlib
import importlib
import json
import os
import runpy
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR
from typing import Any, NoReturn, TextIO

import suanli
from suanli.ending import run_then_exit


@dataclass(frozen=True)
class Program:
    variable: str  # names the server's socket to the program's commands
    preload: tuple[str, ...]  # what its commands import, imported ahead
    # The environment read as they are imported (prefixes): a fork would keep the server's.
    start_settings: tuple[str, ...]
    # Starts processes of its own: its child leads a process group, which its client's death
    # kills whole, and which gets the signals of a client that leads its own.
    own_processes: bool


# What every dbt command imports, and the Python models' heavy imports.
DBT_PRELOAD = (
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
# What `materialize` (the only command handed over) imports beyond dbt: Dagster, the checks,
# the exports and the report.
CLI_PRELOAD = (
    "dagster",
    "dagster_dbt",
    "great_expectations",
    "great_expectations.render.view",
    "matplotlib.pyplot",
    "altair",
    "openpyxl",
    "xlsxwriter",
    "sqlglot",
    "sqlalchemy",
    "alembic",
    "duckdb",
    "grpc",
)
# The interpreter's, NumPy's, pandas' and SciPy's (some read as they are imported).
INTERPRETER_SETTINGS = (
    "PYTHON", "LANG", "LC_", "TZ", "HOME", "XDG_", "OPENBLAS_", "OMP_", "MKL_", "NPY_", "NUMPY_",
    "PANDAS_", "SCIPY_",
)  # fmt: skip
# Read at run time, or not on this platform (dagster-dbt sets the Windows switch for dbt).
NOT_READ_AT_IMPORT = {"DAGSTER_HOME", "PYTHONLEGACYWINDOWSSTDIO"}
PROGRAMS = {
    "dbt": Program("SUANLI_DBT_ZYGOTE", DBT_PRELOAD, INTERPRETER_SETTINGS, own_processes=False),
    "cli": Program(
        "SUANLI_CLI_ZYGOTE",
        DBT_PRELOAD + CLI_PRELOAD,
        # Dagster's, gRPC's, matplotlib's (its backend and home), Qt's and GX's analytics.
        (*INTERPRETER_SETTINGS, "DAGSTER_", "GRPC_", "MPL", "QT_API", "DISPLAY", "GX_"),
        own_processes=True,
    ),
}
STREAMS = (0, 1, 2)
FORWARDED = (signal.SIGINT, signal.SIGTERM)
RESET = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
POLL_SECONDS = 0.05
_in_child = False  # this process is a server's child: its command runs here


# --------------------------------------------------------------------------------- starting


@contextmanager
def fork_server(*programs: str, discover: bool = False) -> Iterator[str]:
    """A fork server for `programs`' commands that this process starts while inside (named to
    them in this process's environment), stopped on leaving; or the one already named, if every
    program has one, or with `discover`, in a run the run server (`python -m suanli.cli serve`)
    forked, the run server's, which the commands find themselves. The server imports while this
    process does other work (a run's first steps)."""
    variables = [PROGRAMS[program].variable for program in programs]
    if all(os.environ.get(variable) for variable in variables):
        yield os.environ[variables[0]]
        return
    # A run the run server forked uses its servers too (a run that was declined, or started
    # without one, starts its own: the run server would decline its dbt builds as well).
    if discover and _in_child:
        served = [run_server_socket(program) for program in programs]
        if all(_ours(path) for path in served):
            yield str(served[0])
            return
    # mkdtemp's folder is the user's alone (0700): no one else can connect. Short: a socket's
    # path has at most 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="suanli-fork-"))
    path = str(folder / "fork.sock")
    with (folder / "server.log").open("w", encoding="utf-8") as log:
        server = _start_server(path, programs, stdout=log, stderr=subprocess.STDOUT)
    previous = {variable: os.environ.get(variable) for variable in variables}
    os.environ.update(dict.fromkeys(variables, path))
    try:
        yield path
    finally:
        for variable, value in previous.items():
            if value is None:
                os.environ.pop(variable, None)
            else:
                os.environ[variable] = value
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)


def _start_server(path: str, programs: Sequence[str], **popen: Any) -> subprocess.Popen:
    """`python -m suanli.zygote PATH --serve PROGRAMS`, which ends with this process. In a
    session of its own: a Ctrl-C meant for this process (a run: it reaches dbt through
    suanli-dbt) is not the server's."""
    return subprocess.Popen(
        [sys.executable, "-m", "suanli.zygote", path, "--starter", str(os.getpid()),
         "--serve", *programs],
        stdin=subprocess.DEVNULL, start_new_session=True, **popen,
    )  # fmt: skip


def stop_server(server: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM (it ends its children, removes its socket), then SIGKILL after `timeout` s."""
    server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_server(idle_seconds: float) -> int:
    """`python -m suanli.cli serve`: serve this checkout's `materialize` commands (here, in the
    foreground) and their dbt builds (a server of its own, which ends with this one) at their
    `run_server_socket`s, until Ctrl-C or `idle_seconds` without a run; 1 if one serves already."""
    paths = {program: run_server_socket(program) for program in ("cli", "dbt")}
    folder = paths["cli"].parent
    folder.mkdir(mode=0o700, exist_ok=True)
    if not _private(folder):
        print(f"serve: {folder} is not this user's alone (0700): no server there", file=sys.stderr)
        return 1
    # Held while it serves: a second `serve` of the checkout stops here, and never takes (then
    # removes, as it ends) the sockets of the first.
    lock = (folder / f"{paths['cli'].stem}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"serve: a run server already listens on {paths['cli']}", file=sys.stderr)
        lock.close()
        return 1
    print(
        f"run server on {paths['cli']}: `python -m suanli.cli materialize` (and `make run`) from "
        "this checkout forks from it, with Dagster, dbt, GX and the report's libraries imported, "
        f"and so do its dbt builds. Ctrl-C stops it, and the runs it forked; so do "
        f"{idle_seconds / 60:g} min without a run.",
        file=sys.stderr,
        flush=True,
    )
    dbt_server = _start_server(str(paths["dbt"]), ["dbt"])
    try:
        with contextlib.suppress(KeyboardInterrupt):  # (before serve() takes Ctrl-C over)
            serve(str(paths["cli"]), served=("cli",), idle=idle_seconds)
    finally:
        stop_server(dbt_server)
        lock.close()
    return 0


# ---------------------------------------------------------------------------------- client


def run_server_socket(program: str) -> Path:
    """Where `python -m suanli.cli serve` serves `program`'s commands, for them to find it: one
    per user, checkout and Python (in a folder of the user's alone; short, for a socket's path
    has at most 108 bytes)."""
    digest = hashlib.sha256(f"{suanli.__file__}\0{sys.executable}".encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"suanli-{os.getuid()}" / f"{program}-{digest}.sock"


def _private(folder: Path) -> bool:
    """The folder is this user's, and no one else's to enter: a command hands a server its
    whole environment (passwords among it)."""
    try:
        stat = folder.lstat()
    except OSError:
        return False
    return S_ISDIR(stat.st_mode) and stat.st_uid == os.getuid() and not stat.st_mode & 0o077


def _ours(path: Path) -> bool:
    """A run server's socket there, in a folder of this user's alone."""
    return path.exists() and _private(path.parent)


def hand_over(program: str) -> None:
    """Run this command (`sys.argv`) in the fork server its program's variable names (unnamed:
    the run server's, if one serves this checkout), and exit as it ends there; return, for it
    to run here, when there is none, none answers, it declines, or this process is already a
    server's child."""
    path = os.environ.get(PROGRAMS[program].variable)
    if not path and _ours(found := run_server_socket(program)):
        path = str(found)
    if _in_child or not path:
        return
    code = run_in_zygote(path, program, sys.argv)
    if code is not None:
        sys.exit(code)


def run_in_zygote(path: str, program: str, argv: list[str]) -> int | None:
    """Run `argv` (a `program` command's) in the server at `path`; its exit code (a signal that
    ended it is raised on this process, as if the command had received it here). None when no
    server answers or it declines: the caller runs the command itself, and a signal that came
    meanwhile is raised on this process again."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    received: list[int] = []
    sent = False
    forwarded = 0  # of `received`, how many went to the server
    # What this process ignores, as inherited (a pytest-xdist worker's SIGTERM): the child too.
    ignored = [int(number) for number in RESET if signal.getsignal(number) == signal.SIG_IGN]

    def send_received() -> None:
        nonlocal forwarded
        while forwarded < len(received):
            forwarded += 1
            _send(connection, f"signal {received[forwarded - 1]}\n")

    def forward(number: int, _frame: object) -> None:
        received.append(number)
        if sent:  # before, they follow the request (below)
            send_received()

    previous = {
        number: signal.signal(number, forward) for number in FORWARDED if number not in ignored
    }
    reply = b""
    try:
        request = {
            "program": program, "argv": argv, "env": dict(os.environ), "cwd": os.getcwd(),
            "executable": sys.executable, "group_leader": os.getpgrp() == os.getpid(),
            "ignored": ignored, "interpreter": interpreter(), "package": suanli.__file__,
            "umask": _umask(),
        }  # fmt: skip
        payload = json.dumps(request).encode()
        try:
            connection.connect(path)
            _same_user(connection)  # it is handed the whole environment, passwords among it
            socket.send_fds(connection, [f"{len(payload)}\n".encode()], list(STREAMS))
            connection.sendall(payload)
        except OSError:  # no server there (any more): nothing of the command ran
            pass
        else:
            sent = True
            send_received()  # what came while the request was sent
            reply = _reply(connection)
            if reply is None:
                # It may have run in part: never run it a second time here.
                print(f"{program}: the fork server at {path} went away", file=sys.stderr)
                return 1
    finally:
        connection.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    kind, _, number = reply.decode().strip().partition(" ")
    if kind not in ("exit", "signal"):  # no server, or declined: the command runs here
        for signal_number in received:
            os.kill(os.getpid(), signal_number)
        return None
    if kind == "signal":
        with contextlib.suppress(OSError, ValueError):  # SIGKILL's action cannot be set
            signal.signal(int(number), signal.SIG_DFL)
        os.kill(os.getpid(), int(number))
    return int(number)


def _reply(connection: socket.socket) -> bytes | None:
    """The server's last line: `exit N` or `signal N` once the child has ended, `declined`; or
    b"" when the connection closed before `started` (no child: the command may run here), None
    when it closed after (the child may have run in part)."""
    received, started = b"", False
    while True:
        while b"\n" not in received:
            try:
                chunk = connection.recv(64)
            except OSError:
                chunk = b""
            if not chunk:
                return None if started else b""
            received += chunk
        line, _, received = received.partition(b"\n")
        if line.startswith(b"started "):
            started = True
            continue
        return line + b"\n"


def _same_user(connection: socket.socket) -> None:
    """Raises PermissionError unless the process at the other end is this user's."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    _pid, uid, _gid = struct.unpack("3i", credentials)
    if uid != os.getuid():
        raise PermissionError(f"the server at {connection.getpeername()} is user {uid}'s")


def _umask() -> int:
    mask = os.umask(0o077)  # (the only way to read it is to set it)
    os.umask(mask)
    return mask


def interpreter() -> list:
    """What makes this interpreter run code differently: its command-line options."""
    return [list(sys.flags), list(sys.warnoptions), sorted(map(str, sys._xoptions.items()))]


def _send(connection: socket.socket, message: str) -> None:
    with contextlib.suppress(OSError):  # the other end is gone: its reader finds out
        connection.sendall(message.encode())


# ---------------------------------------------------------------------------------- server

READ_TIMEOUT_SECONDS = 5  # a client that connects and sends nothing does not hold the server


@dataclass
class Request:
    program: str
    argv: list[str]
    env: dict[str, str]
    cwd: str
    executable: str
    group_leader: bool  # the command leads its process group
    ignored: list[int]  # the signals it ignores
    interpreter: list  # its command-line options (`interpreter()`)
    package: str  # where it imported suanli from
    umask: int  # its file-mode creation mask
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
            fields["program"], fields["argv"], fields["env"], fields["cwd"],
            fields["executable"], fields["group_leader"], fields["ignored"],
            fields["interpreter"], fields["package"], fields["umask"], streams,
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


def why_not(request: Request, served: tuple[str, ...]) -> str | None:
    """Why a fork of this server would not run the command as its own process would (None: it
    would): another program, Python or options of it, `suanli` (a copy of the project), or
    start-up setting (PYTHONPATH among them); or the server's own imports have changed since it
    made them (`installed_stamp`: a long-lived run server outlives a `pip install`)."""
    if request.program not in served:
        return f"it serves {', '.join(served)}, not {request.program}"
    if request.executable != sys.executable or request.interpreter != interpreter():
        return f"another Python, or other options of it ({request.executable})"
    if request.package != suanli.__file__:  # a copy of the project, found from its folder
        return f"another suanli ({request.package})"
    prefixes = PROGRAMS[request.program].start_settings
    names = {name for name in (*request.env, *os.environ) if name.startswith(prefixes)}
    changed = sorted(
        name for name in names - NOT_READ_AT_IMPORT if request.env.get(name) != os.environ.get(name)
    )
    if changed:
        return f"other start-up settings ({', '.join(changed)})"
    now = installed_stamp() if _STAMP else {}
    if any(now.get(path) != stamp for path, stamp in _STAMP.items()):
        return "what the server imported has changed since it started (restart it)"
    return None


_STAMP: dict[str, int] = {}  # the server's `installed_stamp` as it finished importing


def installed_stamp() -> dict[str, int]:
    """What a fork would run stale code of, as modification times: the interpreter, its library
    and the folders Python imports third-party packages from (an install or upgrade changes
    their entries), and suanli's modules the server imported itself (the package's `__init__`,
    this module, `suanli.settings` under `serve`, …)."""
    folders = [entry for entry in sys.path if entry.endswith(("site-packages", "dist-packages"))]
    folders += [sys.executable, os.path.dirname(os.__file__)]  # the interpreter, its library
    own = [
        module.__file__
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "suanli" and getattr(module, "__file__", None)
    ]
    stamp = {}
    for path in (*folders, *own):
        with contextlib.suppress(OSError):
            stamp[path] = os.stat(path).st_mtime_ns
    return stamp


def run_child(request: Request, inherited: list[int], server: int) -> NoReturn:
    """In the forked child of `server` (its pid): become the command that asked, run it, exit
    as it exits (`suanli.ending`)."""
    global _in_child
    _in_child = True
    run_then_exit(lambda: _become(request, inherited, server))


def _become(request: Request, inherited: list[int], server: int) -> None:
    _die_with_parent(server)
    if PROGRAMS[request.program].own_processes:
        os.setpgid(0, 0)  # its processes with it: its client's death kills the group
    for descriptor in inherited:  # the listening socket, the other clients' connections
        os.close(descriptor)
    for number in (*RESET, signal.SIGCHLD):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in request.ignored:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    for target, descriptor in zip(STREAMS, request.streams, strict=True):
        os.dup2(descriptor, target)
        os.close(descriptor)
    sys.stdout.reconfigure(line_buffering=os.isatty(1))  # as Python sets it up
    os.chdir(request.cwd)
    os.umask(request.umask)
    os.environ.clear()
    os.environ.update(request.env)
    tempfile.tempdir = None  # read from TMPDIR again, the command's
    sys.argv = list(request.argv)
    if request.program == "dbt":
        from suanli.transform.dbt_command import run_dbt

        run_dbt()
    else:  # as `python -m suanli.cli` runs: its folder first on the path, as `__main__`
        if not sys.flags.safe_path:
            sys.path[0] = request.cwd
        runpy.run_module("suanli.cli", run_name="__main__", alter_sys=True)


def _die_with_parent(server: int) -> None:
    """The child is killed if the server (`server`, its pid) dies, even by SIGKILL: it would
    otherwise hold its client's output open with no one to report its end."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != server:  # it died before the request to the kernel was made
        os._exit(1)


def _status_line(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}\n"
    return f"exit {os.WEXITSTATUS(status)}\n"


def serve(
    path: str,
    parent: int | None = None,
    served: tuple[str, ...] = ("dbt",),
    log: TextIO = sys.stderr,
    idle: float | None = None,
) -> None:
    """Listen on `path`, import what the `served` programs import, then fork a child per request
    until the process that started it, `parent` (its pid, given by the starter: read here it
    could already be init's), is gone, SIGTERM, SIGINT (Ctrl-C: `make serve`) or SIGHUP, or `idle`
    seconds pass without a command."""
    global _STAMP
    parent = os.getppid() if parent is None else parent
    # A flag, not an exception: one between a fork and its child's record would lose the child.
    stopping: list[bool] = []
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, lambda *_: stopping.append(True))
    selector = selectors.DefaultSelector()
    children: dict[int, socket.socket] = {}  # child pid → its client's connection
    Path(path).unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:  # the socket is removed however it ends, during its imports too
        listener.bind(path)
        listener.listen(64)  # commands that come while it imports wait for it, no longer
        started = time.perf_counter()
        for module in dict.fromkeys(m for program in served for m in PROGRAMS[program].preload):
            try:
                importlib.import_module(module)
            except Exception as error:  # a child imports it itself, and fails as it would alone
                print(f"fork server: cannot import {module} ahead ({error!r})", file=log,
                      flush=True)  # fmt: skip
        # What the imports made is out of the children's garbage collector's reach: a
        # collection that walked it would write to every page, and copy them all into a child.
        gc.collect()
        gc.freeze()
        _STAMP = installed_stamp()
        print(f"fork server on {path} for {', '.join(served)}: imports took "
              f"{time.perf_counter() - started:.1f} s", file=log, flush=True)  # fmt: skip
        selector.register(listener, selectors.EVENT_READ)
        serving = _Serving(listener, selector, children, served, log)
        active = time.monotonic()  # when it last had a command to serve
        while not stopping and os.getppid() == parent:  # else its starter is gone
            for key, _ in selector.select(POLL_SECONDS):
                if key.fileobj is listener:
                    _accept(serving)
                elif not _from_client(key.fileobj, key.data):
                    selector.unregister(key.fileobj)  # gone: its child is reaped below
            _reap(children, selector)
            if children:
                active = time.monotonic()
            elif idle is not None and time.monotonic() - active > idle:
                print(f"fork server: no command for {idle:g} s, stopping", file=log, flush=True)
                break
    finally:
        leaders = {key.data[0] for key in selector.get_map().values() if key.data and key.data[1]}
        for pid in children:
            _kill_child(pid, pid in leaders)
        listener.close()
        Path(path).unlink(missing_ok=True)


@dataclass
class _Serving:
    """What the server's loop holds: its socket and selector, the children it forked (pid →
    their client's connection), the programs it serves, where it logs."""

    listener: socket.socket
    selector: selectors.BaseSelector
    children: dict[int, socket.socket]
    served: tuple[str, ...]
    log: TextIO


def _accept(serving: _Serving) -> None:
    """One request: fork its child, or say why not and go on serving the others."""
    log = serving.log
    try:
        connection, _ = serving.listener.accept()
    except OSError as error:  # out of descriptors: the client retries nothing, it waits
        print(f"fork server: accept failed ({error!r})", file=log, flush=True)
        time.sleep(1)  # until a child ends and frees some, rather than spin on the listener
        return
    try:
        request = read_request(connection)
    except ValueError as error:
        print(f"fork server: {error}", file=log, flush=True)
        connection.close()
        return
    try:
        _start(serving, connection, request)
    except Exception as error:  # this command, not the server: it runs in its own process
        print(f"fork server: failed ({error!r})", file=log, flush=True)
        if connection not in serving.children.values():
            _close_streams(request)
            connection.close()


def _start(serving: _Serving, connection: socket.socket, request: Request) -> None:
    """Fork the request's child, or decline it."""
    log, children = serving.log, serving.children
    command = " ".join([request.program, *request.argv[1:]])
    reason = why_not(request, serving.served)
    if reason is not None:
        print(f"fork server: declined {command}: {reason}", file=log, flush=True)
        _close_streams(request)
        _send(connection, "declined\n")
        connection.close()
        return
    inherited = [
        serving.listener.fileno(), connection.fileno(), serving.selector.fileno(),
        *(kept.fileno() for kept in children.values()),
    ]  # fmt: skip
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # A SIGTERM meant for the child, between the fork and its own handlers, would meet the
    # server's: the signals wait until the child has reset them.
    signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    server = os.getpid()
    try:
        pid = os.fork()
    except OSError as error:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
        print(f"fork server: fork failed ({error!r})", file=log, flush=True)
        _close_streams(request)
        connection.close()  # no child, no `started`: the client runs the command itself
        return
    if pid == 0:
        run_child(request, inherited, server)
    leads = PROGRAMS[request.program].own_processes
    # A command that leads its process group (started by an interactive shell) is signalled as
    # a group (Ctrl-C): what it forwards then goes to its child's group, its processes too.
    to_group = leads and request.group_leader
    if leads:  # as the child does (whichever comes first): a kill of its group finds it
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED)
    _close_streams(request)  # the child's now
    children[pid] = connection
    serving.selector.register(connection, selectors.EVENT_READ, (pid, leads, to_group))
    _send(connection, f"started {pid}\n")  # from here on, the command may have run in part
    shown = command if len(command) <= 200 else command[:199] + "…"  # a build's long --select
    print(f"fork server: child {pid} runs {shown}", file=log, flush=True)
    _forward(request.after.decode(errors="replace"), pid, to_group)


def _close_streams(request: Request) -> None:
    """The server's copies of the client's streams, each closed once (emptied as closed)."""
    while request.streams:
        with contextlib.suppress(OSError):
            os.close(request.streams.pop())


def _from_client(connection: socket.socket, child: tuple[int, bool, bool]) -> bool:
    """A client forwards a signal (True), or has gone, killed: its child is killed with it, and
    with the child the processes it started when it leads their group (False)."""
    pid, leads, to_group = child
    try:
        message = connection.recv(64).decode(errors="replace")
    except OSError:
        message = ""
    if not message:
        _kill_child(pid, leads)
        return False
    _forward(message, pid, to_group)
    return True


def _kill_child(pid: int, leads: bool) -> None:
    if leads:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # gone, or not yet a group
            os.killpg(pid, signal.SIGKILL)
    _kill(pid, signal.SIGKILL)


def _forward(message: str, pid: int, to_group: bool = False) -> None:
    """The signals a client forwarded, to its child, or to the child's process group."""
    for line in message.splitlines():
        kind, _, number = line.partition(" ")
        if kind == "signal" and number.isdigit():
            if to_group:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, int(number))
            else:
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m suanli.zygote", description=__doc__)
    parser.add_argument("socket", help="the UNIX socket to listen on")
    parser.add_argument("--starter", type=int, help="the pid it ends with (default: its parent's)")
    parser.add_argument(
        "--serve", nargs="+", choices=sorted(PROGRAMS), default=["dbt"],
        help="the programs whose commands it runs (default: dbt)",
    )  # fmt: skip
    parser.add_argument("--idle", type=float, help="stop after this many seconds without a command")
    args = parser.parse_args(argv)
    serve(args.socket, args.starter, tuple(args.serve), idle=args.idle)


if __name__ == "__main__":  # run as suanli.zygote: a child's hand_over must see _in_child
    from suanli.zygote import main as main_of_the_module

    main_of_the_module()
