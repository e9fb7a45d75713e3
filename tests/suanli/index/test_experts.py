"""Several experts per node: their matrices are aggregated by AIJ, each expert's consistency is
recorded, and a definition with an unacceptable expert is refused naming the expert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dagster import materialize

from suanli.index.ahp import aggregate_judgements, ahp_weights
from suanli.index.assets import index_definitions
from suanli.index.panel.group import aggregate_priorities
from suanli.index.systems import (
    DefinitionError,
    InconsistentExpertError,
    load_system,
    weigh_system,
)
from suanli.settings import INDEX_SYSTEMS_DIR
from suanli.warehouse.resource import WarehouseResource

SYSTEM_A = INDEX_SYSTEMS_DIR / "comprehensive_v4.yml"

# Three judges of compute_scale (racks in use, racks under construction, intelligent compute),
# each acceptable on their own (CR < 0.10) but not perfectly consistent.
LI = [[1, 3, 1], ["1/3", 1, "1/2"], [1, 2, 1]]
WANG = [[1, 4, 2], ["1/4", 1, "1/3"], ["1/2", 3, 1]]
ZHAO = [[1, 2, "1/2"], ["1/2", 1, "1/3"], [2, 3, 1]]
# A prefers B strongly, B prefers C strongly, yet C prefers A strongly: no panel should sign it.
CYCLE = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]


def compute_scale(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["root"]["children"][0]["children"][0]


def with_panel(tmp_path: Path, *experts: dict[str, Any], name: str = "comprehensive_v4") -> Path:
    """A copy of System A (as `<name>.yml` in tmp_path) whose compute_scale has a panel."""
    raw = yaml.safe_load(SYSTEM_A.read_text(encoding="utf-8"))
    node = compute_scale(raw)
    del node["pairwise"]
    node["experts"] = list(experts)
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_panel_matrices_are_each_acceptable_but_disagree() -> None:
    results = [ahp_weights(matrix) for matrix in (LI, WANG, ZHAO)]
    assert all(0 < result.consistency_ratio < 0.10 for result in results)
    assert len({result.weights for result in results}) == 3
    assert ahp_weights(CYCLE).consistency_ratio >= 0.10


def test_a_panel_node_is_weighed_on_the_geometric_mean_of_its_experts(tmp_path: Path) -> None:
    path = with_panel(
        tmp_path,
        {"name": "李", "pairwise": LI},
        {"name": "王", "pairwise": WANG},
        {"name": "赵", "pairwise": ZHAO, "weight": 2},
    )
    weighed = weigh_system(load_system(path))

    group = ahp_weights(aggregate_judgements([LI, WANG, ZHAO], [1, 1, 2]))
    children = {row.node_code: row.local_weight for row in weighed.nodes}
    assert [children[code] for code in ("racks_in_use", "racks_under_construction")] == (
        pytest.approx(group.weights[:2], rel=1e-12)
    )
    (node,) = [row for row in weighed.nodes if row.node_code == "compute_scale"]
    assert node.consistency_ratio == pytest.approx(group.consistency_ratio, rel=1e-12)
    assert node.lambda_max == pytest.approx(group.lambda_max, rel=1e-12)


def test_every_experts_own_consistency_is_recorded(tmp_path: Path) -> None:
    path = with_panel(
        tmp_path,
        {"name": "李", "pairwise": LI},
        {"name": "王", "pairwise": WANG},
        {"name": "赵", "pairwise": ZHAO, "weight": 2},
    )
    weighed = weigh_system(load_system(path))

    panel = [row for row in weighed.experts if row.node_code == "compute_scale"]
    group_cr = ahp_weights(aggregate_judgements([LI, WANG, ZHAO], [1, 1, 2])).consistency_ratio
    assert [(row.expert_position, row.expert_name) for row in panel] == [
        (1, "李"),
        (2, "王"),
        (3, "赵"),
    ]
    for row, matrix in zip(panel, (LI, WANG, ZHAO), strict=True):
        own = ahp_weights(matrix)
        assert (row.lambda_max, row.consistency_index, row.consistency_ratio) == (
            pytest.approx(own.lambda_max, rel=1e-12),
            pytest.approx(own.consistency_index, rel=1e-12),
            pytest.approx(own.consistency_ratio, rel=1e-12),
        )
        assert row.is_consistent and row.n == 3 and row.n_experts == 3
        assert row.aggregation == "aij"
        assert row.aggregate_consistency_ratio == pytest.approx(group_cr, rel=1e-12)
        assert json.loads(row.judgements) == matrix
    assert [row.expert_weight for row in panel] == pytest.approx([0.25, 0.25, 0.5])
    # Nodes with one matrix keep it, unnamed, as their only judgement.
    single = [row for row in weighed.experts if row.node_code == "compute"]
    assert [(row.expert_name, row.aggregation, row.expert_weight) for row in single] == [
        (None, "single", 1.0)
    ]
    inner = [row for row in weighed.nodes if row.n_children]
    assert len(weighed.experts) == len(inner) - 1 + 3


def test_an_expert_with_cr_above_the_threshold_stops_naming_system_node_expert_and_cr(
    tmp_path: Path,
) -> None:
    path = with_panel(
        tmp_path,
        {"name": "李", "pairwise": LI},
        {"name": "钱", "pairwise": CYCLE},
        {"name": "王", "pairwise": WANG},
    )

    with pytest.raises(InconsistentExpertError) as raised:
        weigh_system(load_system(path))

    message = str(raised.value)
    cr = ahp_weights(CYCLE).consistency_ratio
    assert message.startswith("comprehensive_v4.yml: index system 'comprehensive_v4'")
    assert "node 'compute_scale', expert '钱'" in message
    assert f"CR = {cr:.4f} is not below 0.10" in message
    assert raised.value.result.consistency_ratio == pytest.approx(cr)


@pytest.mark.parametrize(
    ("node_edit", "message"),
    [
        (
            {"pairwise": LI, "experts": [{"name": "李", "pairwise": LI}]},
            "either `pairwise` or `experts`",
        ),
        ({"experts": []}, "non-empty list"),
        ({"experts": [{"pairwise": LI}]}, "expert 1 needs a name"),
        (
            {"experts": [{"name": "李", "pairwise": LI}, {"name": "李", "pairwise": WANG}]},
            "expert '李' is listed twice",
        ),
        ({"experts": [{"name": "李", "pairwise": LI[:2]}]}, "expert '李' needs a 3×3"),
        ({"experts": [{"name": "李", "pairwise": LI, "weight": 0}]}, "weight must be a positive"),
        ({"experts": [{"name": "李", "pairwise": LI, "weight": "2"}]}, "weight must be a positive"),
    ],
    ids=["both", "empty", "unnamed", "twice", "wrong-size", "zero-weight", "text-weight"],
)
def test_malformed_panels_are_refused_naming_the_node(
    tmp_path: Path, node_edit: dict[str, Any], message: str
) -> None:
    raw = yaml.safe_load(SYSTEM_A.read_text(encoding="utf-8"))
    node = compute_scale(raw)
    del node["pairwise"]
    node.update(node_edit)
    path = tmp_path / "edited.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    with pytest.raises(DefinitionError, match=rf"node 'compute_scale'.*{message}"):
        load_system(path)


def test_a_non_reciprocal_expert_matrix_is_refused_naming_the_expert(tmp_path: Path) -> None:
    broken = [[1, 3, 1], [3, 1, "1/2"], [1, 2, 1]]
    path = with_panel(tmp_path, {"name": "李", "pairwise": LI}, {"name": "孙", "pairwise": broken})

    with pytest.raises(DefinitionError, match=r"node 'compute_scale', expert '孙'.*not reciprocal"):
        weigh_system(load_system(path))


def test_an_included_subtree_brings_its_panel_along(tmp_path: Path) -> None:
    with_panel(tmp_path, {"name": "李", "pairwise": LI}, {"name": "王", "pairwise": WANG})
    (tmp_path / "city_compute.yml").write_text(
        (INDEX_SYSTEMS_DIR / "city_compute.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )

    city = weigh_system(load_system(tmp_path / "city_compute.yml"))

    assert [row.expert_name for row in city.experts if row.node_code == "compute_scale"] == [
        "李",
        "王",
    ]


# --- the definitions asset, materialised by Dagster into a DuckDB file -----------------------


def materialise_definitions(directory: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SUANLI_INDEX_SYSTEMS", str(directory))
    return materialize(
        [index_definitions],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        raise_on_error=False,
    )


def test_the_definitions_asset_writes_every_experts_judgement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definitions = tmp_path / "systems"
    definitions.mkdir()
    with_panel(definitions, {"name": "李", "pairwise": LI}, {"name": "王", "pairwise": WANG})
    warehouse = tmp_path / "w.duckdb"

    result = materialise_definitions(definitions, warehouse, monkeypatch)

    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select expert_name, consistency_ratio, aggregate_consistency_ratio, aggregation"
            " from definitions.index_node_experts where node_code = 'compute_scale'"
            " order by expert_position"
        ).fetchall()
        node_cr = connection.execute(
            "select consistency_ratio from definitions.index_nodes"
            " where node_code = 'compute_scale'"
        ).fetchone()[0]
        types = dict(
            connection.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'definitions' and table_name = 'index_node_experts'"
            ).fetchall()
        )
    group_cr = ahp_weights(aggregate_judgements([LI, WANG])).consistency_ratio
    assert [row[0] for row in rows] == ["李", "王"]
    assert [row[1] for row in rows] == pytest.approx(
        [ahp_weights(LI).consistency_ratio, ahp_weights(WANG).consistency_ratio]
    )
    assert [row[2] for row in rows] == pytest.approx([group_cr, group_cr])
    assert node_cr == pytest.approx(group_cr)
    assert {row[3] for row in rows} == {"aij"}
    assert types["expert_name"] == "VARCHAR" and types["is_consistent"] == "BOOLEAN"


def test_the_definitions_asset_fails_on_a_bad_expert_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definitions = tmp_path / "systems"
    definitions.mkdir()
    with_panel(definitions, {"name": "李", "pairwise": LI}, {"name": "钱", "pairwise": CYCLE})
    warehouse = tmp_path / "w.duckdb"

    result = materialise_definitions(definitions, warehouse, monkeypatch)

    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    cause = failure.step_failure_data.error.cause  # the definition's own exception
    assert cause.cls_name == "InconsistentExpertError"
    assert (
        "comprehensive_v4.yml: index system 'comprehensive_v4', node 'compute_scale', "
        f"expert '钱': AHP consistency ratio CR = {ahp_weights(CYCLE).consistency_ratio:.4f}"
    ) in cause.message
    with duckdb.connect(str(warehouse)) as connection:
        tables = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'definitions'"
        ).fetchone()[0]
    assert tables == 0


# Two judges of compute_quality (4 children: for 3, AIP and AIJ coincide), acceptable on their
# own but far apart.
QIAN = [[1, 3, 5, 1], ["1/3", 1, 2, "1/3"], ["1/5", "1/2", 1, "1/5"], [1, 3, 5, 1]]
SUN = [[1, "1/2", 2, "1/4"], [2, 1, 3, "1/2"], ["1/2", "1/3", 1, "1/6"], [4, 2, 6, 1]]


def with_aip_panel(tmp_path: Path, aggregation: Any) -> Path:
    raw = yaml.safe_load(SYSTEM_A.read_text(encoding="utf-8"))
    raw["panel"] = {"aggregation": aggregation}
    node = raw["root"]["children"][0]["children"][1]
    assert node["code"] == "compute_quality"
    del node["pairwise"]
    node["experts"] = [
        {"name": "钱", "pairwise": QIAN},
        {"name": "孙", "pairwise": SUN, "weight": 2},
    ]
    path = tmp_path / "comprehensive_v4.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_system_may_aggregate_its_panels_priorities_instead_aip(tmp_path: Path) -> None:
    weighed = weigh_system(load_system(with_aip_panel(tmp_path, "aip")))
    own = [ahp_weights(matrix).weights for matrix in (QIAN, SUN)]
    expected = aggregate_priorities(own, [1, 2])
    children = ("rack_utilisation", "pue", "cue", "compute_revenue")
    found = {row.node_code: row.local_weight for row in weighed.nodes}
    assert [found[code] for code in children] == pytest.approx(expected, rel=1e-12)
    aij = ahp_weights(aggregate_judgements([QIAN, SUN], [1, 2])).weights
    # Near-consistent judges make AIP and AIJ close, but not equal (3e-4 here; 1e-16 is noise).
    assert max(abs(found[c] - w) for c, w in zip(children, aij, strict=True)) > 1e-5
    panel = [row for row in weighed.experts if row.node_code == "compute_quality"]
    assert {row.aggregation for row in panel} == {"aip"}
    assert [json.loads(row.local_weights) for row in panel] == [
        pytest.approx(list(weights)) for weights in own
    ]


def test_an_unknown_panel_aggregation_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"panel\.aggregation.*'mean'.*aij, aip"):
        load_system(with_aip_panel(tmp_path, "mean"))
