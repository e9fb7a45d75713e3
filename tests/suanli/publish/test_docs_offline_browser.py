"""The docs as a reader opens them: `python -m suanli.publish.docs_server` on the session's first
run (its report, its Data Docs, dbt docs generated on its warehouse), pages opened in headless
Chromium with every request off 127.0.0.1 refused. The Data Docs index lists the run's
validations, a validation page names its data asset and run and is styled by the local
stylesheet, the report and dbt docs load, and the links in Dagster's metadata are URLs on the
docs server that open there."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chromium_browser import chromium_path
from dbt_runs import dbt_in
from playwright.sync_api import Page, Route, sync_playwright

from suanli.report.pdf import BROWSER_FLAGS
from suanli.settings import docs_url

REPO_ROOT = Path(__file__).resolve().parents[3]
MART = "marts.fct_index_scores"
# offline.css's background of GX's `alert-secondary` header (Bootstrap's, which is offline)
ALERT_BACKGROUND = "rgb(226, 227, 229)"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(first_run, first_run_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first run's folders, with dbt docs generated on a copy of its work file (dbt opens
    the file for writing: never the copy other workers read)."""
    build = first_run_root / "build"
    root = tmp_path_factory.mktemp("dbt_docs")
    warehouse = root / "suanli.duckdb"
    shutil.copy(build / "warehouse" / "suanli.duckdb", warehouse)
    generated = dbt_in(root, {"SUANLI_WAREHOUSE": str(warehouse)}, "docs", "generate")
    assert generated.returncode == 0, generated.stdout[-4000:] + generated.stderr[-4000:]
    return root / "target"


@pytest.fixture(scope="module")
def home(first_run, first_run_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the first run's Dagster home: its links name the pages the server serves
    (this worker's own home may have seen later runs, whose pages are elsewhere)."""
    copy = tmp_path_factory.mktemp("first_run_home") / "dagster_home"
    shutil.copytree(first_run_root / "build" / "dagster_home", copy)
    return copy


@pytest.fixture(scope="module")
def server(built: Path, first_run_root: Path) -> Iterator[str]:
    """The docs server on a free port: its base URL."""
    build = first_run_root / "build"
    environment = {
        **os.environ,
        "SUANLI_REPORT_DIR": str(build / "report"),
        "SUANLI_GX_DOCS": str(build / "gx_docs"),
        "SUANLI_EXPORT_DIR": str(build / "exports"),
        "SUANLI_DBT_DOCS": str(built),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "suanli.publish.docs_server", "--port", "0"],
        env=environment, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        lines = []
        assert process.stdout is not None
        for line in process.stdout:  # it says where it serves last, once bound
            lines.append(line)
            if line.startswith("docs at "):
                break
        assert lines and lines[-1].startswith("docs at http://127.0.0.1:"), "".join(lines)
        yield lines[-1].removeprefix("docs at ").strip().rstrip("/")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser_page() -> Iterator[tuple[Page, list[str], list[str]]]:
    """A page whose requests off 127.0.0.1 are refused; (page, every URL asked for, refused)."""
    requested: list[str] = []
    refused: list[str] = []

    def local_only(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=list(BROWSER_FLAGS), headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.route("**/*", local_only)
            yield context.new_page(), requested, refused
        finally:
            browser.close()


def visit(browser_page, url: str) -> Page:
    """Open `url`, counting only its own requests."""
    page, requested, refused = browser_page
    requested.clear()
    refused.clear()
    page.goto(url, wait_until="load")
    return page


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    shots = Path(os.environ.get("SUANLI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / name), full_page=True)


def test_the_data_docs_index_lists_the_validations_offline(
    server: str, browser_page, first_run_root: Path, tmp_path: Path
) -> None:
    page, requested, refused = browser_page
    pages = list((first_run_root / "build" / "gx_docs" / "validations").rglob("*.html"))
    visit(browser_page, f"{server}/data-docs/index.html")
    rows = page.locator("table.ge-static-table tbody tr")
    assert len(pages) > 10 and rows.count() == len(pages)  # every suite on every target
    assert MART in page.locator("table.ge-static-table").inner_text()
    assert refused == [] and requested, requested  # it asked for nothing off the site
    screenshot(page, "data_docs_index.png", tmp_path)


def test_a_validation_page_names_its_asset_and_run_and_is_styled(
    server: str, browser_page, home: Path, tmp_path: Path
) -> None:
    from dagster import AssetCheckKey, AssetKey, DagsterInstance

    page, requested, refused = browser_page
    with DagsterInstance.from_config(str(home)) as instance:
        key = AssetCheckKey(AssetKey(["marts", "fct_index_scores"]), "gx_index_scores")
        (record,) = instance.event_log_storage.get_asset_check_execution_history(key, 1)
    link = record.event.dagster_event.event_specific_data.metadata["data_docs_url"].value
    assert link.startswith(f"{docs_url()}/data-docs/validations/index_scores/"), link
    visit(browser_page, link.replace(docs_url(), server, 1))
    text = page.locator("body").inner_text()
    assert f"Data asset: {MART}" in text
    assert f"{record.run_id}-gx_models" in text and "__none__" not in text
    header = page.locator(".alert-secondary").first
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == ALERT_BACKGROUND
    assert refused == [] and requested, requested
    screenshot(page, "data_docs_validation.png", tmp_path)


def test_the_report_loads_from_the_docs_server(server: str, browser_page, home: Path) -> None:
    from dagster import AssetKey, DagsterInstance

    page, requested, refused = browser_page
    with DagsterInstance.from_config(str(home)) as instance:
        event = instance.get_latest_materialization_event(AssetKey(["report", "blue_book"]))
    link = event.asset_materialization.metadata["url"].value
    assert link == f"{docs_url()}/report/index.html"
    visit(browser_page, link.replace(docs_url(), server, 1))
    assert page.locator("figcaption").count() > 5
    assert page.evaluate("Array.from(document.images).every(i => i.naturalWidth > 0)")
    assert refused == [] and requested, requested


def test_dbt_docs_load_their_models(server: str, browser_page, tmp_path: Path) -> None:
    page = visit(browser_page, f"{server}/dbt/index.html#!/model/model.suanli.fct_index_scores")
    page.get_by_text("fct_index_scores").first.wait_for(timeout=60_000)
    # the columns' descriptions come from the manifest, their types from the catalog
    page.get_by_text("指数年份 / Index year.").first.wait_for(timeout=60_000)
    page.get_by_text("VARCHAR", exact=True).first.wait_for(timeout=60_000)
    screenshot(page, "dbt_docs_model.png", tmp_path)


def test_the_index_page_links_every_section(server: str, browser_page) -> None:
    page = visit(browser_page, f"{server}/")
    links = page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["/report/index.html", "/dbt/index.html", "/data-docs/index.html", "/exports/"]
    assert "not built yet" not in page.locator("body").inner_text()


def test_dagster_links_are_urls_on_the_docs_server(home: Path) -> None:
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(home)) as instance:
        urls = []
        for key, fields in (
            (["report", "blue_book"], ["url"]),
            (["exports", "marts"], ["url", "workbook_url"]),
        ):
            event = instance.get_latest_materialization_event(AssetKey(key))
            urls += [event.asset_materialization.metadata[f].value for f in fields]
    assert urls[0] == f"{docs_url()}/report/index.html"
    assert urls[1] == f"{docs_url()}/exports/"
    assert urls[2].startswith(f"{docs_url()}/exports/") and urls[2].endswith(".xlsx")
