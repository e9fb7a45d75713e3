"""Weights versions (suanli.index.panel.versions): version 0 is the definition file, each new
panel of questionnaires the next number, a panel seen again its old number; the registry and
every version's node weights stay on record."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from suanli.index.panel import versions
from suanli.index.panel.assembly import Questionnaire, panel_key
from suanli.index.panel.shifts import version_pairs
from suanli.index.systems import SystemWeights, load_systems, weigh_system
from suanli.settings import index_systems_dir


@pytest.fixture(scope="module")
def weighed() -> SystemWeights:
    system = {s.system_code: s for s in load_systems(index_systems_dir())}["comprehensive_v4"]
    return weigh_system(system)


def questionnaire(delivery_id: str, expert_id: str) -> Questionnaire:
    return Questionnaire(
        delivery_id=delivery_id, file_name=f"{expert_id}.xlsx", received_at="2026-12-01",
        system_code="comprehensive_v4", expert_id=expert_id, expert_name=expert_id,
        expert_weight=1.0, answers=pd.DataFrame(),
    )  # fmt: skip


def register(connection, panel: list[Questionnaire], weighed: SystemWeights) -> int:
    """As the definitions asset does: version 0 recorded, then the version in force."""
    versions.record_definition(connection, "comprehensive_v4", "aij", weighed)
    key = panel_key(panel, "aij") if panel else versions.DEFINITION_KEY
    return versions.register(connection, "comprehensive_v4", key, "aij", panel, weighed)


def current(connection) -> list[tuple]:
    return connection.execute(
        "select weights_version from definitions.weight_versions where is_current"
    ).fetchall()


def test_versions_are_numbered_by_panel_and_kept(weighed):
    with duckdb.connect() as connection:
        versions.prepare(connection)
        first = [questionnaire("a" * 64, "E01"), questionnaire("b" * 64, "E02")]
        corrected = [questionnaire("a" * 64, "E01"), questionnaire("c" * 64, "E02")]
        assert register(connection, [], weighed) == 0
        assert register(connection, [], weighed) == 0  # nothing new: no new version
        assert register(connection, first, weighed) == 1
        assert register(connection, first[::-1], weighed) == 1  # the same workbooks
        assert register(connection, corrected, weighed) == 2
        assert register(connection, first, weighed) == 1  # a withdrawn correction
        assert current(connection) == [(1,)]
        assert register(connection, [], weighed) == 0
        assert current(connection) == [(0,)]
        rows = connection.execute(
            "select weights_version, n_experts, questionnaires from definitions.weight_versions "
            "order by weights_version"
        ).fetchall()
        assert [(row[0], row[1]) for row in rows] == [(0, 0), (1, 2), (2, 2)]
        assert [q["sha256"] for q in json.loads(rows[2][2])] == ["a" * 64, "c" * 64]
        kept = connection.execute(
            "select weights_version, count(*) from definitions.index_node_weight_versions "
            "group by all order by 1"
        ).fetchall()
        assert kept == [(v, len(weighed.nodes)) for v in (0, 1, 2)]


def test_a_panel_in_the_first_build_is_compared_with_the_definition(weighed):
    with duckdb.connect() as connection:
        versions.prepare(connection)
        assert register(connection, [questionnaire("a" * 64, "E01")], weighed) == 1
        frame = connection.execute("select * from definitions.weight_versions").df()
        kept = connection.execute(
            "select distinct weights_version from definitions.index_node_weight_versions order by 1"
        ).fetchall()
    assert version_pairs(frame) == {"comprehensive_v4": (0, 1)}
    assert kept == [(0,), (1,)]


def test_the_version_in_force_before_is_the_previous_one():
    frame = pd.DataFrame(
        {
            "system_code": ["s"] * 3 + ["t"],
            "weights_version": [0, 1, 2, 0],
            "activated_at": pd.to_datetime(
                ["2026-01-01", "2026-04-01", "2026-03-01", "2026-01-01"]
            ),
            "is_current": [False, True, False, True],
        }
    )
    # s: 0, then 1 (Feb), then a correction made 2 (Mar), withdrawn in Apr: 1 is in force
    # again and is compared with 2, the version in force before it, not with 0.
    # t has only version 0: nothing to compare.
    assert version_pairs(frame) == {"s": (2, 1)}
