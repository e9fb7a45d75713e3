"""A filled questionnaire against the index system it was generated for: what intake refuses.

The workbook reader (`suanli.index.panel.responses`) reports what a cell cannot mean (off the
scale, no expert named); this module judges the answers as a whole:

- the system and every node are known, and each row compares two children of its node;
- each pair at most once (A vs B and B vs A are the same pair);
- a node's answered pairs connect all its children (else the blanks cannot be completed);
- a node's matrix, blanks completed (Bozóki et al. 2010), has CR below 0.10, else the problem
  names the judgement whose change most reduces CR and the value that would be acceptable.

A node whose every answer is blank was not judged by this expert: it is kept (as blank rows)
but leaves that node to the rest of the panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from suanli.index.ahp import ahp_weights
from suanli.index.panel.completion import (
    UnconnectedComparisonsError,
    complete,
    in_node_order,
)
from suanli.index.panel.feedback import Revision, describe, suggest_revision
from suanli.index.panel.responses import Answer, FilledQuestionnaire
from suanli.index.panel.workbook import ANSWER_LABEL, INSTRUCTIONS_SHEET
from suanli.index.systems import IndexSystem, Node
from suanli.intake.errors import (
    DUPLICATE_KEY,
    INCONSISTENT_JUDGEMENTS,
    MISSING_VALUE,
    NOT_ALLOWED,
    UNCONNECTED_COMPARISONS,
    UNKNOWN_NODE,
    Problem,
)

SYSTEM_CELL = f"{INSTRUCTIONS_SHEET}!system_code"


@dataclass
class NodeAnswers:
    """One node's answers, pairs in the node's order: (i, j) with i < j → a_ij."""

    node: Node
    answers: list[Answer] = field(default_factory=list)
    judgements: dict[tuple[int, int], float] = field(default_factory=dict)
    written: dict[tuple[int, int], Answer] = field(default_factory=dict)


def validate_questionnaire(
    filled: FilledQuestionnaire, systems: Mapping[str, IndexSystem]
) -> list[Problem]:
    """Every problem of the answers as a whole (the reader's own problems come first)."""
    problems = list(filled.problems)
    system = systems.get(filled.system_code)
    if system is None:
        return [
            *problems,
            Problem(
                NOT_ALLOWED, filled.file_name, None, SYSTEM_CELL, filled.system_code,
                "the code of an index system: one of " + ", ".join(sorted(systems)),
            ),
        ]  # fmt: skip
    nodes = group_answers(filled, system, problems)
    judged = [answers for answers in nodes.values() if answers.judgements]
    if not judged and not problems:
        problems.append(
            Problem(
                MISSING_VALUE, filled.file_name, None, ANSWER_LABEL, None,
                "answers on at least one node's sheet (every answer is blank)",
            )
        )  # fmt: skip
    for answers in judged:
        problems += _matrix_problems(filled.file_name, filled.expert_id, system, answers)
    return problems


def group_answers(
    filled: FilledQuestionnaire, system: IndexSystem, problems: list[Problem]
) -> dict[str, NodeAnswers]:
    """The answers by node, each pair in the node's order; appends what does not fit."""
    known = {node.code: node for node in system.inner_nodes()}
    nodes: dict[str, NodeAnswers] = {}
    for answer in filled.answers:
        node = known.get(answer.node_code)
        column = f"{answer.sheet}!{ANSWER_LABEL}"
        if node is None:
            problems.append(
                Problem(
                    UNKNOWN_NODE, filled.file_name, answer.row, f"{answer.sheet}!node",
                    answer.node_code, f"an inner node of {system.system_code}: "
                    + ", ".join(known),
                )
            )  # fmt: skip
            continue
        entry = nodes.setdefault(node.code, NodeAnswers(node))
        entry.answers.append(answer)
        children = [child.code for child in node.children]
        unknown = [code for code in (answer.row_code, answer.column_code) if code not in children]
        if unknown or answer.row_code == answer.column_code:
            problems.append(
                Problem(
                    UNKNOWN_NODE, filled.file_name, answer.row, column,
                    f"{answer.row_code} vs {answer.column_code}",
                    f"two different children of {node.code}: " + ", ".join(children),
                )
            )  # fmt: skip
            continue
        pair, a_ij = in_node_order(children, answer.row_code, answer.column_code, answer.value)
        if pair in entry.written:
            first = entry.written[pair]
            problems.append(
                Problem(
                    DUPLICATE_KEY, filled.file_name, answer.row, column,
                    f"{answer.row_code} vs {answer.column_code}",
                    f"each pair once; {children[pair[0]]} vs {children[pair[1]]} is already "
                    f"on row {first.row}",
                )
            )  # fmt: skip
            continue
        entry.written[pair] = answer
        if a_ij is not None:
            entry.judgements[pair] = a_ij
    return nodes


def _matrix_problems(
    file_name: str, expert_id: str, system: IndexSystem, answers: NodeAnswers
) -> list[Problem]:
    node = answers.node
    names = [child.name_zh for child in node.children]
    sheet = answers.answers[0].sheet
    column = f"{sheet}!{ANSWER_LABEL}"
    try:
        completion = complete(len(names), answers.judgements)
    except UnconnectedComparisonsError as error:
        groups = " | ".join(
            "{" + ", ".join(names[i] for i in component) + "}" for component in error.components
        )
        return [
            Problem(
                UNCONNECTED_COMPARISONS, file_name, None, column, None,
                f"answers at node {node.code} ({node.name_zh}) that connect all its children; "
                f"these groups are not compared with each other: {groups} — answer at least "
                "one pair across them",
            )
        ]  # fmt: skip
    result = ahp_weights(completion.matrix.tolist(), system.random_index)
    if result.is_consistent:
        return []
    revision = suggest_revision(len(names), answers.judgements, system.random_index)
    culprit = answers.written[revision.pair]
    return [
        Problem(
            INCONSISTENT_JUDGEMENTS, file_name, culprit.row, column, culprit.written,
            f"consistent judgements at node {node.code} ({node.name_zh}): expert {expert_id}'s "
            f"CR is {result.consistency_ratio:.2f}, not below 0.10; "
            + describe(_as_on_row(revision, culprit, node), names),
        )
    ]  # fmt: skip


def _as_on_row(revision: Revision, culprit: Answer, node: Node) -> Revision:
    """The feedback in the row's own order: a row listing the later child first wrote 1/a_ij."""
    first = [child.code for child in node.children].index(culprit.row_code)
    if first == revision.pair[0]:
        return revision
    return replace(
        revision,
        pair=revision.pair[::-1],
        written=1.0 / revision.written,
        suggested=None if revision.suggested is None else 1.0 / revision.suggested,
        best_value=1.0 / revision.best_value,
    )
