"""The blue-book report: every chart a real PNG the page shows, numbers that add up, an honest
page when GDP is missing, the same bytes for the same data, and never a missing glyph."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import matplotlib
import numpy as np
import pytest
from dagster import AssetKey
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from PIL import Image
from report_marts import (
    GDP_2024,
    NODES,
    PNG_SIGNATURE,
    PROVINCES,
    SYSTEM,
    expected_keys,
    make_marts,
)

import suanli
from suanli.report import build_report, charts, choropleth, find_cjk_font, queries
from suanli.report.assets import REPORT_KEY, blue_book
from suanli.report.build import GDP_NOT_DELIVERED
from suanli.report.fonts import CjkFontNotFound, cjk_style, cmap_of


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs)["src"] or "")


def image_sources(html: str) -> list[str]:
    parser = _Images()
    parser.feed(html)
    return parser.sources


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_marts(tmp_path_factory.mktemp("marts") / "published.duckdb")


@pytest.fixture(scope="module")
def report(marts: Path, tmp_path_factory: pytest.TempPathFactory):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        return build_report(marts, tmp_path_factory.mktemp("report"))


def test_every_chart_is_a_png_the_page_shows(report) -> None:
    assert [chart.key for chart in report.charts] == expected_keys(with_gdp=True)
    for path in report.pngs:
        assert path.read_bytes()[:8] == PNG_SIGNATURE, path
        assert path.stat().st_size > 20_000, path  # text and bars, not a blank canvas
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            assert image.width >= 1000 and image.height >= 400, (path, image.size)
            # drawn: more than background and a handful of colours
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50, path
    html = report.html.read_text(encoding="utf-8")
    shown = image_sources(html)
    assert shown == [p.relative_to(report.html.parent).as_posix() for p in report.pngs]
    for title in report.titles:
        assert f"<figcaption>{title}</figcaption>" in html


def test_page_is_chinese_utf8_and_self_contained(report) -> None:
    html = report.html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html
    assert not re.search(r"(src|href)\s*=\s*\"(https?:)?//", html)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", html)
    assert "@import" not in html and "<script" not in html
    for font in report.fonts:
        assert font.stat().st_size > 10_000
        assert f'url("fonts/{font.name}")' in html
    assert "演示" in html and "合成数据" in html


def test_titles_name_the_year_and_every_node(report) -> None:
    assert report.year == 2025
    for _, _, level, _, name, _ in NODES:
        if level in ("composite", "primary", "secondary"):
            assert any(name in title and "2025年" in title for title in report.titles), name


def test_composite_top10_follows_the_marts(report, marts: Path) -> None:
    with duckdb.connect(str(marts), read_only=True) as connection:
        expected = connection.execute(
            "select p.short_name_zh, s.score from marts.fct_index_scores s "
            "join marts.dim_province p on p.province_code = s.unit_code "
            "where s.system_code = 'comprehensive_v4' and s.year = 2025 "
            "and s.node_code = 'composite' order by s.score desc"
        ).fetchall()
    assert list(report.top10["province"]) == [name for name, _ in expected]
    assert report.top10["score"].tolist() == pytest.approx([score for _, score in expected])


def test_top10_table_shows_rank_and_score_of_every_year(report, marts: Path) -> None:
    html = report.html.read_text(encoding="utf-8")
    table = re.search(r"<caption>综合算力指数 Top 10 历年排名与得分</caption>(.*?)</table>", html)
    assert table is not None
    assert re.findall(r"<th colspan=\"2\">(\d{4})年</th>", table.group(1)) == [
        "2023",
        "2024",
        "2025",
    ]
    leader = report.top10.iloc[0]
    with duckdb.connect(str(marts), read_only=True) as connection:
        history = connection.execute(
            "select rank, score from marts.fct_index_scores "
            "where system_code = 'comprehensive_v4' and node_code = 'composite' "
            "and unit_code = ? order by year",
            [leader["province_code"]],
        ).fetchall()
    cells = [cell for rank, score in history for cell in (str(rank), f"{score:.1f}")]
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", table.group(1))
    assert first_row is not None
    assert re.findall(r"<td[^>]*>(.*?)</td>", first_row.group(1)) == [leader["province"], *cells]


def test_shares_sum_to_100(report) -> None:
    for key in ("share_racks_in_use", "share_intelligent_compute"):
        frame = report.data[key]
        assert len(frame) == len(PROVINCES)
        assert frame["share"].sum() == pytest.approx(100.0, abs=1e-9)
        assert frame["share"].tolist() == pytest.approx(
            (100 * frame["value"] / frame["value"].sum()).tolist()
        )
        assert frame["share"].is_monotonic_decreasing


def test_scatter_slope_is_the_least_squares_slope(report) -> None:
    scores = report.data["composite_map"].set_index("province_code")["score"]
    codes = sorted(GDP_2024)
    x = np.array([GDP_2024[code] / 10_000 for code in codes])  # 万亿元, as the axis says
    y = np.array([scores[code] for code in codes])
    slope, intercept = np.polyfit(x, y, 1)
    assert report.gdp_fit is not None
    assert report.gdp_fit.slope == pytest.approx(slope, rel=1e-9)
    assert report.gdp_fit.intercept == pytest.approx(intercept, rel=1e-9)
    assert report.gdp_fit.n == len(codes)
    html = report.html.read_text(encoding="utf-8")
    assert f"斜率 {slope:.3f} 分/万亿元" in html
    assert "地区生产总值（2024年）" in html  # the latest GDP year not after the report's


def test_missing_gdp_is_said_not_hidden(tmp_path: Path) -> None:
    marts = make_marts(tmp_path / "published.duckdb", gdp=False)
    out = tmp_path / "report"
    # left by an earlier build that had GDP; next to a file the report does not own
    stale = out / "charts" / "gdp_scatter.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier build")
    (out / "notes.txt").write_text("not the report's")
    result = build_report(marts, out)
    assert result.gdp_fit is None
    assert [chart.key for chart in result.charts] == expected_keys(with_gdp=False)
    html = result.html.read_text(encoding="utf-8")
    assert "GDP not delivered" in html and GDP_NOT_DELIVERED in html
    assert "gdp_scatter" not in html
    assert not stale.exists()
    assert (out / "notes.txt").exists()  # only the report's own folders are cleared
    # a table without GDP rows is the same as no table
    with duckdb.connect(str(marts)) as connection:
        connection.execute(
            "create table marts.fct_province_statistics as select '110000' as province_code, "
            "2024 as year, 'population' as statistic_code, 2185.0 as value, '万人' as unit, "
            "'published' as provenance, '国家统计局' as provenance_source"
        )
        assert queries.gdp_vs_index(connection, SYSTEM, 2025) is None


def test_same_data_same_bytes(report, marts: Path, tmp_path: Path) -> None:
    again = build_report(marts, tmp_path)
    first_dir, second_dir = report.html.parent, again.html.parent
    files = sorted(p.relative_to(first_dir) for p in first_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second_dir) for p in second_dir.rglob("*") if p.is_file())
    for name in files:
        assert (first_dir / name).read_bytes() == (second_dir / name).read_bytes(), name


def test_an_earlier_year_on_request(marts: Path, tmp_path: Path) -> None:
    result = build_report(marts, tmp_path, year=2024)
    assert result.year == 2024
    assert all("2024年" in title for title in result.titles)
    # GDP of the report year itself is used when it exists
    assert "地区生产总值（2024年）" in result.html.read_text(encoding="utf-8")


def test_every_figure_carries_the_data_note(report) -> None:
    data = report.data
    with cjk_style(find_cjk_font()):
        figures = [
            charts.top_bar(data["composite_top10"], "t"),
            charts.share_bar(data["share_racks_in_use"], "t", "万架"),
            charts.value_bar(data["utilisation"], "t", "%"),
            charts.city_bar(data["city_top30"], "t"),
            charts.gdp_scatter(data["gdp_scatter"], report.gdp_fit, "t", charts.DATA_NOTE),
            choropleth.choropleth(data["composite_map"], "t"),
        ]
    for figure in figures:
        assert any(charts.DATA_NOTE in text.get_text() for text in figure.texts)


def test_the_map_colours_every_province_by_its_score(marts: Path) -> None:
    """Sampled inside each outline, enclaves included (北京 lies within 河北's outer ring)."""
    with duckdb.connect(str(marts), read_only=True) as connection:
        scores = queries.node_scores(connection, SYSTEM, "composite", [2025])
    with cjk_style(find_cjk_font()):
        figure = choropleth.choropleth(scores, "map", label_top=0)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    axes = figure.axes[0]
    norm = Normalize(0.0, float(scores["score"].max()))
    boundaries = choropleth.load_boundaries()
    for row in scores.itertuples():
        point = boundaries.provinces[row.province_code].representative_point()
        x, y = axes.transData.transform((point.x, point.y))
        drawn = pixels[pixels.shape[0] - round(y), round(x), :3].astype(int)
        expected = np.array(colormaps[choropleth.CMAP](norm(row.score))[:3]) * 255
        assert np.abs(drawn - expected).max() <= 3, (row.province, drawn, expected)


def test_a_year_without_scores_is_refused(marts: Path, tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"no province scores for 2019; it has \[2023, 2024, 2025\]"
    ):
        build_report(marts, tmp_path, year=2019)
    assert not (tmp_path / "index.html").exists()


def test_no_cjk_font_names_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUANLI_CJK_FONT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list
    with pytest.raises(CjkFontNotFound, match="apt-get install fonts-noto-cjk"):
        find_cjk_font(directories=(tmp_path,))
    latin_only = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv("SUANLI_CJK_FONT", str(latin_only))
    with pytest.raises(CjkFontNotFound, match="no Simplified Chinese glyphs"):
        find_cjk_font()


def test_fonts_are_found_without_fontconfig(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SUANLI_CJK_FONT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list: the directories are searched
    font = find_cjk_font()
    assert font.family == "Noto Sans CJK SC"
    assert font.bold is not None
    assert ord("算") in cmap_of(font.regular) and ord("算") in cmap_of(font.bold)


def test_a_missing_glyph_is_an_error_not_tofu() -> None:
    figure = Figure()
    figure.text(0.5, 0.5, "算力 \U00013000")  # an Egyptian hieroglyph: in no CJK font
    with cjk_style(find_cjk_font()), pytest.raises(UserWarning, match="missing from font"):
        figure.savefig(Path("/dev/null"), format="png")


def test_the_style_does_not_leak() -> None:
    before = dict(matplotlib.rcParams)
    with cjk_style(find_cjk_font()):
        assert matplotlib.rcParams["font.family"] == [find_cjk_font().family]
    assert dict(matplotlib.rcParams) == before


@pytest.mark.slow  # prints the PDF edition with Chromium
def test_asset_writes_the_report_and_describes_it(
    marts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, materialise_report
) -> None:
    monkeypatch.setenv("SUANLI_REPORT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("SUANLI_DOCS_URL", "http://docs.example:8123/")
    metadata = materialise_report(marts)
    html = tmp_path / "out" / "index.html"
    assert html.is_file()
    assert metadata["path"] == str(html)
    assert metadata["url"] == "http://docs.example:8123/report/index.html"  # on the docs server
    assert metadata["charts"] == len(expected_keys(with_gdp=True))
    assert metadata["systems"] == 3
    assert metadata["year"] == 2025
    # the PDF edition beside the page, listed in the stamp like every other file
    pdf = tmp_path / "out" / "report.pdf"
    assert metadata["pdf"] == str(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    stamp = json.loads((tmp_path / "out" / ".inputs.json").read_text(encoding="utf-8"))
    assert "report.pdf" in stamp["files"] and "index.html" in stamp["files"]
    top10 = metadata["top10"]
    assert top10.splitlines()[0] == "| 排名 | 省份 | 得分 | 较上年 |"
    assert len(top10.splitlines()) == 2 + len(PROVINCES)


@pytest.fixture
def materialise_report(materialise_on_marts):
    """The report asset on `marts` (SUANLI_REPORT_DIR set by the caller): its metadata."""

    def run(marts: Path) -> dict:
        key, metadata = materialise_on_marts(blue_book, marts)
        assert key == REPORT_KEY == AssetKey(["report", "blue_book"])
        return metadata

    return run


def _modified(directory: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in directory.rglob("*") if path.is_file()}


@pytest.mark.slow  # prints the PDF edition with Chromium
def test_asset_leaves_the_report_of_the_same_inputs_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, materialise_report, record_publication
) -> None:
    marts = make_marts(tmp_path / "published.duckdb")
    record_publication(marts, "a" * 64)
    out = tmp_path / "out"
    monkeypatch.setenv("SUANLI_REPORT_DIR", str(out))
    first = materialise_report(marts)
    assert first["unchanged"] is False
    assert (out / ".inputs.json").is_file()
    before = _modified(out)
    again = materialise_report(marts)
    assert again["unchanged"] is True
    assert _modified(out) == before  # not a file written, the stamp included
    for key in ("path", "url", "charts", "year", "gdp_delivered", "top10", "inputs_sha256"):
        assert again[key] == first[key], key


@pytest.mark.slow  # prints the PDF edition with Chromium
def test_asset_draws_again_when_the_published_content_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, materialise_report, record_publication
) -> None:
    marts = make_marts(tmp_path / "published.duckdb")
    record_publication(marts, "a" * 64)
    monkeypatch.setenv("SUANLI_REPORT_DIR", str(tmp_path / "out"))
    first = materialise_report(marts)
    with duckdb.connect(str(marts)) as connection:  # a publication of other scores
        connection.execute(
            "update marts.fct_index_scores set score = score + 1.5 "
            "where year = 2025 and node_code = 'composite'"
        )
    record_publication(marts, "b" * 64)
    again = materialise_report(marts)
    assert again["unchanged"] is False
    assert again["inputs_sha256"] != first["inputs_sha256"]
    assert again["top10"] != first["top10"]  # drawn from the new scores


@pytest.mark.slow  # prints the PDF edition with Chromium
@pytest.mark.parametrize("gone", ["charts/composite_map.png", "report.pdf"])
def test_asset_draws_again_when_a_file_of_the_report_is_gone(
    gone: str, marts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, materialise_report
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("SUANLI_REPORT_DIR", str(out))
    first = materialise_report(marts)  # never published: the content is computed
    (out / gone).unlink()
    again = materialise_report(marts)
    assert again["unchanged"] is False
    assert again["inputs_sha256"] == first["inputs_sha256"]
    assert (out / gone).is_file()
    assert materialise_report(marts)["unchanged"] is True


def test_importing_the_report_loads_neither_matplotlib_nor_fonttools() -> None:
    """The Dagster definitions import the report asset: every process start would pay."""
    code = (
        "import sys, suanli.report, suanli.report.assets; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'fontTools'}))"
    )
    source = Path(suanli.__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.integration
def test_report_of_the_whole_pipeline(warehouse: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The bundled snapshot, materialised end to end: 31 provinces, 5 + 11 nodes, 30 cities."""
    result = build_report(warehouse, tmp_path)
    nodes = warehouse.execute(
        "select name_zh, node_level from marts.fct_index_weights "
        "where system_code = ? and node_level in ('primary', 'secondary')",
        [SYSTEM],
    ).fetchall()
    assert sum(level == "primary" for _, level in nodes) == 5
    assert sum(level == "secondary" for _, level in nodes) == 11
    for name, _ in nodes:
        assert any(name in title for title in result.titles), name
    assert len(result.data["composite_map"]) == 31
    assert len(result.data["city_top30"]) == 30
    assert result.data["share_racks_in_use"]["share"].sum() == pytest.approx(100.0)
    gdp_rows = (
        warehouse.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'fct_province_statistics'"
        ).fetchone()[0]
        and warehouse.execute(
            "select count(*) from marts.fct_province_statistics where statistic_code = 'gdp'"
        ).fetchone()[0]
    )
    assert (result.gdp_fit is not None) == bool(gdp_rows)
    systems = warehouse.execute("select count(*) from marts.dim_index_system").fetchone()[0]
    # System A's composite Top 10 and map, primaries, secondaries; every other system's
    # composite Top 10, map and primaries panel; rank intervals of every system, Sobol,
    # contributions, shares, utilisation, cities, GDP
    assert len(result.systems) == systems
    expected = 1 + 1 + 5 + 11 + 3 * (systems - 1) + systems + 2 + 2 + 1 + 1 + (1 if gdp_rows else 0)
    assert len(result.charts) == expected
    intervals = result.data["rank_intervals"]
    assert len(intervals) >= 20 and intervals["nominal_rank"].is_monotonic_increasing
    assert len(result.data["rank_intervals_city_compute"]) >= 20  # cities by name
    assert (intervals["rank_p5"] <= intervals["rank_p95"]).all()
    # The stacked contributions of the primaries add up to each province's composite.
    stacked = result.data["contributions"].set_index("province").sum(axis=1)
    composite = result.data["composite_map"].set_index("province")["score"]
    assert stacked.to_dict() == pytest.approx(composite.to_dict(), abs=1e-6)
