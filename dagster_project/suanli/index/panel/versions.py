"""Weights with a history: every panel of questionnaires a system has had is a weights version.

Version 0 of every system is its definition file's own matrices. A panel (the set of
workbooks in force and how they aggregate, `assembly.panel_key`) gets the next number the
first time it is seen, and keeps it: a panel seen again (a withdrawn correction) becomes
current under its old number. The registry (`definitions.weight_versions`) and each version's
node weights (`definitions.index_node_weight_versions`) are kept across runs, so the weights a
past publication used stay on record after its workbooks are superseded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb

from suanli.index.panel.assembly import Questionnaire
from suanli.index.systems import SystemWeights

DEFINITION_KEY = "definition"

VERSIONS_DDL = """
create table if not exists definitions.weight_versions (
    system_code varchar not null,
    weights_version integer not null,
    panel_key varchar not null,
    aggregation varchar not null,
    n_experts integer not null,
    questionnaires json not null,
    max_consistency_ratio double,
    created_at timestamp not null,
    activated_at timestamp not null,
    is_current boolean not null
)
"""

NODE_WEIGHTS_DDL = """
create table if not exists definitions.index_node_weight_versions (
    system_code varchar not null,
    weights_version integer not null,
    node_code varchar not null,
    local_weight double not null,
    consistency_ratio double
)
"""


def prepare(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists definitions")
    connection.execute(VERSIONS_DDL)
    connection.execute(NODE_WEIGHTS_DDL)


def worst_consistency_ratio(weighed: SystemWeights) -> float | None:
    """The highest CR of any matrix behind a version's weights."""
    return max((row.consistency_ratio for row in weighed.experts), default=None)


def questionnaire_list(
    questionnaires: Sequence[Questionnaire], weighed: SystemWeights
) -> list[dict[str, object]]:
    """Which workbooks a version is made of, each with its expert's worst CR."""
    worst: dict[str | None, float] = {}
    for row in weighed.experts:
        worst[row.delivery_id] = max(worst.get(row.delivery_id, 0.0), row.consistency_ratio)
    return [
        {
            "file": q.file_name,
            "sha256": q.delivery_id,
            "received_at": q.received_at,
            "expert_id": q.expert_id,
            "expert_name": q.expert_name,
            "expert_weight": q.expert_weight,
            "max_consistency_ratio": worst.get(q.delivery_id),
        }
        for q in questionnaires
    ]


def record_definition(
    connection: duckdb.DuckDBPyConnection,
    system_code: str,
    aggregation: str,
    weighed: SystemWeights,
) -> None:
    """Version 0, the definition file's own weights as the file says them now, kept whether or
    not it is in force: a panel's first version is compared with it."""
    now = datetime.now(UTC).replace(tzinfo=None)
    max_cr = worst_consistency_ratio(weighed)
    exists = connection.execute(
        "select count(*) from definitions.weight_versions "
        "where system_code = ? and weights_version = 0",
        [system_code],
    ).fetchone()[0]
    if exists:
        connection.execute(
            "update definitions.weight_versions set aggregation = ?, max_consistency_ratio = ? "
            "where system_code = ? and weights_version = 0",
            [aggregation, max_cr, system_code],
        )
    else:
        connection.execute(
            "insert into definitions.weight_versions values (?, 0, ?, ?, 0, '[]', ?, ?, ?, false)",
            [system_code, DEFINITION_KEY, aggregation, max_cr, now, now],
        )
    _store_weights(connection, system_code, 0, weighed)


def register(
    connection: duckdb.DuckDBPyConnection,
    system_code: str,
    key: str,
    aggregation: str,
    questionnaires: Sequence[Questionnaire],
    weighed: SystemWeights,
) -> int:
    """The version of this panel (`DEFINITION_KEY`: version 0, recorded first by
    `record_definition`), a new number for a panel never seen, made current."""
    now = datetime.now(UTC).replace(tzinfo=None)
    found = connection.execute(
        "select weights_version, is_current from definitions.weight_versions "
        "where system_code = ? and panel_key = ?",
        [system_code, key],
    ).fetchone()
    if found is None:
        (version,) = connection.execute(
            "select coalesce(max(weights_version), 0) + 1 from definitions.weight_versions "
            "where system_code = ?",
            [system_code],
        ).fetchone()
        max_cr = worst_consistency_ratio(weighed)
        listed = questionnaire_list(questionnaires, weighed)
        connection.execute(
            "insert into definitions.weight_versions values (?, ?, ?, ?, ?, ?, ?, ?, ?, false)",
            [system_code, version, key, aggregation, len(questionnaires),
             json.dumps(listed, ensure_ascii=False), max_cr, now, now],
        )  # fmt: skip
        _store_weights(connection, system_code, version, weighed)
        was_current = False
    else:
        version, was_current = found
    if not was_current:
        connection.execute(
            "update definitions.weight_versions set activated_at = ? "
            "where system_code = ? and weights_version = ?",
            [now, system_code, version],
        )
    connection.execute(
        "update definitions.weight_versions set is_current = (weights_version = ?) "
        "where system_code = ?",
        [version, system_code],
    )
    return int(version)


def _store_weights(
    connection: duckdb.DuckDBPyConnection, system_code: str, version: int, weighed: SystemWeights
) -> None:
    connection.execute(
        "delete from definitions.index_node_weight_versions "
        "where system_code = ? and weights_version = ?",
        [system_code, version],
    )
    connection.executemany(
        "insert into definitions.index_node_weight_versions values (?, ?, ?, ?, ?)",
        [
            [system_code, version, node.node_code, node.local_weight, node.consistency_ratio]
            for node in weighed.nodes
        ],
    )
