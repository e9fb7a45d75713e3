"""Settings: every environment variable suanli reads, bound here once, and where the project's
files live (resolved from the repository layout, never from the cwd).

Each variable is a `Setting`: its name, its default and what it means. Nothing is read at
import: a path is read when it is asked for (so a variable set after import counts), and the
Dagster resources are configured when the code location loads (`suanli.definitions`), their
secrets bound as `dagster.EnvVar`s (`Setting.env_var`) so that the UI and the run config show
the variable's name, never its value. Relative paths are relative to the repository root. An
empty variable counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dagster import EnvVar

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
SNAPSHOT_DIR = SEEDS_DIR / "snapshot"
INDEX_SYSTEMS_DIR = SEEDS_DIR / "index_systems"
INDICATOR_CATALOGUE = SEEDS_DIR / "reference" / "indicators.csv"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


@dataclass(frozen=True)
class Setting:
    """An environment variable: its name, its default ("" = none; see `meaning`) and what it
    configures. `secret` ones are never read into config: they are bound with `env_var`."""

    name: str
    default: str
    meaning: str
    secret: bool = False

    def raw(self, environ: Mapping[str, str] | None = None) -> str:
        """The variable's text as set ("" when unset), read now from `environ` (default: the
        process environment)."""
        return (os.environ if environ is None else environ).get(self.name, "")

    def get(self, environ: Mapping[str, str] | None = None) -> str:
        """The variable's text, else the default."""
        return self.raw(environ) or self.default

    def env_var(self) -> EnvVar:
        """The variable as Dagster resource config: resolved from the environment when a run
        uses the resource, shown by name only."""
        from dagster import EnvVar  # here: reading a path needs no Dagster

        return EnvVar(self.name)


# ------------------------------------------------------------------ warehouse and outputs

WAREHOUSE = Setting(
    "SUANLI_WAREHOUSE", "data/warehouse/suanli.duckdb", "the DuckDB work file the pipeline builds"
)
MARTS = Setting(
    "SUANLI_MARTS", "", "the published marts BI tools read; unset: `<warehouse>_marts.duckdb`"
)
ARCHIVE = Setting("SUANLI_ARCHIVE", "data/archive", "immutable copies of every delivery")
LOCK_TIMEOUT = Setting(
    "SUANLI_LOCK_TIMEOUT", "1800", "seconds a run waits for another run's hold on the work file"
)
INDEX_SYSTEMS = Setting(
    "SUANLI_INDEX_SYSTEMS", "seeds/index_systems", "the folder of index definitions (*.yml)"
)
UNCERTAINTY = Setting(
    "SUANLI_UNCERTAINTY",
    "seeds/reference/uncertainty.yml",
    "the robustness audit's uncertain choices (Monte Carlo runs, seed, what varies)",
)
GX_DOCS = Setting("SUANLI_GX_DOCS", "data/gx_docs", "Great Expectations Data Docs")
DBT_DOCS = Setting(
    "SUANLI_DBT_DOCS",
    "dbt_project/target",
    "dbt docs (what `dbt docs generate` writes)",
)
DOCS_URL = Setting(
    "SUANLI_DOCS_URL",
    "http://127.0.0.1:8080",
    "the docs server (`make docs`): Dagster's links to the report, exports and Data Docs",
)
EXPORT_DIR = Setting(
    "SUANLI_EXPORT_DIR", "data/exports", "each mart as Parquet, and the Excel workbook"
)
REPORT_DIR = Setting("SUANLI_REPORT_DIR", "data/report", "the blue-book report")
LOG_DIR = Setting("SUANLI_LOG_DIR", "data/logs", "full logs of `materialize` runs")
CACHE_DIR = Setting(
    "SUANLI_CACHE_DIR",
    ".cache/suanli",
    "derived files worth keeping between runs (the report's font subsets); safe to delete",
)
CJK_FONT = Setting(
    "SUANLI_CJK_FONT", "", "a font file for the report's Chinese text; unset: found by fontconfig"
)

# ------------------------------------------------------------------ the Spark path (lake)

LAKE = Setting(
    "SUANLI_LAKE",
    "data/lake",
    "Parquet between the engines: raw record-level rows for Spark (raw/<table>), and what "
    "Spark's record-level models write (<model>)",
)
SPARK_DIR = Setting(
    "SUANLI_SPARK_DIR", "data/spark", "the local Spark session's warehouse dir and Derby metastore"
)
SPARK_VENV = Setting(
    "SUANLI_SPARK_VENV", ".cache/spark-venv", "the virtualenv with dbt-spark and pyspark"
)

# ------------------------------------------------------------------------------- intake

MAX_CELL_CHARS = Setting(
    "SUANLI_MAX_CELL_CHARS",
    "1000000",
    "longest cell intake accepts; a longer one is refused with a message, never a crash",
)
INTAKE_MEMORY_LIMIT = Setting(
    "SUANLI_INTAKE_MEMORY_LIMIT",
    "512MB",
    "DuckDB's memory while it reads and types a delivery; beyond it DuckDB spills to disk",
)

# Where deliveries land (`LandingResource.from_env`, and the landing sensor's default status).
LANDING = Setting(
    "SUANLI_LANDING",
    "",
    "a directory or http(s):// base URL; unset: the bundled snapshot (seeds/snapshot). "
    "Bound as an EnvVar when it holds credentials",
)
LANDING_LOCATIONS = Setting(
    "SUANLI_LANDING_LOCATIONS", "", "JSON object: source → directory or URL, over SUANLI_LANDING"
)
LANDING_TIMEOUT = Setting(
    "SUANLI_LANDING_TIMEOUT", "", "HTTP: seconds per connect and per read; unset: 30"
)
LANDING_RETRIES = Setting("SUANLI_LANDING_RETRIES", "", "HTTP: attempts after the first; unset: 3")
LANDING_BACKOFF = Setting("SUANLI_LANDING_BACKOFF", "", "HTTP: first backoff in seconds; unset: 1")
LANDING_AUTH_HEADER = Setting(
    "SUANLI_LANDING_AUTH_HEADER", "", "header for the token; unset: Authorization: Bearer"
)
LANDING_TOKEN = Setting("SUANLI_LANDING_TOKEN", "", "token of an authenticated feed", secret=True)
LANDING_USER = Setting("SUANLI_LANDING_USER", "", "basic-auth user of a feed", secret=True)
LANDING_PASSWORD = Setting(
    "SUANLI_LANDING_PASSWORD", "", "basic-auth password of a feed", secret=True
)

# `LandingResource` fields configured by these variables (besides the locations).
LANDING_FIELDS: dict[str, Setting] = {
    "timeout_seconds": LANDING_TIMEOUT,
    "retries": LANDING_RETRIES,
    "backoff_seconds": LANDING_BACKOFF,
    "auth_header": LANDING_AUTH_HEADER,
    "auth_token": LANDING_TOKEN,
    "username": LANDING_USER,
    "password": LANDING_PASSWORD,
}

# ------------------------------------------------------------------------------- alerts
# Unset: the `AlertsResource` field's default (no webhook, no e-mail: no alerts).

DAGSTER_URL = Setting(
    "SUANLI_DAGSTER_URL", "", "the Dagster UI, for run links; unset: http://127.0.0.1:3000"
)
ALERT_WEBHOOK_URL = Setting(
    "SUANLI_ALERT_WEBHOOK_URL", "", "JSON webhook (embeds the robot's key)", secret=True
)
ALERT_WEBHOOK_FORMAT = Setting(
    "SUANLI_ALERT_WEBHOOK_FORMAT", "", "generic (Slack too), wecom, dingtalk, feishu"
)
ALERT_SMTP_HOST = Setting("SUANLI_ALERT_SMTP_HOST", "", "SMTP server; unset: no e-mail")
ALERT_SMTP_PORT = Setting("SUANLI_ALERT_SMTP_PORT", "", "SMTP port; unset: 25")
ALERT_SMTP_SECURITY = Setting(
    "SUANLI_ALERT_SMTP_SECURITY", "", "auto (the default), ssl, starttls, none"
)
ALERT_SMTP_USER = Setting("SUANLI_ALERT_SMTP_USER", "", "SMTP login", secret=True)
ALERT_SMTP_PASSWORD = Setting("SUANLI_ALERT_SMTP_PASSWORD", "", "SMTP password", secret=True)
ALERT_EMAIL_FROM = Setting("SUANLI_ALERT_EMAIL_FROM", "", "sender; unset: suanli-alerts@localhost")
ALERT_EMAIL_TO = Setting("SUANLI_ALERT_EMAIL_TO", "", "recipients, comma-separated")
ALERT_METHOD_EMAIL_TO = Setting(
    "SUANLI_ALERT_METHOD_EMAIL_TO",
    "",
    "recipients of the checks on the index definition (coherence), comma-separated; unset: none",
)
ALERT_DEDUP_MINUTES = Setting(
    "SUANLI_ALERT_DEDUP_MINUTES", "", "the same failure is not announced again within this; 1440"
)
ALERT_STATE = Setting(
    "SUANLI_ALERT_STATE", "", "dedup state file; unset: $DAGSTER_HOME/suanli_alerts.sqlite"
)
FRESHNESS_FILE = Setting(
    "SUANLI_FRESHNESS_FILE", "", "YAML of freshness windows per source; unset: config/"
)

# `AlertsResource` fields configured by these variables.
ALERTS_FIELDS: dict[str, Setting] = {
    "dagster_url": DAGSTER_URL,
    "webhook_url": ALERT_WEBHOOK_URL,
    "webhook_format": ALERT_WEBHOOK_FORMAT,
    "smtp_host": ALERT_SMTP_HOST,
    "smtp_port": ALERT_SMTP_PORT,
    "smtp_security": ALERT_SMTP_SECURITY,
    "smtp_user": ALERT_SMTP_USER,
    "smtp_password": ALERT_SMTP_PASSWORD,
    "email_from": ALERT_EMAIL_FROM,
    "email_to": ALERT_EMAIL_TO,
    "method_email_to": ALERT_METHOD_EMAIL_TO,
    "dedup_window_minutes": ALERT_DEDUP_MINUTES,
    "state_path": ALERT_STATE,
    "freshness_file": FRESHNESS_FILE,
}

# --------------------------------------------------------------------------- accessors


def resolve_from_repo(path: str | os.PathLike[str]) -> Path:
    """Relative paths in configuration are relative to the repository root, as the README says."""
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else REPO_ROOT / candidate


def index_systems_dir() -> Path:
    """Index definitions: `SUANLI_INDEX_SYSTEMS` (a folder of *.yml), else the bundled ones.

    Lets users run their own experts' matrices, and tests run an edited copy, without
    touching the repository's definitions."""
    configured = INDEX_SYSTEMS.raw()
    return resolve_from_repo(configured) if configured else INDEX_SYSTEMS_DIR


def uncertainty_file() -> Path:
    return resolve_from_repo(UNCERTAINTY.get())


def warehouse_path() -> Path:
    """The DuckDB file: `SUANLI_WAREHOUSE`, else the embedded default."""
    return resolve_from_repo(WAREHOUSE.get())


def published_marts_path(warehouse: Path | None = None) -> Path:
    """The file BI tools read: `SUANLI_MARTS`, else `<warehouse>_marts.duckdb` beside it."""
    if configured := MARTS.raw():
        return resolve_from_repo(configured)
    work = warehouse or warehouse_path()
    return work.with_name(f"{work.stem}_marts{work.suffix}")


def gx_docs_path() -> Path:
    """Where GX Data Docs are written: `SUANLI_GX_DOCS`, else `data/gx_docs`."""
    return resolve_from_repo(GX_DOCS.get())


def dbt_docs_dir() -> Path:
    """Where dbt docs are: `SUANLI_DBT_DOCS`, else dbt's target folder."""
    return resolve_from_repo(DBT_DOCS.get())


def docs_url() -> str:
    """The docs server's base URL, without a trailing slash: `SUANLI_DOCS_URL`."""
    return DOCS_URL.get().rstrip("/")


def export_dir() -> Path:
    """Where exports are written: `SUANLI_EXPORT_DIR`, else `data/exports` (repo-relative)."""
    return resolve_from_repo(EXPORT_DIR.get())


def report_dir() -> Path:
    """Where the report is written: `SUANLI_REPORT_DIR`, else `data/report` under the repo."""
    return resolve_from_repo(REPORT_DIR.get())


def log_dir() -> Path:
    """Where `materialize` writes each run's full log: `SUANLI_LOG_DIR`, else `data/logs`."""
    return resolve_from_repo(LOG_DIR.get())


def lake_dir() -> Path:
    """Parquet between DuckDB and Spark: `SUANLI_LAKE`, else `data/lake` (repo-relative)."""
    return resolve_from_repo(LAKE.get())


def spark_dir() -> Path:
    """A local Spark session's warehouse and metastore: `SUANLI_SPARK_DIR`, else `data/spark`."""
    return resolve_from_repo(SPARK_DIR.get())


def spark_venv() -> Path:
    """The Spark virtualenv (`make spark`): `SUANLI_SPARK_VENV`, else `.cache/spark-venv`."""
    return resolve_from_repo(SPARK_VENV.get())


def cache_dir() -> Path:
    """Derived files worth keeping between runs (e.g. the report's font subsets), safe to
    delete at any time: `SUANLI_CACHE_DIR`, else `.cache/suanli` (git-ignored)."""
    return resolve_from_repo(CACHE_DIR.get())


def lock_timeout_seconds() -> float:
    """How long a run waits for the work file: `SUANLI_LOCK_TIMEOUT`, else 1800 s."""
    return float(LOCK_TIMEOUT.get())


def max_cell_chars() -> int:
    """The longest cell intake accepts: `SUANLI_MAX_CELL_CHARS`, else a million characters."""
    return int(MAX_CELL_CHARS.get())


def intake_memory_limit() -> str:
    """DuckDB's memory limit during intake (`SUANLI_INTAKE_MEMORY_LIMIT`, e.g. `512MB`)."""
    return INTAKE_MEMORY_LIMIT.get()


def cjk_font_file() -> str:
    """`SUANLI_CJK_FONT`: a font file for the report's Chinese text ("" = find one)."""
    return CJK_FONT.raw()


def landing_location(environ: Mapping[str, str] | None = None) -> str:
    """`SUANLI_LANDING` as set, stripped ("" = the bundled snapshot)."""
    return LANDING.raw(environ).strip()


def landing_configured(environ: Mapping[str, str] | None = None) -> bool:
    """Whether `SUANLI_LANDING` is set (the landing sensor then runs by default)."""
    return bool(LANDING.raw(environ))
