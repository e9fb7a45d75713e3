"""The panel's judgements and weights in long form, for the dispersion marts: one row per
expert and pair of children (the judgement as answered or completed), and one per expert and
child (the expert's own local weight)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

from suanli.index.ahp import parse_judgement
from suanli.index.systems import SystemWeights

# Who judged: the node, the expert and their say; then each table's own columns.
JUDGE_COLUMNS = {
    "system_code": "varchar",
    "node_code": "varchar",
    "expert_position": "integer",
    "expert_id": "varchar",
    "expert_name": "varchar",
    "expert_weight": "double",
}
JUDGEMENT_COLUMNS = {
    **JUDGE_COLUMNS,
    "row_code": "varchar",
    "column_code": "varchar",
    "judgement": "double",
    "is_completed": "boolean",
}
WEIGHT_COLUMNS = {**JUDGE_COLUMNS, "child_code": "varchar", "local_weight": "double"}


def panel_frames(weighed: Sequence[SystemWeights]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(judgements, weights) of every expert of every node, in the nodes' children order."""
    judgements, weights = [], []
    for system in weighed:
        children: dict[str, list[str]] = {}
        for node in sorted(system.nodes, key=lambda node: node.position):
            if node.parent_code is not None:
                children.setdefault(node.parent_code, []).append(node.node_code)
        for expert in system.experts:
            codes = children[expert.node_code]
            who = {column: getattr(expert, column) for column in JUDGE_COLUMNS}
            matrix = json.loads(expert.judgements)
            completed = {tuple(pair) for pair in json.loads(expert.completed)}
            judgements += [
                {
                    **who,
                    "row_code": codes[i],
                    "column_code": codes[j],
                    "judgement": parse_judgement(matrix[i][j]),
                    "is_completed": (i, j) in completed,
                }
                for i in range(len(codes))
                for j in range(i + 1, len(codes))
            ]
            weights += [
                {**who, "child_code": code, "local_weight": weight}
                for code, weight in zip(codes, json.loads(expert.local_weights), strict=True)
            ]
    return (
        pd.DataFrame(judgements, columns=list(JUDGEMENT_COLUMNS)),
        pd.DataFrame(weights, columns=list(WEIGHT_COLUMNS)),
    )
