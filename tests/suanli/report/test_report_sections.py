"""What a reader finds in the report: contents that lead to every section, the indicator
systems and their weights first, the national totals and their growth, the four regions and
the national hub nodes, and a section of every index system with its Top 10s on one axis,
the Top 10 across years and a map."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from report_marts import (
    BASE_SYSTEM,
    BASE_YEAR_TOP,
    CITIES,
    CITY_SYSTEM,
    OTHER_NODES,
    PROVINCES,
    SYSTEM,
    SYSTEMS,
    make_marts,
)

from suanli.report import ReportResult, build_report, charts, find_cjk_font, summary
from suanli.report.fonts import cjk_style


class _Page(HTMLParser):
    """The page as sections: each h2's id, its text, and what is inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict] = []
        self.links: list[tuple[str, str]] = []  # (href, text) of the contents
        self._in: list[str] = []
        self._href: str | None = None
        self._text = ""
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._in.append(tag)
        if tag == "section":
            self.sections.append(
                {
                    "id": attributes.get("id"),
                    "h2": "",
                    "h3": [],
                    "images": [],
                    "captions": [],
                    "tables": {},
                    "text": "",
                }
            )
        elif tag == "a" and "nav" in self._in:
            self._href, self._text = attributes.get("href"), ""
        elif tag == "img" and self.sections:
            self.sections[-1]["images"].append(attributes.get("src"))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text))
            self._href = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self.sections and self._table is not None:
            self.sections[-1]["tables"][self._table].append(self._row)
        if tag == "table":
            self._table = None
        while self._in and self._in.pop() != tag:
            pass

    _table: str | None = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data
        if self._cell is not None:
            self._cell.append(data)
        if not self.sections or "nav" in self._in:
            return
        section = self.sections[-1]
        section["text"] += data
        tag = self._in[-1] if self._in else ""
        if tag == "h2":
            section["h2"] += data
        elif tag == "h3":
            section["h3"].append(data)
        elif tag == "caption":
            self._table = data
            section["tables"][data] = []
            section["captions"].append(data)


def page_of(report: ReportResult) -> _Page:
    page = _Page()
    page.feed(report.html.read_text(encoding="utf-8"))
    return page


def section(page: _Page, heading: str) -> dict:
    found = [s for s in page.sections if s["h2"] == heading]
    assert len(found) == 1, (heading, [s["h2"] for s in page.sections])
    return found[0]


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_marts(tmp_path_factory.mktemp("marts") / "published.duckdb")


@pytest.fixture(scope="module")
def report(marts: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportResult:
    return build_report(marts, tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def page(report: ReportResult) -> _Page:
    return page_of(report)


def test_the_contents_link_to_every_section_in_order(page: _Page, report: ReportResult) -> None:
    assert [text for _, text in page.links] == [s["h2"] for s in page.sections]
    assert [href for href, _ in page.links] == [f"#{s['id']}" for s in page.sections]
    assert len({s["id"] for s in page.sections}) == len(page.sections)
    assert list(report.headings) == [s["h2"] for s in page.sections]


def test_every_index_system_has_its_own_section(page: _Page, report: ReportResult) -> None:
    """Top 10 chart, the Top 10 across years and a map for each system of dim_index_system,
    the report's own system first; the city system's map shows its cities."""
    assert report.systems == (SYSTEM, BASE_SYSTEM, CITY_SYSTEM)
    headings = [s["h2"] for s in page.sections]
    names = [name for _, name, *_ in SYSTEMS]
    assert [h for h in headings if h in names] == names
    for code, name, _, _, _, years in SYSTEMS:
        body = section(page, name)
        year = min(years[-1], 2025)
        prefix = "" if code == SYSTEM else f"{code}_"
        assert f"charts/{prefix}composite_top10.png" in body["images"], name
        assert ("charts/composite_map.png" if code == SYSTEM else f"charts/{code}_map.png") in body[
            "images"
        ], name
        across = [c for c in body["captions"] if c.endswith("Top 10 历年排名与得分")]
        assert across, name
        table = body["tables"][across[0]]
        assert [f"{y}年" for y in years] == table[0][1:]  # a column group per year
        assert f"{year}年" in body["text"]
        if code != SYSTEM:
            assert f"charts/{code}_primaries.png" in body["images"]
    # the base-year system's latest year is 2024: its section is of 2024, not of 2025
    assert all("2024年" in t for t in report.titles if "先进计算" in t)
    city_map = report.data[f"{CITY_SYSTEM}_map"]
    assert sorted(city_map["province"]) == sorted(name for _, name, *_ in CITIES)
    assert city_map[["longitude", "latitude"]].notna().all().all()


def test_the_indicator_systems_and_their_weights_come_first(page: _Page, marts: Path) -> None:
    front = page.sections[0]
    assert front["h2"] == "指标体系与权重"
    with duckdb.connect(str(marts), read_only=True) as connection:
        weights = connection.execute(
            "select system_code, name_zh, local_weight, global_weight from marts.fct_index_weights"
        ).fetchall()
    for code, name, *_ in SYSTEMS:
        caption = f"{name} 指标体系与权重"
        rows = front["tables"][caption][1:]
        expected = [
            (node, f"{local:.3f}", f"{overall:.4f}")
            for system, node, local, overall in weights
            if system == code
        ]
        shown = [(cells[0].lstrip("\u3000"), cells[3], cells[4]) for cells in rows]
        assert sorted(shown) == sorted(expected), code
    # a tree: children indented under their parent, the composite first
    rows = front["tables"]["先进计算暨算力发展指数 3.0 指标体系与权重"][1:]
    assert [cells[0] for cells in rows] == [
        "先进计算暨算力发展指数",
        "\u3000计算产业",
        "\u3000\u3000集成电路产量",
        "\u3000计算应用",
        "\u3000\u3000应用案例",
    ]
    assert [s["h2"] for s in page.sections[:3]] == ["指标体系与权重", "全国概况", "区域比较"]


def test_national_totals_and_growth(page: _Page, marts: Path) -> None:
    body = section(page, "全国概况")
    with duckdb.connect(str(marts), read_only=True) as connection:
        totals = dict(
            connection.execute(
                "select year, sum(raw_value) from marts.fct_indicator_values "
                "where system_code = ? and indicator_code = 'racks_in_use' group by year",
                [SYSTEM],
            ).fetchall()
        )
    growth = 100 * (totals[2025] / totals[2024] - 1)
    table = body["tables"]["2025年 全国总量与同比增长（指数体系 comprehensive_v4）"]
    assert table[0] == ["指标", "单位", "2024年", "2025年", "同比增长（%）", "全国总量来源"]
    racks = next(row for row in table if row[0] == "在用标准机架数")
    assert racks == [
        "在用标准机架数", "万架", f"{totals[2024]:,.2f}", f"{totals[2025]:,.2f}",
        f"{growth:+.1f}", "31 省之和",
    ]  # fmt: skip
    assert f"2025年全国在用标准机架数 {totals[2025]:,.2f} 万架，同比 {growth:+.1f}%" in body["text"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(1932.0, "1,932"), (787.9, "787.90"), (12_220_000.0, "12,220,000"), (None, "—")],
)
def test_amounts_are_whole_when_they_are_counts(value: float | None, text: str) -> None:
    assert summary.amount_text(value) == text


def test_regions_and_hub_nodes_are_compared(page: _Page, marts: Path) -> None:
    body = section(page, "区域比较")
    regions = body["tables"]["2025年 四大经济区域比较"]
    assert regions[0][:4] == ["区域", "省份数", "综合指数平均得分", "最高得分"]
    by_region = {row[0]: row for row in regions[1:]}
    assert set(by_region) == {"东部", "西部"}  # the fixture's provinces are east and west
    with duckdb.connect(str(marts), read_only=True) as connection:
        rows = connection.execute(
            "select p.region, p.hub_node, s.score, v.share_pct from marts.dim_province p "
            "join marts.fct_index_scores s on s.unit_code = p.province_code "
            "join marts.fct_national_shares v on v.province_code = p.province_code "
            "and v.year = s.year and v.system_code = s.system_code "
            "where s.system_code = ? and s.year = 2025 and s.node_code = 'composite' "
            "and v.indicator_code = 'racks_in_use'",
            [SYSTEM],
        ).fetchall()
    east = [(score, share) for region, _, score, share in rows if region == "east"]
    mean = sum(score for score, _ in east) / len(east)
    share = sum(share for _, share in east)
    header = regions[0]
    assert by_region["东部"][header.index("省份数")] == str(len(east))
    assert by_region["东部"][header.index("综合指数平均得分")] == f"{mean:.1f}"
    assert by_region["东部"][header.index("在用标准机架数占全国（%）")] == f"{share:.1f}"
    hubs = body["tables"]["2025年 国家枢纽节点比较"]
    names = {row[0]: row for row in hubs[1:]}
    expected = {hub for *_, hub in PROVINCES if hub}
    assert set(names) == expected
    members = names["京津冀枢纽"][hubs[0].index("省份（按综合排名）")]
    assert sorted(members.split("、")) == ["北京", "河北"]


def test_charts_of_a_system_share_one_score_axis(report: ReportResult) -> None:
    """0–100 for a per-year system; a base-year system's own best score, rounded up to 50,
    on its composite, its map and its primaries alike."""
    assert report.axis_max[SYSTEM] == 100.0
    assert report.axis_max[CITY_SYSTEM] == 100.0
    base = report.axis_max[BASE_SYSTEM]
    best = max(
        report.data[key]["score"].max()
        for key in (f"{BASE_SYSTEM}_composite_top10", f"{BASE_SYSTEM}_primaries")
    )
    assert 100 < best <= BASE_YEAR_TOP
    assert base == math.ceil(best / 50) * 50
    primaries = [
        name
        for s, _, _, level, _, name, _ in OTHER_NODES
        if s == BASE_SYSTEM and level == "primary"
    ]
    panels = [
        (name, frame)
        for name, frame in report.data[f"{BASE_SYSTEM}_primaries"].groupby("node", sort=False)
    ]
    assert [name for name, _ in panels] == primaries
    with cjk_style(find_cjk_font()):
        figure = charts.top_panel(panels, "panel", base)
        figure.draw_without_rendering()
    shown = [axes for axes in figure.axes if axes.get_visible()]
    assert len(shown) == len(primaries)
    assert len({axes.get_xlim() for axes in shown}) == 1  # one axis for every panel
    for axes in shown:
        ticks = [t for t in axes.get_xticks()]
        assert max(ticks) == base and min(ticks) == 0
    assert any(f"0–{base:g}" in axes.get_xlabel() for axes in shown)


def test_the_page_names_the_base_year(page: _Page) -> None:
    body = section(page, "先进计算暨算力发展指数 3.0")
    assert "以 2023 年为基准，可超过 100" in body["text"]
    assert re.search(r"逐年极差标准化", section(page, "综合算力指数 4.0")["text"])
