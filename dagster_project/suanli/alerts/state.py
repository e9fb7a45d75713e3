"""What was already said, per key: a small SQLite file (default: in DAGSTER_HOME).

SQLite rather than JSON because the three sensors may run at the same time in the daemon.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from suanli.alerts.model import AlertState

FILE_NAME = "suanli_alerts.sqlite"

DDL = """
create table if not exists alert_state (
    key text primary key,
    failing integer not null,
    signature text not null,
    alerted_at real not null
)
"""


class AlertStateStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # closing() closes the file; the connection's own context is one transaction.
        with closing(sqlite3.connect(self.path, timeout=30)) as connection, connection:
            connection.execute(DDL)
            yield connection

    def load(self, keys: Iterable[str] | None = None) -> dict[str, AlertState]:
        with self._connection() as connection:
            rows = connection.execute(
                "select key, failing, signature, alerted_at from alert_state"
            ).fetchall()
        wanted = None if keys is None else set(keys)
        return {
            key: AlertState(bool(failing), signature, alerted_at)
            for key, failing, signature, alerted_at in rows
            if wanted is None or key in wanted
        }

    def save(self, key: str, state: AlertState) -> None:
        with self._connection() as connection:
            connection.execute(
                "insert into alert_state values (?, ?, ?, ?) on conflict (key) do update set "
                "failing = excluded.failing, signature = excluded.signature, "
                "alerted_at = excluded.alerted_at",
                (key, int(state.failing), state.signature, state.alerted_at),
            )
