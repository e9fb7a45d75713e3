"""How suanli's commands end: as the interpreter ends a script, but without its finalisation.

A run leaves its process holding millions of objects (Dagster's definitions, dbt's manifest,
pandas, Great Expectations). The interpreter's finalisation takes each down, one by one: 2 s
of one core after a run's last line is printed, for memory the operating system takes back
at exit anyway. So `python -m suanli.cli` and each command a fork server runs
(`suanli.zygote`) end by `os._exit`, once what a normal exit does that is seen outside the
process is done: non-daemon threads joined, `atexit`'s functions run (logging's handlers,
multiprocessing's pools, temporary folders), the standard streams flushed. What is left
undone is what nothing outside sees: objects' `__del__`, and the closing of files and
connections still open, which the kernel closes (a database left open keeps its write-ahead
log, which its next reader replays, as after any kill).
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import NoReturn


def run_then_exit(command: Callable[[], object]) -> NoReturn:
    """Run `command` as the body of a script, then end the process with the status, message
    or traceback the interpreter would give it: 0 when it returns, SystemExit's code (a
    message printed, status 1), 1 and the traceback for an exception, and for a
    KeyboardInterrupt the traceback and death by SIGINT."""
    code, interrupted = 1, False
    try:
        command()
        code = 0
    except SystemExit as exit_:
        if isinstance(exit_.code, int) or exit_.code is None:
            code = exit_.code or 0
        else:  # sys.exit("message")
            print(exit_.code, file=sys.stderr)
    except KeyboardInterrupt:
        interrupted = True
        sys.excepthook(*sys.exc_info())
    except BaseException:
        sys.excepthook(*sys.exc_info())
    finally:
        try:
            threading._shutdown()  # type: ignore[attr-defined]  # the interpreter's own join
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
            if interrupted:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGINT)
        finally:
            os._exit(code)
