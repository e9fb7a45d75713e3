"""Assemble the blue-book report of one system and year: charts, tables, the page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from suanli.data_note import DATA_NOTE_PAGE
from suanli.report import charts, queries, summary, systems
from suanli.report.builder import CHART_DIR, Builder, Chart, chart_workers
from suanli.report.drawn import DrawnCharts
from suanli.report.fonts import CjkFont, find_cjk_font
from suanli.report.inputs import drawing_fingerprint
from suanli.report.page import Section, TextBlock, render_body, render_page, table_from_frame
from suanli.report.pdf import PDF, print_pdf
from suanli.report.queries import IndexSystem
from suanli.report.webfont import FONT_DIR, font_face_css, write_web_fonts

__all__ = ["CHART_DIR", "PAGE", "PDF", "Chart", "ReportResult", "build_report"]

PAGE = "index.html"
SHARE_INDICATORS = ("racks_in_use", "intelligent_compute")
UTILISATION = "rack_utilisation"
GDP_NOT_DELIVERED = (
    "GDP not delivered：marts.fct_province_statistics 中没有 statistic_code = 'gdp' 的数据，"
    "综合算力指数与地区生产总值的散点图暂缺。"
)
PROVENANCE_ZH = {
    "published": "已公开发布（published）",
    "synthetic": "合成（synthetic）",
    "derived": "推算（derived）",
}


@dataclass(frozen=True)
class ReportResult:
    """What build_report wrote, and the data behind each chart (keyed like the charts)."""

    html: Path
    charts: tuple[Chart, ...]
    year: int
    system: str
    top10: pd.DataFrame
    gdp_fit: charts.OlsFit | None
    data: dict[str, pd.DataFrame] = field(repr=False)
    fonts: tuple[Path, ...] = ()
    pdf: Path | None = None
    systems: tuple[str, ...] = ()  # every system with a section, in page order
    axis_max: dict[str, float] = field(default_factory=dict)  # system → its score axis
    headings: tuple[str, ...] = ()  # the sections' titles, as the contents list them
    drawn: tuple[str, ...] = ()  # the charts drawn by this build; the others were in place

    @property
    def files(self) -> list[Path]:
        """Every file of the report: the page, its charts, fonts and PDF edition."""
        return [self.html, *self.pngs, *self.fonts, *([self.pdf] if self.pdf else [])]

    @property
    def pngs(self) -> list[Path]:
        return [chart.path for chart in self.charts]

    @property
    def titles(self) -> list[str]:
        return [chart.title for chart in self.charts]


@contextmanager
def _connection(
    source: duckdb.DuckDBPyConnection | str | os.PathLike[str],
) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(source, duckdb.DuckDBPyConnection):
        yield source
        return
    with duckdb.connect(str(source), read_only=True) as connection:
        yield connection


def _clear(directory: Path, pattern: str) -> None:
    """Drop what an earlier build left (e.g. a scatter from a year GDP was delivered)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(pattern):
        stale.unlink()


def rank_change_text(change: object) -> str:
    """+2 moved up two places, -1 down one, 0 unchanged, 新 no rank the year before."""
    if change is None or pd.isna(change):
        return "新"
    return f"{int(change):+d}" if change else "0"


def _resource_section(
    builder: Builder, connection: duckdb.DuckDBPyConnection, system: str, year: int
) -> Section:
    section = Section("算力资源分布")
    for indicator in SHARE_INDICATORS:
        label = queries.indicator_label(connection, system, indicator)
        frame = queries.indicator_shares(connection, system, year, indicator)
        name = label.split("（")[0]
        title = f"{year}年 {name} 各省份占全国比重"
        figure = partial(charts.share_bar, frame, title, label)
        section.blocks.append(builder.chart(f"share_{indicator}", title, figure, frame))
        table = frame[["province", "value", "share", "cumulative_share"]].rename(
            columns={
                "province": "省份",
                "value": label,
                "share": "占比（%）",
                "cumulative_share": "累计占比（%）",
            }
        )
        formats = {label: "{:,.2f}", "占比（%）": "{:.1f}", "累计占比（%）": "{:.1f}"}
        section.blocks.append(table_from_frame(f"{title}（前 10 位）", table.head(10), formats))
    label = queries.indicator_label(connection, system, UTILISATION)
    frame = queries.indicator_by_province(connection, system, year, UTILISATION)
    title = f"{year}年 各省份算力中心上架率"
    figure = partial(
        charts.value_bar, frame, title, f"{label}：已上架机架 ÷ 已完成机电建设机架", "{:.1f}%"
    )
    section.blocks.append(builder.chart("utilisation", title, figure, frame))
    return section


def _city_section(builder: Builder, connection: duckdb.DuckDBPyConnection, year: int) -> Section:
    section = Section("城市算力分指数 Top 30")
    frame = queries.city_top(connection, year)
    title = f"{year}年 城市算力分指数 Top 30"
    figure = partial(charts.city_bar, frame, title)
    section.blocks.append(builder.chart("city_top30", title, figure, frame))
    table = frame.rename(
        columns={
            "rank": "排名",
            "city": "城市",
            "province": "省份",
            "score": "得分",
            "rank_change": "排名变化",
        }
    )
    table["排名变化"] = [rank_change_text(change) for change in table["排名变化"]]
    formats = {"得分": "{:.1f}"}
    section.blocks.append(table_from_frame(title, table, formats))
    return section


def _gdp_section(
    builder: Builder, connection: duckdb.DuckDBPyConnection, system: str, year: int
) -> tuple[Section, charts.OlsFit | None]:
    section = Section("算力与经济")
    scatter = queries.gdp_vs_index(connection, system, year)
    if scatter is None:
        section.blocks.append(TextBlock(GDP_NOT_DELIVERED, "notice"))
        return section, None
    frame = scatter.frame
    fit = charts.ols_fit(frame["gdp_trillion"].to_numpy(), frame["score"].to_numpy())
    title = f"{year}年 综合算力指数与地区生产总值（{scatter.gdp_year}年）"
    provenance = "、".join(sorted(set(frame["provenance"].dropna().astype(str)))) or "未注明"
    sources = "；".join(scatter.sources) or "未注明"
    note = f"{charts.DATA_NOTE}\nGDP 来源：{sources}；provenance：{provenance}"
    figure = partial(charts.gdp_scatter, frame, fit, title, note)
    section.blocks.append(builder.chart("gdp_scatter", title, figure, frame))
    section.blocks.append(TextBlock(charts.slope_text(fit)))
    return section, fit


FACTOR_ZH = {
    "judgements": "AHP 判断（Saaty 标度扰动）",
    "weight_noise": "权重噪声",
    "normalisation": "标准化方法",
    "imputation": "缺失值处理",
    "winsorisation": "异常值处理（缩尾）",
}


def _robustness_section(
    builder: Builder, connection: duckdb.DuckDBPyConnection, system: str, year: int
) -> list[Section]:
    """How far the ranks hang on the modeller's choices, and what makes up each composite
    (none for marts published before the audit's marts existed)."""
    if not queries.has_robustness_marts(connection):
        return []
    section = Section("稳健性分析")
    # The report's system at the report's year first, then every other system's latest year.
    systems = queries.audited_systems(connection)
    audited = [(system, year)] + [(code, latest) for code, _, latest in systems if code != system]
    names = {code: name for code, name, _ in systems}
    for code, at in audited:
        intervals = queries.rank_intervals(connection, code, at)
        if intervals.empty:
            continue
        title = f"{at}年 {names.get(code, code)} Top 20 排名区间（P5–P95）"
        figure = partial(charts.rank_interval_chart, intervals, title)
        key = "rank_intervals" if code == system else f"rank_intervals_{code}"
        section.blocks.append(builder.chart(key, title, figure, intervals))
    sobol = queries.sensitivity(connection, system, year)
    if not sobol.empty:
        title = f"{year}年 各建模选择对综合排名的 Sobol 敏感性"
        figure = partial(charts.sobol_chart, sobol, title, FACTOR_ZH)
        section.blocks.append(builder.chart("sobol", title, figure, sobol))
    parts = queries.composite_contributions(connection, system, year)
    title = f"{year}年 各省份综合指数的分指数贡献"
    figure = partial(charts.contribution_chart, parts, title)
    section.blocks.append(builder.chart("contributions", title, figure, parts))
    return [section]


def _provenance_text(connection: duckdb.DuckDBPyConnection, system: str, year: int) -> str:
    rows = queries.provenance_counts(connection, system, year)
    counts = "，".join(f"{PROVENANCE_ZH.get(name, name)} {count} 个" for name, count in rows)
    return f"{year}年指标值（指标体系 {system}）按来源：{counts}。"


@dataclass(frozen=True)
class _Contents:
    """The page's text and sections, its charts handed to the builder."""

    year: int
    title: str
    intro: list[TextBlock]
    sections: list[Section]
    shown: list[str]  # the systems with a section, in page order
    top10: pd.DataFrame  # the headline system's composite Top 10
    fit: charts.OlsFit | None


def _system_sections(
    builder: Builder,
    connection: duckdb.DuckDBPyConnection,
    every: list[IndexSystem],
    system: str,
    year: int,
) -> tuple[list[Section], list[str], pd.DataFrame]:
    """A section per system of `every` with scores by `year` (the headline `system` at `year`
    itself, the others at their latest year not after it), the systems shown, the headline
    Top 10."""
    sections: list[Section] = []
    shown: list[str] = []
    top10 = pd.DataFrame()
    for index_system in every:
        headline = index_system.code == system
        at = year if headline else systems.system_year(connection, index_system, year)
        if at is None:
            continue
        section, top = systems.system_section(builder, connection, index_system, at, headline)
        sections.append(section)
        shown.append(index_system.code)
        if headline:
            top10 = top
    return sections, shown, top10


def _contents(
    builder: Builder, connection: duckdb.DuckDBPyConnection, system: str, year: int | None
) -> _Contents:
    latest = queries.latest_year(connection, system)
    year = latest if year is None else year
    available = queries.years_available(connection, system, latest)
    if year not in available:
        raise ValueError(f"{system} has no province scores for {year}; it has {available}")
    every = queries.index_systems(connection, first=system)
    sections = [
        systems.weights_section(connection, every),
        summary.national_section(connection, system, year, SHARE_INDICATORS),
        summary.regional_section(connection, system, year, SHARE_INDICATORS),
    ]
    system_sections, shown, top10 = _system_sections(builder, connection, every, system, year)
    sections += [
        *system_sections,
        *_robustness_section(builder, connection, system, year),
        _resource_section(builder, connection, system, year),
        _city_section(builder, connection, year),
    ]
    gdp_section, fit = _gdp_section(builder, connection, system, year)
    sections.append(gdp_section)
    intro = [
        TextBlock(DATA_NOTE_PAGE, "note"),
        TextBlock(_provenance_text(connection, system, year)),
    ]
    name = queries.report_nodes(connection, system)[0].name_zh
    return _Contents(year, f"{name}（{year}年）· 演示报告", intro, sections, shown, top10, fit)


def build_report(
    connection: duckdb.DuckDBPyConnection | str | os.PathLike[str],
    out_dir: Path,
    system: str = "comprehensive_v4",
    year: int | None = None,
    font: CjkFont | None = None,
    pdf: bool = False,
) -> ReportResult:
    """Write `index.html`, `charts/*.png` and `fonts/*.woff` under out_dir (and, with `pdf`,
    the page printed by headless Chromium to `report.pdf`, which the page links to); return
    what it wrote.

    `connection` is an open DuckDB connection or the path of a marts file (opened read-only).
    `system` is the report's headline system: the summaries are of it, and its section shows
    every primary and secondary node; every other system in `marts.dim_index_system` gets a
    section of its own too. `year` defaults to the headline system's latest year with scores.
    Worker processes, one per core, draw the charts while the build queries the marts and
    subsets the web fonts (`builder.chart_workers`); a chart whose PNG out_dir holds from its
    last build, drawn from the same data by the same code, is kept (`suanli.report.drawn`).
    Fails before writing the page when a glyph is missing from the CJK font (tofu), a chart
    cannot be drawn or no CJK font is installed.
    """
    out_dir = Path(out_dir)
    font = font or find_cjk_font()
    (out_dir / CHART_DIR).mkdir(parents=True, exist_ok=True)
    drawn = DrawnCharts(out_dir / CHART_DIR, drawing_fingerprint(font))
    _clear(out_dir / FONT_DIR, "*.woff")
    (out_dir / PDF).unlink(missing_ok=True)
    with chart_workers() as pool:
        builder = Builder(out_dir, pool, font, drawn)
        with _connection(connection) as db:
            contents = _contents(builder, db, system, year)
        title = contents.title
        body = render_body(title, contents.intro, contents.sections, pdf=PDF if pdf else None)
        web_fonts = write_web_fonts(font, title + body, out_dir)  # while the charts are drawn
        builder.wait()  # every chart written before the page that shows them
    drawn.save()
    html = out_dir / PAGE
    html.write_text(
        render_page(title, body, font_face_css(font.family, web_fonts, out_dir)), encoding="utf-8"
    )
    return ReportResult(
        html=html,
        charts=tuple(builder.charts),
        year=contents.year,
        system=system,
        top10=contents.top10,
        gdp_fit=contents.fit,
        data=builder.data,
        fonts=tuple(f.path for f in web_fonts),
        pdf=print_pdf(html, out_dir / PDF) if pdf else None,
        systems=tuple(contents.shown),
        axis_max=dict(builder.axis_max),
        headings=tuple(section.heading for section in contents.sections),
        drawn=tuple(drawn.drawn),
    )
