"""The blue-book report: Top 10 charts per node, shares, utilisation, city Top 30, a map and
the index against GDP, as PNGs and one static zh-CN HTML page readable offline.

    from suanli.report import build_report
    result = build_report("data/warehouse/suanli_marts.duckdb", Path("data/report"))
"""

from suanli.report.build import Chart, ReportResult, build_report
from suanli.report.fonts import CjkFont, CjkFontNotFound, find_cjk_font

__all__ = ["Chart", "CjkFont", "CjkFontNotFound", "ReportResult", "build_report", "find_cjk_font"]
