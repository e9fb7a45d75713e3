"""The blue-book report: every index system's indicator tree and weights, national totals and
growth, the regions and hub nodes, a section per index system (Top 10s on one axis, Top 10
across years, a map), shares, utilisation, city Top 30 and the index against GDP, as PNGs, one
static zh-CN HTML page readable offline and, on request, its PDF edition.

    from suanli.report import build_report
    result = build_report("data/warehouse/suanli_marts.duckdb", Path("data/report"), pdf=True)
"""

from suanli.report.build import Chart, ReportResult, build_report
from suanli.report.fonts import CjkFont, CjkFontNotFound, find_cjk_font

__all__ = ["Chart", "CjkFont", "CjkFontNotFound", "ReportResult", "build_report", "find_cjk_font"]
