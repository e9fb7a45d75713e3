"""The headless Chromium the browser tests drive (Playwright on the system's browser, never a
downloaded one): found like the report's PDF printing finds it."""

from __future__ import annotations

import os

import pytest

from suanli.report.pdf import ChromiumNotFound, find_chromium


def chromium_path() -> str:
    """The system Chromium (Debian package `chromium`, or SUANLI_CHROMIUM); missing, a test
    skips, and under CI=true fails."""
    try:
        return str(find_chromium())
    except ChromiumNotFound as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
