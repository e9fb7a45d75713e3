"""The PDF edition: the page as headless Chromium prints it (A4, the page's print styles).

Chromium rather than a Python PDF library: the PDF is then the page a reader sees, with the
same embedded fonts, tables and charts, and Chromium is already a dependency of the report's
browser tests and of `make run` (`make system-deps`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PDF = "report.pdf"
# How every headless Chromium of the project starts (this print and the browser tests): no
# sandbox (containers), no GPU, nothing that phones home.
BROWSER_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
# Printing: a fresh profile per print (two builds never share one); virtual time runs until
# the page is idle (web fonts and images loaded) before printing.
CHROMIUM_FLAGS = (
    *BROWSER_FLAGS, "--disable-extensions", "--no-pdf-header-footer", "--hide-scrollbars",
    "--virtual-time-budget=30000",
)  # fmt: skip
TIMEOUT_SECONDS = 300
INSTALL_HINT = "install the Debian package `chromium` (make system-deps) or set SUANLI_CHROMIUM"


class ChromiumNotFound(RuntimeError):
    """No browser to print the PDF edition with."""


class PdfNotPrinted(RuntimeError):
    """Chromium ran but left no PDF."""


def find_chromium() -> Path:
    """SUANLI_CHROMIUM, else `chromium` or `chromium-browser` on PATH."""
    configured = os.environ.get("SUANLI_CHROMIUM")
    if configured:
        if not Path(configured).is_file():
            raise ChromiumNotFound(f"SUANLI_CHROMIUM={configured} is not a file")
        return Path(configured)
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise ChromiumNotFound(f"no Chromium to print {PDF} with: {INSTALL_HINT}")
    return Path(found)


def chromium_identity(executable: Path) -> dict[str, object]:
    """What names the browser for the report's fingerprint without starting it (Debian's
    `chromium --version` takes seconds): the file's path, size and modification time, which
    a package upgrade changes."""
    stat = executable.resolve().stat()
    return {"path": str(executable.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def print_pdf(html: Path, out: Path, executable: Path | None = None) -> Path:
    """Print `html` (a file, read offline) to `out`; raises PdfNotPrinted with Chromium's
    message when no PDF comes out."""
    executable = find_chromium() if executable is None else executable
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="suanli-chromium-") as profile:
        command = [
            str(executable), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
            f"--print-to-pdf={out.resolve()}", html.resolve().as_uri(),
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    if result.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        message = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise PdfNotPrinted(
            f"{executable} printed no {out.name} (exit {result.returncode}): " + " | ".join(message)
        )
    return out
