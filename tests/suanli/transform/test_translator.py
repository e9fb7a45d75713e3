"""How dbt's nodes read in Dagster: a test's asset check says what it asserts, a model's page
says what the table holds (not its SQL), and owners come from the folder's meta."""

from __future__ import annotations

from suanli.transform.translator import SuanliDbtTranslator, describe_test


def generic(name: str, severity: str = "error", **kwargs) -> dict:
    return {
        "name": f"{name}_x",
        "description": "",
        "test_metadata": {"name": name, "kwargs": kwargs},
        "config": {"severity": severity},
    }


def test_a_test_described_in_its_yml_keeps_that_description() -> None:
    test = {**generic("not_null", column_name="year"), "description": "Every row has a year."}
    assert describe_test(test, "marts/fct_index_scores") == "Every row has a year."


def test_a_generic_test_is_described_by_what_it_asserts() -> None:
    subject = "marts/dim_province"
    assert describe_test(generic("not_null", column_name="province_code"), subject) == (
        "`province_code` of marts/dim_province is never null."
    )
    assert describe_test(generic("unique_combination", columns=["a", "b"]), subject) == (
        "No two rows of marts/dim_province share (a, b)."
    )
    assert describe_test(
        generic("accepted_values", column_name="region", values=["east", "west"]), subject
    ) == ("`region` of marts/dim_province is one of: east, west.")
    relationships = generic(
        "relationships", column_name="city_code", to="ref('dim_city')", field="city_code"
    )
    assert describe_test(relationships, subject) == (
        "Every `city_code` of marts/dim_province is a `city_code` of dim_city."
    )


def test_an_unknown_test_still_gets_a_sentence_and_a_warning_one_says_so() -> None:
    custom = generic("children_weights_sum_to_one", "warn", column_name="local_weight")
    assert describe_test(custom, "intermediate/int_index_weights") == (
        "dbt test `children_weights_sum_to_one` on intermediate/int_index_weights "
        "(column `local_weight`) returns no row. Warns only."
    )


def test_a_model_is_described_by_its_yml_never_by_its_sql() -> None:
    translator = SuanliDbtTranslator()
    model = {"resource_type": "model", "name": "m", "description": " Scores. ",
             "raw_code": "select 1"}  # fmt: skip
    assert translator.get_description(model) == "Scores."
    assert translator.get_description({**model, "description": ""}) == "dbt model m"


def test_owners_come_from_the_folders_meta() -> None:
    translator = SuanliDbtTranslator()
    folder = {"meta": {}, "config": {"meta": {"owner": "team:suanli-method"}}}
    assert translator.get_owners(folder) == ["team:suanli-method"]
    assert translator.get_owners({"meta": {}, "config": {}}) is None
