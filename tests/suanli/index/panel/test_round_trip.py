"""Questionnaires out, judgements in, weights out: the textbook examples, through workbooks.

Three small index systems are written to a definitions folder: Saaty's drinks (one 7×7 node),
Wikipedia's leader example (criteria, then the three candidates under each criterion) and the
incomplete 4×4 of ahpy's README (one pair left blank). Their questionnaires are generated,
filled with the published matrices, delivered through intake into a real DuckDB file, and the
weights the warehouse makes of them are compared with ahpy's and with the published figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import ahpy
import duckdb
import pytest
import yaml

from suanli.index.panel.assembly import current_answers, panels, with_panel
from suanli.index.panel.responses import fill_questionnaire
from suanli.index.panel.workbook import write_questionnaire
from suanli.index.systems import IndexSystem, load_systems, weigh_system
from suanli.intake.delivery import Delivery, store
from suanli.intake.readers import reader_for

INDICATORS = (
    "racks_in_use", "racks_under_construction", "intelligent_compute", "rack_utilisation",
    "pue", "cue", "compute_revenue", "storage_capacity", "storage_per_rack", "storage_iops",
    "graduates", "honours",
)  # fmt: skip
DRINKS = ("coffee", "wine", "tea", "beer", "soda", "milk", "water")
DRINK_ANSWERS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("coffee", "water"): "1/2", ("wine", "tea"): "1/3",
    ("wine", "beer"): "1/9", ("wine", "soda"): "1/9", ("wine", "milk"): "1/9",
    ("wine", "water"): "1/9", ("tea", "beer"): "1/3", ("tea", "soda"): "1/4",
    ("tea", "milk"): "1/3", ("tea", "water"): "1/9", ("beer", "soda"): "1/2",
    ("beer", "milk"): 1, ("beer", "water"): "1/3", ("soda", "milk"): 2, ("soda", "water"): "1/2",
    ("milk", "water"): "1/3",
}  # fmt: skip
PUBLISHED_DRINKS = (0.1775, 0.0191, 0.0418, 0.1164, 0.1896, 0.1288, 0.3268)
CRITERIA = ("experience", "education", "charisma", "age")
CANDIDATES = ("moll", "nell", "sue")
LEADER_ANSWERS = {
    "composite": {
        ("experience", "education"): 4, ("experience", "charisma"): 3, ("experience", "age"): 7,
        ("education", "charisma"): "1/3", ("education", "age"): 3, ("charisma", "age"): 5,
    },
    "experience": {("moll", "nell"): "1/4", ("moll", "sue"): 4, ("nell", "sue"): 9},
    "education": {("moll", "nell"): 3, ("moll", "sue"): "1/5", ("nell", "sue"): "1/7"},
    "charisma": {("moll", "nell"): 5, ("moll", "sue"): 9, ("nell", "sue"): 4},
    "age": {("moll", "nell"): "1/3", ("moll", "sue"): 5, ("nell", "sue"): 9},
}  # fmt: skip
INCOMPLETE = ("a", "b", "c", "d")
INCOMPLETE_ANSWERS = {
    ("a", "b"): 1, ("a", "c"): 5, ("a", "d"): 2, ("b", "c"): 3, ("b", "d"): 4, ("c", "d"): None,
}  # fmt: skip


def as_number(value: object) -> float:
    text = str(value)
    return 1 / float(text[2:]) if text.startswith("1/") else float(text)


def ones(n: int) -> list[list[int]]:
    return [[1] * n for _ in range(n)]


def chain(code: str, indicator: str) -> dict:
    """A primary whose one secondary holds one indicator: the hierarchy's depth, no more."""
    inner = {"code": f"{code}_s", "name_zh": code, "name_en": code, "pairwise": ones(1),
             "children": [indicator]}  # fmt: skip
    return {"code": code, "name_zh": code, "name_en": code, "pairwise": ones(1),
            "children": [inner]}  # fmt: skip


def definition(code: str, children: list[dict]) -> dict:
    return {
        "system_code": code, "name_zh": code, "name_en": code, "unit_level": "province",
        "years": [2025], "random_index": "donegan_dodd_1991",
        "root": {"code": "composite", "name_zh": "目标", "name_en": "Goal",
                 "pairwise": ones(len(children)), "children": children},
    }  # fmt: skip


def leader_criterion(criterion: str, indicators: list[str]) -> dict:
    candidates = [
        {
            "code": f"{criterion}_{c}",
            "name_zh": c,
            "name_en": c,
            "pairwise": ones(1),
            "children": [indicators.pop()],
        }
        for c in CANDIDATES
    ]
    return {"code": criterion, "name_zh": criterion, "name_en": criterion,
            "pairwise": ones(3), "children": candidates}  # fmt: skip


@pytest.fixture(scope="module")
def systems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, IndexSystem]:
    directory = tmp_path_factory.mktemp("definitions")
    indicators = list(INDICATORS)
    files = {
        "drinks": definition(
            "drinks", [chain(d, i) for d, i in zip(DRINKS, INDICATORS[:7], strict=True)]
        ),
        "leader": definition("leader", [leader_criterion(c, indicators) for c in CRITERIA]),
        "incomplete": definition(
            "incomplete", [chain(x, i) for x, i in zip(INCOMPLETE, INDICATORS[:4], strict=True)]
        ),
    }
    for name, raw in files.items():
        (directory / f"{name}.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return {system.system_code: system for system in load_systems(directory)}, directory


def leader_answers() -> dict:
    answers = {"composite": LEADER_ANSWERS["composite"]}
    for criterion in CRITERIA:
        answers[criterion] = {
            (f"{criterion}_{a}", f"{criterion}_{b}"): value
            for (a, b), value in LEADER_ANSWERS[criterion].items()
        }
    return answers


@pytest.fixture(scope="module")
def weighed(systems, spec, tmp_path_factory, monkeypatch_module):
    """Each system weighed from its delivered questionnaire: {system: {node: weight}}, CRs."""
    by_code, directory = systems
    monkeypatch_module.setenv("SUANLI_INDEX_SYSTEMS", str(directory))
    tmp = tmp_path_factory.mktemp("round_trip")
    answers = {
        "drinks": {"composite": DRINK_ANSWERS},
        "leader": leader_answers(),
        "incomplete": {"composite": INCOMPLETE_ANSWERS},
    }
    results = {}
    with duckdb.connect(str(tmp / "work.duckdb")) as connection:
        for code, given in answers.items():
            blank = write_questionnaire(by_code[code], tmp / f"{code}_blank.xlsx", "E01")
            path = fill_questionnaire(blank, tmp / f"{code}__E01.xlsx", given, "Saaty")
            delivery = Delivery(spec.name, path.name, path.name, path.read_bytes())
            loaded = store(connection, spec, delivery, tmp / "archive", reader_for(spec))
            assert loaded.status == "loaded", loaded.problems
        delivered = panels(current_answers(connection))
    for code, system in by_code.items():
        weights = weigh_system(with_panel(system, delivered[code]))
        results[code] = (
            {row.node_code: row for row in weights.nodes},
            {row.node_code: row for row in weights.experts},
        )
    return results


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def ahpy_of(name: str, answers: dict) -> ahpy.Compare:
    given = {pair: as_number(v) for pair, v in answers.items() if v is not None}
    return ahpy.Compare(name, given, precision=6, random_index="dd")


def test_the_drinks_weights_are_saatys_published_ones_and_ahpys(weighed):
    nodes, experts = weighed["drinks"]
    ours = [nodes[drink].local_weight for drink in DRINKS]
    assert ours == pytest.approx(PUBLISHED_DRINKS, abs=1e-4)
    reference = ahpy_of("drinks", DRINK_ANSWERS)
    assert ours == pytest.approx([reference.local_weights[d] for d in DRINKS], abs=1e-5)
    assert nodes["composite"].consistency_ratio == pytest.approx(
        reference.consistency_ratio, abs=1e-5
    )
    assert experts["composite"].expert_id == "E01" and experts["composite"].completed_pairs == 0


def test_the_leader_example_matches_ahpy_at_every_node_and_in_the_synthesis(weighed):
    nodes, _ = weighed["leader"]
    criteria = ahpy_of("criteria", LEADER_ANSWERS["composite"])
    assert [nodes[c].local_weight for c in CRITERIA] == pytest.approx(
        [criteria.local_weights[c] for c in CRITERIA], abs=1e-5
    )
    children = []
    for criterion in CRITERIA:
        compare = ahpy_of(criterion, LEADER_ANSWERS[criterion])
        children.append(compare)
        ours = [nodes[f"{criterion}_{c}"].local_weight for c in CANDIDATES]
        assert ours == pytest.approx([compare.local_weights[c] for c in CANDIDATES], abs=1e-5)
        assert nodes[criterion].consistency_ratio == pytest.approx(
            compare.consistency_ratio, abs=1e-5
        )
    criteria.add_children(children)
    for candidate in CANDIDATES:
        synthesis = sum(
            nodes[criterion].local_weight * nodes[f"{criterion}_{candidate}"].local_weight
            for criterion in CRITERIA
        )
        assert synthesis == pytest.approx(criteria.target_weights[candidate], abs=1e-5)


def test_the_blank_of_the_incomplete_matrix_is_completed_as_ahpy_completes_it(weighed):
    nodes, experts = weighed["incomplete"]
    reference = ahpy_of("missing_cd", INCOMPLETE_ANSWERS)
    ours = [nodes[x].local_weight for x in INCOMPLETE]
    assert ours == pytest.approx([reference.local_weights[x] for x in INCOMPLETE], abs=1e-3)
    # ahpy's README: b .392, a .3738, d .1357, c .0985; CR .0372; (c, d) computed as 0.7303.
    assert ours == pytest.approx([0.3738, 0.392, 0.0985, 0.1357], abs=1e-3)
    assert nodes["composite"].consistency_ratio == pytest.approx(0.0372, abs=1e-3)
    assert experts["composite"].completed_pairs == 1
    matrix = json.loads(experts["composite"].judgements)
    assert matrix[2][3] == pytest.approx(0.7303, abs=1e-3)


def test_the_questionnaire_lists_every_pair_the_matrices_need(systems, tmp_path):
    by_code, _ = systems
    path = write_questionnaire(by_code["drinks"], tmp_path / "drinks.xlsx", "E01")
    with pytest.raises(ValueError, match="asks no pair"):
        fill_questionnaire(path, tmp_path / "x.xlsx", {"composite": {("wine", "coffee"): 9}}, "x")
    assert Path(path).stat().st_size > 0
