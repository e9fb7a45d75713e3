"""The report as a reader sees it: the page opened from disk in headless Chromium, offline.

Every image loads, every chart title is on the page, nothing is fetched from the network, and
no character falls back to another font or to tofu: the browser says which fonts drew each
element (DevTools `CSS.getPlatformFontsForNode`) and fontTools says the fonts have the glyphs.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from chromium_browser import chromium_path
from playwright.sync_api import Page, sync_playwright

from suanli.report import ReportResult, build_report, find_cjk_font
from suanli.report.fonts import FontFace, cmap_of
from suanli.report.pdf import BROWSER_FLAGS

FAMILY = "Noto Sans CJK SC"
TEXT_ELEMENTS = "h1, h2, p, figcaption, caption, th, td"

pytestmark = pytest.mark.integration


def screenshot_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("SUANLI_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def is_cjk(character: str) -> bool:
    return "\u3000" <= character <= "\u9fff" or "\uff00" <= character <= "\uffef"


@pytest.fixture(scope="module")
def report(
    warehouse_for_module: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory
) -> ReportResult:
    return build_report(warehouse_for_module, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def warehouse_for_module(env: dict[str, str], first_run):
    """The session's materialised snapshot (31 provinces, every node, real names), read from
    the published marts file as the report asset does, or the work file before publishing."""
    work = Path(env["SUANLI_WAREHOUSE"])
    published = work.with_name(f"{work.stem}_marts{work.suffix}")
    source = published if published.exists() else work
    with duckdb.connect(str(source), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def rendered(report: ReportResult, tmp_path_factory: pytest.TempPathFactory):
    """Open the page once; collect what the checks below need."""
    executable = chromium_path()
    shots = screenshot_dir(tmp_path_factory.mktemp("screenshots"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=list(BROWSER_FLAGS), headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(report.html.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            text = page.evaluate("document.body.innerText")
            chinese = "".join(sorted({c for c in text if is_cjk(c)}))
            result = {
                "requested": requested,
                "images": page.evaluate(
                    "Array.from(document.images).map(i => ({src: i.getAttribute('src'), "
                    "loaded: i.complete && i.naturalWidth > 0, width: i.naturalWidth}))"
                ),
                "captions": page.locator("figcaption").all_inner_texts(),
                "text": text,
                "fonts_check": page.evaluate(
                    "([font, text]) => document.fonts.check(font, text)",
                    [f'16px "{FAMILY}"', chinese],
                ),
                "bold_check": page.evaluate(
                    "([font, text]) => document.fonts.check(font, text)",
                    [f'bold 16px "{FAMILY}"', chinese],
                ),
                "faces": page.evaluate(
                    "Array.from(document.fonts).map(f => "
                    "({family: f.family.replaceAll('\"', ''), status: f.status}))"
                ),
                "platform_fonts": _platform_fonts(page),
                "screenshot": shots / "report_index.png",
            }
            page.screenshot(path=str(result["screenshot"]), full_page=True)
        finally:
            browser.close()
    return result


def _platform_fonts(page: Page) -> set[tuple[str, bool]]:
    """(family, is web font) of the fonts Chromium drew each text element's glyphs with."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": TEXT_ELEMENTS})
    used: set[tuple[str, bool]] = set()
    for node in nodes["nodeIds"]:
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used |= {(font["familyName"], font["isCustomFont"]) for font in fonts}
    session.detach()
    return used


def test_every_image_loads_from_disk(rendered, report: ReportResult) -> None:
    images = rendered["images"]
    assert [image["src"] for image in images] == [
        path.relative_to(report.html.parent).as_posix() for path in report.pngs
    ]
    assert all(image["loaded"] for image in images), [i for i in images if not i["loaded"]]
    assert all(image["width"] >= 1000 for image in images)


def test_every_chart_title_is_on_the_page(rendered, report: ReportResult) -> None:
    assert rendered["captions"] == report.titles
    for title in report.titles:
        assert title in rendered["text"]


def test_nothing_is_fetched_from_the_network(rendered) -> None:
    assert rendered["requested"], "no request recorded at all"
    assert all(url.startswith("file://") for url in rendered["requested"]), rendered["requested"]


def test_the_embedded_font_draws_every_character(rendered, report: ReportResult) -> None:
    assert rendered["fonts_check"] is True
    assert rendered["bold_check"] is True
    ours = [face for face in rendered["faces"] if face["family"] == FAMILY]
    assert len(ours) == len(report.fonts) and all(f["status"] == "loaded" for f in ours), ours
    # Chromium drew all text with the embedded web font: no system fallback, hence no tofu
    assert rendered["platform_fonts"] == {(FAMILY, True)}


def test_the_font_files_have_every_glyph_used(rendered, report: ReportResult) -> None:
    needed = {ord(c) for c in rendered["text"] if c.isprintable()}
    for font in report.fonts:
        missing = needed - cmap_of(FontFace(font, 0))
        assert not missing, (font.name, "".join(sorted(map(chr, missing))))


def test_the_chart_font_has_every_glyph_of_titles_and_labels(report: ReportResult) -> None:
    """What the PNGs draw: titles, province and city names, the data note."""
    from suanli.report.charts import DATA_NOTE

    strings = [*report.titles, DATA_NOTE]
    for frame in report.data.values():
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype).startswith("str"):
                strings += [str(value) for value in frame[column].dropna()]
    used = {ord(c) for text in strings for c in text if is_cjk(c)}
    assert len(used) > 100  # the check saw the real labels
    missing = used - cmap_of(find_cjk_font().regular)
    assert not missing, "".join(sorted(map(chr, missing)))


def test_full_page_screenshot_is_written(rendered) -> None:
    from PIL import Image

    with Image.open(rendered["screenshot"]) as image:
        assert image.width == 1280 and image.height > 5000  # the whole page, not the viewport
