"""The Dagster UI shows the materialised asset graph: start `dagster-webserver` on the session's
instance, open the global asset lineage in headless Chromium, and keep a screenshot."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from chromium_browser import chromium_path
from playwright.sync_api import Page, sync_playwright

from suanli.report.pdf import BROWSER_FLAGS

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The global lineage (`/asset-groups` in Dagster 1.13) collapses groups when there are several;
# `expanded` opens the two whose assets we look for.
GRAPH_ROUTE = "/asset-groups?" + urlencode({"expanded": "global@global:raw,global@global:marts"})
EXPECTED_ASSETS = ("compute_centres", "fct_index_scores")
VIEWPORT = {"width": 1600, "height": 1200}

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"dagster-webserver exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(
        f"dagster-webserver not answering after {timeout:.0f} s:\n{log.read_text()[-4000:]}"
    )


@pytest.fixture(scope="module")
def webserver(
    env: dict[str, str], first_run, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """dagster-webserver on a copy of the session's instance (its runs and materialisations)."""
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    shutil.copytree(env["DAGSTER_HOME"], home)
    # The UI greets a new instance with a newsletter dialog over the graph; it records in
    # .nux/nux.yaml that it was seen. (The page also dismisses it, should the format change.)
    (home / ".nux").mkdir(exist_ok=True)
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n")
    port = free_port()
    log = root / "webserver.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "dagster-webserver"), "-m", "suanli.definitions",
             "-h", "127.0.0.1", "-p", str(port)],
            env={**env, "DAGSTER_HOME": str(home), "DAGSTER_DISABLE_TELEMETRY": "true"},
            cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the code server goes with it
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, process, log, timeout=180)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


# True when the element's centre is on screen and nothing (the search bar, a dialog) covers it.
UNCOVERED = """element => {
    const box = element.getBoundingClientRect();
    const x = box.x + box.width / 2, y = box.y + box.height / 2;
    if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return hit !== null && (element.contains(hit) || hit.contains(element));
}"""


def in_view(page: Page, name: str) -> bool:
    """The asset's node is drawn, on screen and uncovered (the graph renders nearby nodes only,
    and the search bar floats over its top)."""
    node = page.get_by_text(name, exact=True)
    return node.count() > 0 and bool(node.first.evaluate(UNCOVERED))


def test_asset_graph_shows_the_pipeline(webserver: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("SUANLI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    screenshot = shots / "dagster_asset_graph.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=list(BROWSER_FLAGS), headless=True
        )
        try:
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=2)
            page.goto(webserver + GRAPH_ROUTE, wait_until="networkidle")
            page.get_by_text("Global asset lineage").wait_for(timeout=60_000)
            # the graph is drawn once its zoom controls are (it draws only nodes near the view,
            # so the expected ones may be out of it until the view is zoomed out)
            zoom_out = page.locator('button:has([aria-label="zoom_out"])')
            zoom_out.wait_for(timeout=60_000)
            page.get_by_text("published", exact=True).first.wait_for(timeout=60_000)
            skip = page.get_by_role("button", name="Skip")
            if skip.count():
                skip.click()
            # zoom out step by step until every expected node is on screen, labels still legible
            for _ in range(10):
                if all(in_view(page, name) for name in EXPECTED_ASSETS):
                    break
                zoom_out.click()
                page.wait_for_timeout(500)
            page.wait_for_load_state("networkidle")  # materialisation statuses arrive last
            page.wait_for_timeout(1500)
            page.screenshot(path=str(screenshot))
            visible = {name: in_view(page, name) for name in EXPECTED_ASSETS}
        finally:
            browser.close()
    assert all(visible.values()), visible
    assert screenshot.stat().st_size > 50_000
