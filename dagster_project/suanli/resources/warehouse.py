"""The DuckDB warehouse file as a Dagster resource."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from suanli.paths import DEFAULT_ARCHIVE, resolve_from_repo

# DuckDB 2.x writes a storage format 1.x cannot open; BI tools still bundle 1.x, so new
# files are created in the oldest format that has everything we use.
STORAGE_COMPATIBILITY_VERSION = "v1.1.0"


class WarehouseResource(ConfigurableResource):
    """One DuckDB file (and the archive of deliveries loaded into it).

    DuckDB allows one writer per file: every writing asset runs in the `warehouse` pool.
    """

    path: str
    archive_dir: str = DEFAULT_ARCHIVE

    @property
    def archive_path(self) -> Path:
        """Immutable copies of every delivery as received."""
        return resolve_from_repo(self.archive_dir)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        file = resolve_from_repo(self.path)
        config: dict[str, str] = {}
        if not read_only:
            file.parent.mkdir(parents=True, exist_ok=True)
            config["storage_compatibility_version"] = STORAGE_COMPATIBILITY_VERSION
        connection = duckdb.connect(str(file), read_only=read_only, config=config)
        try:
            yield connection
        finally:
            connection.close()
