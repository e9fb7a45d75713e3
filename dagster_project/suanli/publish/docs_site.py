"""The docs site: what the docs server (`docs_server`) serves under which path, and the URL of a
file in it. Dagster's metadata links point here rather than at `file://` URLs, which a browser
will not open from the http UI.

Sections are folders the pipeline writes (report, exports, Data Docs) and dbt docs; each is read
from its setting when asked, so the server and the links agree with the pipeline's settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from suanli import settings


@dataclass(frozen=True)
class Section:
    path: str  # its URL path under the base, e.g. "report"
    title: str
    folder: Callable[[], Path]
    start: str  # the page to open first, relative to the folder ("" = the folder's listing)


SECTIONS = (
    Section("report", "蓝皮书报告 · Blue-book report", settings.report_dir, "index.html"),
    Section("dbt", "dbt docs · 数据字典", settings.dbt_docs_dir, "index.html"),
    Section("data-docs", "GX Data Docs · 数据质量", settings.gx_docs_path, "index.html"),
    Section("exports", "Exports · 导出 (Parquet, Excel)", settings.export_dir, ""),
)
BY_PATH = {section.path: section for section in SECTIONS}


def url_for(section: str, file: Path, base: str | None = None) -> str:
    """The URL of `file` (under `section`'s folder) on the docs server at `base` (default:
    `SUANLI_DOCS_URL`)."""
    relative = file.resolve().relative_to(BY_PATH[section].folder().resolve()).as_posix()
    root = (base or settings.docs_url()).rstrip("/")
    return f"{root}/{section}/{'' if relative == '.' else quote(relative)}"
