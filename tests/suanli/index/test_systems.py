"""Index systems are data: the bundled System A definition, and how bad definitions fail."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import materialize

from suanli.index.assets import index_definitions
from suanli.index.catalogue import load_catalogue
from suanli.index.systems import (
    DefinitionError,
    InconsistentMatrixError,
    load_system,
    load_systems,
    weigh,
)
from suanli.settings import INDEX_SYSTEMS_DIR
from suanli.warehouse.resource import WarehouseResource

SYSTEM_A = INDEX_SYSTEMS_DIR / "comprehensive_v4.yml"


def nodes_by_level(path: Path) -> dict[str, list[str]]:
    rows = weigh(load_system(path))
    levels: dict[str, list[str]] = {}
    for row in rows:
        levels.setdefault(row.node_level, []).append(row.node_code)
    return levels


def test_system_a_has_the_published_hierarchy() -> None:
    levels = nodes_by_level(SYSTEM_A)
    assert levels["composite"] == ["composite"]
    assert levels["primary"] == ["compute", "storage", "network", "model", "environment"]
    assert levels["secondary"] == [
        "compute_scale", "compute_quality", "storage_scale", "storage_quality",
        "network_access", "network_inter", "network_intra", "model_resources",
        "model_ecosystem", "environment_resources", "environment_market",
    ]  # fmt: skip
    assert len(levels["tertiary"]) == 39
    assert len(set(levels["tertiary"])) == 39


def test_negative_indicators_are_those_where_lower_is_better() -> None:
    negative = {
        row.node_code for row in weigh(load_system(SYSTEM_A)) if row.direction == "negative"
    }
    assert negative == {"pue", "cue", "electricity_price", "annual_mean_temperature"}


def test_weights_of_every_family_sum_to_one_and_matrices_are_consistent() -> None:
    rows = weigh(load_system(SYSTEM_A))
    by_parent: dict[str, float] = {}
    for row in rows:
        if row.parent_code:
            by_parent[row.parent_code] = by_parent.get(row.parent_code, 0.0) + row.local_weight
    assert by_parent and all(math.isclose(total, 1.0) for total in by_parent.values())
    inner = [row for row in rows if row.n_children]
    assert len(inner) == 17
    assert all(row.consistency_ratio is not None and row.consistency_ratio < 0.10 for row in inner)
    assert {row.random_index_table for row in rows} == {"saaty_1980"}


def test_every_bundled_system_loads() -> None:
    systems = load_systems(INDEX_SYSTEMS_DIR)
    assert {"comprehensive_v4", "comprehensive_v3", "city_compute"} <= {
        system.system_code for system in systems
    }


def edited_copy(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load(SYSTEM_A.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "edited.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_an_inconsistent_matrix_stops_with_system_node_and_cr(tmp_path: Path) -> None:
    def make_inconsistent(raw: dict) -> None:
        # compute_scale: A ≫ B, B ≫ C but C ≫ A — a cycle no expert should sign.
        raw["root"]["children"][0]["children"][0]["pairwise"] = [
            [1, 9, "1/9"],
            ["1/9", 1, 9],
            [9, "1/9", 1],
        ]

    with pytest.raises(InconsistentMatrixError) as raised:
        weigh(load_system(edited_copy(tmp_path, make_inconsistent)))
    message = str(raised.value)
    assert "'comprehensive_v4'" in message and "'compute_scale'" in message
    assert "CR = " in message and raised.value.result.consistency_ratio >= 0.10


def test_a_non_reciprocal_matrix_is_refused_naming_the_node(tmp_path: Path) -> None:
    def break_reciprocity(raw: dict) -> None:
        raw["root"]["children"][0]["pairwise"] = [[1, 2], [2, 1]]

    with pytest.raises(DefinitionError, match=r"node 'compute'.*recipro"):
        weigh(load_system(edited_copy(tmp_path, break_reciprocity)))


def test_a_matrix_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    def shrink(raw: dict) -> None:
        raw["root"]["pairwise"] = [[1, 2], ["1/2", 1]]

    with pytest.raises(DefinitionError, match=r"node 'composite'.*5×5"):
        load_system(edited_copy(tmp_path, shrink))


def test_an_indicator_is_named_by_its_catalogue_code_only(tmp_path: Path) -> None:
    """Names, unit and direction come from the indicator catalogue, so no system can give an
    indicator metadata of its own, or one the catalogue does not know."""

    def restate(raw: dict) -> None:
        raw["root"]["children"][0]["children"][0]["children"][0] = {
            "code": "racks_in_use", "name_zh": "机架", "name_en": "Racks", "unit": "架",
            "direction": "positive",
        }  # fmt: skip

    with pytest.raises(DefinitionError, match=r"an indicator is given by its code alone"):
        load_system(edited_copy(tmp_path, restate))

    def invent(raw: dict) -> None:
        raw["root"]["children"][0]["children"][0]["children"][0] = "racks_on_the_moon"

    with pytest.raises(
        DefinitionError,
        match=r"indicator 'racks_on_the_moon' .*not in the indicator catalogue",
    ):
        load_system(edited_copy(tmp_path, invent))


def test_an_indicator_takes_names_unit_and_direction_from_the_catalogue() -> None:
    catalogue = load_catalogue()
    for system in load_systems(INDEX_SYSTEMS_DIR):
        for node, *_ in system.nodes():
            if node.is_leaf:
                indicator = catalogue[node.code]
                assert (node.name_zh, node.name_en, node.unit, node.direction) == (
                    indicator.name_zh, indicator.name_en, indicator.unit, indicator.direction
                )  # fmt: skip


def test_a_duplicated_node_code_is_refused(tmp_path: Path) -> None:
    def duplicate(raw: dict) -> None:
        raw["root"]["children"][1]["code"] = "compute"

    with pytest.raises(DefinitionError, match="used twice"):
        load_system(edited_copy(tmp_path, duplicate))


# --- System A′ (comprehensive_v3) and standardisation ----------------------------------------

SYSTEM_A_PRIME = INDEX_SYSTEMS_DIR / "comprehensive_v3.yml"


def test_system_a_prime_is_system_a_without_models_and_says_it_is_an_approximation() -> None:
    a, a_prime = load_system(SYSTEM_A), load_system(SYSTEM_A_PRIME)
    levels = nodes_by_level(SYSTEM_A_PRIME)

    assert levels["primary"] == ["compute", "storage", "network", "environment"]
    assert len(levels["secondary"]) == 9 and len(levels["tertiary"]) == 35
    assert a_prime.approximation and "3.0" in a_prime.approximates
    assert "近似" in a_prime.name_zh and "approximation" in a_prime.name_en
    assert not a.approximation and a_prime.years == a.years
    assert a_prime.unit_level == a.unit_level == "province"


def test_system_a_prime_reuses_system_a_subtrees_with_their_judgements() -> None:
    a = {row.node_code: row for row in weigh(load_system(SYSTEM_A))}
    a_prime = {row.node_code: row for row in weigh(load_system(SYSTEM_A_PRIME))}

    below_primaries = [row for row in a_prime.values() if row.depth >= 2]
    assert below_primaries and all(
        (row.local_weight, row.consistency_ratio, row.direction, row.name_zh)
        == (
            a[row.node_code].local_weight,
            a[row.node_code].consistency_ratio,
            a[row.node_code].direction,
            a[row.node_code].name_zh,
        )
        for row in below_primaries
    )
    assert not {"model", "model_resources", "genai_services_registered"} & set(a_prime)
    primaries = [a_prime[code].local_weight for code in ("compute", "storage", "network")]
    assert sum(row.local_weight for row in a_prime.values() if row.depth == 1) == pytest.approx(1)
    assert primaries[0] > primaries[1] == pytest.approx(primaries[2])
    assert a_prime["composite"].consistency_ratio < 0.10


def test_a_base_year_system_needs_a_base_year_among_its_years(tmp_path: Path) -> None:
    def base_year(year):
        def edit(raw: dict) -> None:
            raw["standardisation"] = "minmax_base_year"
            if year is not None:
                raw["base_year"] = year

        return edit

    system = load_system(edited_copy(tmp_path, base_year(2022)))
    assert (system.standardisation, system.base_year) == ("minmax_base_year", 2022)
    for year in (None, 2021, "2022"):
        with pytest.raises(DefinitionError, match=r"base_year: minmax_base_year needs a base_year"):
            load_system(edited_copy(tmp_path, base_year(year)))


def test_a_base_year_without_base_year_standardisation_is_refused(tmp_path: Path) -> None:
    def stray_base_year(raw: dict) -> None:
        raw["base_year"] = 2022

    with pytest.raises(DefinitionError, match="only minmax_base_year uses a base year"):
        load_system(edited_copy(tmp_path, stray_base_year))


def test_an_unknown_standardisation_is_refused(tmp_path: Path) -> None:
    def zscore(raw: dict) -> None:
        raw["standardisation"] = "zscore"

    with pytest.raises(DefinitionError, match="standardisation: must be one of"):
        load_system(edited_copy(tmp_path, zscore))


def test_an_approximation_must_say_what_it_approximates(tmp_path: Path) -> None:
    def unexplained(raw: dict) -> None:
        raw["approximation"] = True

    with pytest.raises(DefinitionError, match="approximates: an approximation must say"):
        load_system(edited_copy(tmp_path, unexplained))


# --- outlier treatment (`treatment:`) --------------------------------------------------------


def test_the_treatment_block_defaults_to_coinrs_rule_switched_off(tmp_path: Path) -> None:
    def drop(raw: dict) -> None:
        raw.pop("treatment", None)

    absent = load_system(edited_copy(tmp_path, drop)).treatment
    assert (absent.winsorise, absent.max_winsorised, absent.max_skew, absent.max_kurtosis) == (
        False, 5, 2.0, 3.5,
    )  # fmt: skip
    assert load_system(SYSTEM_A).treatment == absent  # the bundled block says the defaults
    assert not any(system.treatment.winsorise for system in load_systems(INDEX_SYSTEMS_DIR))

    def switch_on(raw: dict) -> None:
        raw["treatment"] = {"winsorise": True, "max_winsorised": 3, "max_kurtosis": 4}

    treatment = load_system(edited_copy(tmp_path, switch_on)).treatment
    assert (treatment.winsorise, treatment.max_winsorised, treatment.max_skew) == (True, 3, 2.0)
    assert treatment.max_kurtosis == 4.0 and isinstance(treatment.max_kurtosis, float)


def test_the_missing_block_sets_imputation_and_the_data_threshold(tmp_path: Path) -> None:
    def strict(raw: dict) -> None:
        raw["missing"] = {"impute": "regional_mean", "min_data_share": 0.75}

    def without_block(raw: dict) -> None:
        raw.pop("missing", None)

    policy = load_system(edited_copy(tmp_path, strict)).missing
    assert (policy.impute, policy.min_data_share) == ("regional_mean", 0.75)
    default = load_system(edited_copy(tmp_path, without_block)).missing
    assert (default.impute, default.min_data_share) == ("none", 0.0)
    bundled = {system.system_code: system.missing for system in load_systems(INDEX_SYSTEMS_DIR)}
    assert {(p.impute, p.min_data_share) for p in bundled.values()} == {("none", 0.0)}


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("yes", r"edited\.yml: treatment: expected a mapping with winsorise, .* found 'yes'"),
        ({"winsorize": True}, r"treatment: unknown field 'winsorize': expected winsorise, "),
        ({"winsorise": "true"}, r"treatment\.winsorise: expected true or false, found 'true'"),
        ({"max_winsorised": 2.5}, r"treatment\.max_winsorised: expected a whole number .* 2\.5"),
        ({"max_winsorised": -1}, r"treatment\.max_winsorised: expected .* ≥ 0 .* found -1"),
        ({"max_winsorised": True}, r"treatment\.max_winsorised: .* found True"),
        ({"max_skew": 0}, r"treatment\.max_skew: expected a number > 0, found 0"),
        ({"max_kurtosis": "3.5"}, r"treatment\.max_kurtosis: expected a number > 0, found '3\.5'"),
    ],
)
def test_a_bad_treatment_block_is_refused_naming_field_value_and_expectation(
    tmp_path: Path, block: object, message: str
) -> None:
    def edit(raw: dict) -> None:
        raw["treatment"] = block

    with pytest.raises(DefinitionError, match=message):
        load_system(edited_copy(tmp_path, edit))


def test_winsorising_a_base_year_system_is_refused(tmp_path: Path) -> None:
    def base_year_treated(raw: dict) -> None:
        raw["standardisation"], raw["base_year"] = "minmax_base_year", 2022
        raw["treatment"] = {"winsorise": True}

    with pytest.raises(
        DefinitionError, match=r"treatment\.winsorise: expected false with minmax_base_year"
    ):
        load_system(edited_copy(tmp_path, base_year_treated))


def test_the_definitions_asset_writes_the_treatment_of_every_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    definitions = tmp_path / "systems"
    definitions.mkdir()
    raw = yaml.safe_load(SYSTEM_A.read_text(encoding="utf-8"))
    raw["treatment"] = {"winsorise": True, "max_winsorised": 3}
    (definitions / "comprehensive_v4.yml").write_text(
        yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    prime = yaml.safe_load(SYSTEM_A_PRIME.read_text(encoding="utf-8"))
    prime.pop("treatment", None)
    (definitions / "comprehensive_v3.yml").write_text(
        yaml.safe_dump(prime, allow_unicode=True), encoding="utf-8"
    )
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("SUANLI_INDEX_SYSTEMS", str(definitions))

    result = materialize(
        [index_definitions], resources={"warehouse": WarehouseResource(path=str(warehouse))}
    )

    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select system_code, winsorise, max_winsorised, max_skew, max_kurtosis"
            " from definitions.index_systems order by system_code"
        ).fetchall()
        types = dict(
            connection.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'definitions' and table_name = 'index_systems'"
            ).fetchall()
        )
    assert rows == [
        ("comprehensive_v3", False, 5, 2.0, 3.5),
        ("comprehensive_v4", True, 3, 2.0, 3.5),
    ]
    columns = ("winsorise", "max_winsorised", "max_skew", "max_kurtosis")
    assert [types[name] for name in columns] == ["BOOLEAN", "INTEGER", "DOUBLE", "DOUBLE"]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            {"impute": "mean"},
            r"edited\.yml: missing\.impute: value 'mean': expected one of none, year_median, "
            r"previous_year, regional_mean",
        ),
        (
            {"min_data_share": 1.5},
            r"missing\.min_data_share: value 1\.5: expected a share of the system's indicators "
            r"from 0 to 1",
        ),
        ({"min_data_share": "half"}, r"missing\.min_data_share: value 'half': expected a share"),
        ({"min_data_share": True}, r"missing\.min_data_share: value True: expected a share"),
        ({"threshold": 0.5}, r"missing\.threshold: unknown key; expected impute or min_data_share"),
        ("year_median", r"missing: expected a mapping with impute, min_data_share, found"),
    ],
)
def test_a_bad_missing_block_is_refused_naming_the_field(
    tmp_path: Path, block: object, message: str
) -> None:
    def edit(raw: dict) -> None:
        raw["missing"] = block

    with pytest.raises(DefinitionError, match=message):
        load_system(edited_copy(tmp_path, edit))
