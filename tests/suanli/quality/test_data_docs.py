"""Every check run renders its validation as GX Data Docs: a static page per validation and an
index listing them all, under a configurable directory."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from suanli.quality import data_docs
from suanli.quality.checks import check_result
from suanli.quality.suites import load_suite, validate
from suanli.settings import EXPECTATIONS_DIR

CENTRES = load_suite(EXPECTATIONS_DIR / "compute_centres.json")


def frame(pue: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": ["2025", "2025"],
            "centre_id": ["DC-A", "DC-B"],
            "province": ["河北省", "贵州省"],
            "file_name": ["compute_centres_2025.csv"] * 2,
            "file_row": [2, 3],
            "pue": [1.3, pue],
            "rack_utilisation_pct": [60.0, 70.0],
        }
    )


def publish(outcome, run_name: str, directory: Path) -> Path:
    (page,) = data_docs.publish_all(
        [(outcome.result, CENTRES.name, "raw.compute_centres")],
        run_name=run_name,
        directory=directory,
    )
    return page


def test_a_validation_becomes_a_static_page_listed_in_the_index(tmp_path: Path) -> None:
    failed = validate(CENTRES, frame(pue=5.0))
    page = publish(failed, "run-failed", tmp_path / "docs")
    assert page.is_file() and page.is_relative_to(tmp_path / "docs" / "validations")
    html = page.read_text(encoding="utf-8")
    assert "compute_centres" in html and "pue" in html and "5.0" in html

    page_ok = publish(validate(CENTRES, frame(pue=1.4)), "run-clean", tmp_path / "docs")
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "run-failed" in index and "run-clean" in index
    assert page.is_file() and page_ok.is_file()  # rebuilding the index keeps older pages


def test_the_directory_can_change_between_calls(tmp_path: Path) -> None:
    outcome = validate(CENTRES, frame(pue=1.4))
    first = publish(outcome, "run-1", tmp_path / "one")
    second = publish(outcome, "run-2", tmp_path / "two")
    assert first.is_relative_to(tmp_path / "one") and second.is_relative_to(tmp_path / "two")


def test_the_check_result_links_the_page_on_the_docs_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUANLI_GX_DOCS", str(tmp_path))
    monkeypatch.setenv("SUANLI_DOCS_URL", "http://docs.example:8123")
    outcome = validate(CENTRES, frame(pue=5.0))
    page = publish(outcome, "run-1", tmp_path)
    metadata = check_result(outcome, page).metadata
    assert metadata["data_docs"].value == str(page)
    relative = page.relative_to(tmp_path).as_posix()
    assert metadata["data_docs_url"].value == f"http://docs.example:8123/data-docs/{relative}"
    assert "data_docs" not in check_result(outcome).metadata


def test_pages_name_the_data_asset_and_the_run(tmp_path: Path) -> None:
    page = publish(validate(CENTRES, frame(pue=5.0)), "run-7f3a-gx_sources", tmp_path)
    text = page.read_text(encoding="utf-8")
    assert "Data asset: raw.compute_centres" in text and "Data asset: None" not in text
    assert "run-7f3a-gx_sources" in text and "__none__" not in text


def test_the_pages_fetch_nothing_from_the_network(tmp_path: Path) -> None:
    """No stylesheet, script or image from a CDN: offline they would leave the index empty."""
    page = publish(validate(CENTRES, frame(pue=5.0)), "run-1", tmp_path)
    for html in (page, tmp_path / "index.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<(link|script|img)[^>]*(href|src)=\"(https?:)?//", text), html
        assert "<script" not in text  # the index's table is HTML, not drawn by a script
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<tbody>\s*<tr>", index) and "raw.compute_centres" in index
