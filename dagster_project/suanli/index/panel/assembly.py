"""From accepted questionnaires to a system's panel: who judged which node, and how.

The panel of a system is the latest accepted workbook of each of its experts (a corrected
workbook, whatever its file name, supersedes the same expert's earlier one). An expert's
matrix at a node is their answers with the blanks completed (Bozóki et al. 2010); a node none
of the panel answered keeps the matrices of the definition file (version 0).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from suanli.index.panel.completion import complete, in_node_order
from suanli.index.systems import Expert, IndexSystem, Node

CURRENT_ANSWERS = """
select
    answers.*, deliveries.file_name, deliveries.received_at
from raw.expert_judgements as answers
inner join raw.deliveries as deliveries
    on answers._delivery_id = deliveries.delivery_id
    and deliveries.source = 'expert_judgements'
    and deliveries.is_current
order by deliveries.received_at, answers._delivery_id, answers._row_number
"""


@dataclass(frozen=True)
class Questionnaire:
    """One accepted workbook of the panel."""

    delivery_id: str
    file_name: str
    received_at: str
    system_code: str
    expert_id: str
    expert_name: str
    expert_weight: float
    answers: pd.DataFrame  # node_code, row_code, column_code, judgement (NaN when blank)


def current_answers(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every row of the workbooks in force; empty before the first questionnaire."""
    exists = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'expert_judgements'"
    ).fetchone()[0]
    if not exists:
        return pd.DataFrame()
    return connection.execute(CURRENT_ANSWERS).df()


def panels(answers: pd.DataFrame) -> dict[str, list[Questionnaire]]:
    """Each system's panel: per expert, their latest received workbook (ordered by expert)."""
    if answers.empty:
        return {}
    latest: dict[tuple[str, str], Questionnaire] = {}
    for delivery_id, rows in answers.groupby("_delivery_id", sort=False):
        first = rows.iloc[0]
        questionnaire = Questionnaire(
            delivery_id=str(delivery_id),
            file_name=str(first["file_name"]),
            received_at=str(first["received_at"]),
            system_code=str(first["system_code"]),
            expert_id=str(first["expert_id"]),
            expert_name=str(first["expert_name"]),
            expert_weight=float(first["expert_weight"]),
            answers=rows[["node_code", "row_code", "column_code", "judgement"]],
        )
        # Rows come in order of receipt: a later workbook of the same expert wins.
        latest[(questionnaire.system_code, questionnaire.expert_id)] = questionnaire
    by_system: dict[str, list[Questionnaire]] = {}
    for (system_code, _), questionnaire in sorted(latest.items()):
        by_system.setdefault(system_code, []).append(questionnaire)
    return by_system


def panel_key(questionnaires: Sequence[Questionnaire], aggregation: str) -> str:
    """What identifies a weights version: its workbooks (by content) and how they aggregate."""
    text = aggregation + "|" + "|".join(sorted(q.delivery_id for q in questionnaires))
    return hashlib.sha256(text.encode()).hexdigest()


def expert_matrix(node: Node, rows: pd.DataFrame) -> tuple[list[list[float]], tuple] | None:
    """One expert's completed matrix at `node` and the pairs completed; None when every answer
    at the node is blank, or when the node's children have changed since (intake checked the
    rest against the definition in force then)."""
    if not _fits(node, rows):
        return None  # answered under an older definition of the node: see `stale_nodes`
    children = [child.code for child in node.children]
    judgements = dict(
        in_node_order(children, row.row_code, row.column_code, float(row.judgement))
        for row in rows.itertuples()
        if not pd.isna(row.judgement)
    )
    if not judgements:
        return None
    completion = complete(len(children), judgements)
    return completion.matrix.tolist(), completion.filled


def with_panel(system: IndexSystem, questionnaires: Sequence[Questionnaire]) -> IndexSystem:
    """The system with every node some expert answered judged by those experts instead."""
    if not questionnaires:
        return system
    return replace(system, root=_judged(system.root, questionnaires))


def _judged(node: Node, questionnaires: Sequence[Questionnaire]) -> Node:
    if node.is_leaf:
        return node
    experts = []
    for questionnaire in questionnaires:
        rows = questionnaire.answers[questionnaire.answers["node_code"] == node.code]
        judged = expert_matrix(node, rows) if not rows.empty else None
        if judged is not None:
            matrix, completed = judged
            experts.append(
                Expert(
                    name=questionnaire.expert_name,
                    pairwise=matrix,
                    weight=questionnaire.expert_weight,
                    expert_id=questionnaire.expert_id,
                    delivery_id=questionnaire.delivery_id,
                    completed=completed,
                )
            )
    children = tuple(_judged(child, questionnaires) for child in node.children)
    return replace(node, experts=tuple(experts) or node.experts, children=children)


def stale_nodes(system: IndexSystem, questionnaires: Sequence[Questionnaire]) -> list[str]:
    """`<expert> <node>` for each node a workbook answered whose children have changed since
    (or that is gone): those answers are left out, and the run says so."""
    nodes = {node.code: node for node in system.inner_nodes()}
    stale = []
    for questionnaire in questionnaires:
        for code, rows in questionnaire.answers.groupby("node_code", sort=False):
            node = nodes.get(str(code))
            if node is None or not _fits(node, rows):
                stale.append(f"{questionnaire.expert_id} {code} ({questionnaire.file_name})")
    return stale


def _fits(node: Node, rows: pd.DataFrame) -> bool:
    """Whether a workbook's rows at `node` compare only the children the node has now."""
    answered = set(rows["row_code"]) | set(rows["column_code"])
    return answered <= {child.code for child in node.children}
