"""suanli: a data warehouse for China's computing-power indices."""

from suanli.dagster_storage import commit_without_fsync

# Dagster's local SQLite event log without an fsync per event (suanli.dagster_storage says why).
commit_without_fsync()
