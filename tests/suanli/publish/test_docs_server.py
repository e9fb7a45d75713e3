"""The docs server: each section's folder under its path, an index page naming the sections, and
nothing outside the folders; links to files in a section are URLs under the configured base."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from suanli.publish.docs_server import serve
from suanli.publish.docs_site import SECTIONS, url_for


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    made = {section.path: tmp_path / section.path for section in SECTIONS}
    for folder in made.values():
        folder.mkdir()
    (made["report"] / "index.html").write_text("<h1>算力指数</h1>", encoding="utf-8")
    (made["data-docs"] / "validations" / "a b").mkdir(parents=True)
    (made["data-docs"] / "validations" / "a b" / "page.html").write_text("page", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside every section", encoding="utf-8")
    return made


@pytest.fixture
def base(folders: dict[str, Path]) -> Iterator[str]:
    server = serve("127.0.0.1", 0, folders)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_each_section_is_served_from_its_folder(base: str) -> None:
    assert get(f"{base}/report/index.html") == (200, "<h1>算力指数</h1>")
    assert get(f"{base}/report/") == (200, "<h1>算力指数</h1>")  # a folder's index.html
    assert get(f"{base}/data-docs/validations/a%20b/page.html") == (200, "page")
    status, listing = get(f"{base}/exports/")
    assert status == 200 and "Directory listing" in listing


def test_the_index_page_links_every_section_and_says_which_are_not_built(base: str) -> None:
    status, page = get(f"{base}/")
    assert status == 200
    for section in SECTIONS:
        assert f'href="/{section.path}/{section.start}"' in page
    unbuilt = {item.split('"')[1] for item in page.split("<li>")[1:] if "not built yet" in item}
    assert unbuilt == {"/dbt/index.html", "/data-docs/index.html"}  # no index.html in either


def test_nothing_outside_the_sections_is_served(base: str) -> None:
    for path in ("/secret.txt", "/report/../secret.txt", "/report/%2e%2e/secret.txt", "/nope/"):
        assert get(f"{base}{path}")[0] == 404, path


def test_a_file_s_url_is_under_the_configured_base(
    folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUANLI_GX_DOCS", str(folders["data-docs"]))
    monkeypatch.setenv("SUANLI_EXPORT_DIR", str(folders["exports"]))
    monkeypatch.setenv("SUANLI_DOCS_URL", "https://docs.example/suanli/")
    page = folders["data-docs"] / "validations" / "a b" / "page.html"
    assert (
        url_for("data-docs", page)
        == "https://docs.example/suanli/data-docs/validations/a%20b/page.html"
    )
    assert url_for("exports", folders["exports"]) == "https://docs.example/suanli/exports/"
    monkeypatch.delenv("SUANLI_DOCS_URL")
    assert url_for("exports", folders["exports"]) == "http://127.0.0.1:8080/exports/"
    with pytest.raises(ValueError):
        url_for("exports", page)  # not in that section's folder


def test_the_server_stops_on_sigterm_even_if_its_parent_ignored_it(tmp_path: Path) -> None:
    environment = {**os.environ, "SUANLI_REPORT_DIR": str(tmp_path / "report")}
    process = subprocess.Popen(
        [sys.executable, "-m", "suanli.publish.docs_server", "--port", "0"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # what a pytest worker that had SIGTERM ignored passed on (an ignored signal is inherited)
        preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("docs at "):
                break
        process.terminate()
        assert process.wait(timeout=20) == -signal.SIGTERM
    finally:
        process.kill()
        process.wait()
