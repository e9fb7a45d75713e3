"""The benchmark finds the dbt command a run ran in its log, to time it bare."""

from __future__ import annotations

from suanli.benchmark import dbt_arguments


def test_the_arguments_of_the_logged_dbt_command() -> None:
    message = (
        "Running dbt command: `/repo/.venv/bin/suanli-dbt build --no-write-json "
        "--indirect-selection eager --select suanli.marts.fct_index_scores "
        "suanli.staging.stg_compute_centres`."
    )
    assert dbt_arguments(message) == [
        "build", "--no-write-json", "--indirect-selection", "eager",
        "--select", "suanli.marts.fct_index_scores", "suanli.staging.stg_compute_centres",
    ]  # fmt: skip


def test_a_message_without_a_dbt_command_has_no_arguments() -> None:
    assert dbt_arguments("Finished dbt command: 116 nodes") is None
    assert dbt_arguments("") is None
