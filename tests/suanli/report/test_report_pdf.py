"""The PDF edition as a reader gets it: linked from the page, printed by headless Chromium,
every page drawn (poppler's pdftoppm turns them into PNGs) and every section title and chart
title in its text (poppler's pdftotext)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from report_marts import SYSTEMS, make_marts

from suanli.report import ReportResult, build_report
from suanli.report.pdf import PDF

pytestmark = pytest.mark.slow


def poppler(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{program} missing: `make system-deps` installs poppler-utils")
        pytest.skip(f"{program} (poppler-utils) not installed")
    return found


def squeezed(text: str) -> str:
    """Text without whitespace: pdftotext breaks lines where the page does."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    marts = make_marts(tmp_path_factory.mktemp("marts") / "published.duckdb")
    return build_report(marts, tmp_path_factory.mktemp("report"), pdf=True)


@pytest.fixture(scope="module")
def pdf_text(report: ReportResult) -> str:
    assert report.pdf is not None
    result = subprocess.run(
        [poppler("pdftotext"), "-enc", "UTF-8", str(report.pdf), "-"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return result.stdout


def test_the_page_links_to_its_pdf_beside_it(report: ReportResult) -> None:
    assert report.pdf == report.html.parent / PDF
    assert report.pdf.read_bytes().startswith(b"%PDF-")
    assert report.pdf in report.files
    html = report.html.read_text(encoding="utf-8")
    assert re.search(r'<a href="report\.pdf" download>下载 PDF 版', html)


def test_every_section_and_chart_title_is_in_the_pdf(report: ReportResult, pdf_text: str) -> None:
    text = squeezed(pdf_text)
    # weights, nation, regions; a section per system; resources, city Top 30, economy
    assert len(report.headings) == 3 + len(SYSTEMS) + 3
    assert "目录" in text
    for heading in report.headings:
        assert squeezed(heading) in text, heading
    for _, name, *_ in SYSTEMS:
        assert squeezed(name) in text, name
    for title in report.titles:
        assert squeezed(title) in text, title
    assert "下载PDF版" not in text  # the link is for the screen, not for paper


def test_every_pdf_page_is_drawn(report: ReportResult, tmp_path: Path) -> None:
    assert report.pdf is not None
    subprocess.run(
        [poppler("pdftoppm"), "-r", "30", "-png", str(report.pdf), str(tmp_path / "page")],
        check=True, timeout=300,
    )  # fmt: skip
    pages = sorted(tmp_path.glob("page-*.png"))
    info = subprocess.run(
        [poppler("pdfinfo"), str(report.pdf)], capture_output=True, text=True, check=True
    ).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert len(pages) == count >= 5
    for path in pages:
        with Image.open(path) as image:
            assert image.width < image.height  # A4 portrait
            pixels = np.asarray(image.convert("L"))
        inked = (pixels < 200).mean()
        assert inked > 0.002, (path.name, inked)  # text or a chart, not a blank sheet
