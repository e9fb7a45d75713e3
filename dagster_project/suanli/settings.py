"""Where the project's files live, resolved from the repository layout (never from the cwd)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
SNAPSHOT_DIR = SEEDS_DIR / "snapshot"
INDEX_SYSTEMS_DIR = SEEDS_DIR / "index_systems"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_WAREHOUSE = "data/warehouse/suanli.duckdb"
DEFAULT_ARCHIVE = "data/archive"
DEFAULT_GX_DOCS = "data/gx_docs"
DEFAULT_EXPORT_DIR = "data/exports"
DEFAULT_REPORT_DIR = "data/report"
DEFAULT_CACHE = ".cache/suanli"


def resolve_from_repo(path: str | os.PathLike[str]) -> Path:
    """Relative paths in configuration are relative to the repository root, as the README says."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate


def index_systems_dir() -> Path:
    """Index definitions: `SUANLI_INDEX_SYSTEMS` (a folder of *.yml), else the bundled ones.

    Lets users run their own experts' matrices, and tests run an edited copy, without
    touching the repository's definitions."""
    configured = os.environ.get("SUANLI_INDEX_SYSTEMS")
    return resolve_from_repo(configured) if configured else INDEX_SYSTEMS_DIR


def warehouse_path() -> Path:
    """The DuckDB file: `SUANLI_WAREHOUSE`, else the embedded default."""
    return resolve_from_repo(os.environ.get("SUANLI_WAREHOUSE") or DEFAULT_WAREHOUSE)


def published_marts_path(warehouse: Path | None = None) -> Path:
    """The file BI tools read: `SUANLI_MARTS`, else `<warehouse>_marts.duckdb` beside it."""
    if configured := os.environ.get("SUANLI_MARTS"):
        return resolve_from_repo(configured)
    work = warehouse or warehouse_path()
    return work.with_name(f"{work.stem}_marts{work.suffix}")


def gx_docs_path() -> Path:
    """Where GX Data Docs are written: `SUANLI_GX_DOCS`, else `data/gx_docs`."""
    return resolve_from_repo(os.environ.get("SUANLI_GX_DOCS") or DEFAULT_GX_DOCS)


def export_dir() -> Path:
    """Where exports are written: `SUANLI_EXPORT_DIR`, else `data/exports` (repo-relative)."""
    return resolve_from_repo(os.environ.get("SUANLI_EXPORT_DIR") or DEFAULT_EXPORT_DIR)


def report_dir() -> Path:
    """Where the report is written: `SUANLI_REPORT_DIR`, else `data/report` under the repo."""
    return resolve_from_repo(os.environ.get("SUANLI_REPORT_DIR") or DEFAULT_REPORT_DIR)


def cache_dir() -> Path:
    """Derived files worth keeping between runs (e.g. the report's font subsets), safe to
    delete at any time: `SUANLI_CACHE_DIR`, else `.cache/suanli` (git-ignored)."""
    return resolve_from_repo(os.environ.get("SUANLI_CACHE_DIR") or DEFAULT_CACHE)
