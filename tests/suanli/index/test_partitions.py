"""Which years a run covers: its partition or partition range, else every year; which years
`--years` names, and the runs they take."""

from __future__ import annotations

import pytest

from suanli.index.partitions import YearsError, consecutive_blocks, parse_years, run_years

KNOWN = [str(year) for year in range(2016, 2026)]


def test_a_range_covers_the_years_between_its_ends() -> None:
    tags = {
        "dagster/asset_partition_range_start": "2022",
        "dagster/asset_partition_range_end": "2024",
    }
    assert run_years(tags, KNOWN) == [2022, 2023, 2024]


def test_a_single_partition_is_one_year() -> None:
    assert run_years({"dagster/partition": "2025"}, KNOWN) == [2025]


def test_a_run_without_partitions_covers_every_year() -> None:
    assert run_years({"suanli/pid": "1"}, KNOWN) == list(range(2016, 2026))


def test_years_on_the_command_line_are_a_list_of_exactly_those_years() -> None:
    assert parse_years(["2024", "2021"], KNOWN) == ["2021", "2024"]


def test_a_dash_makes_an_inclusive_range_and_lists_and_ranges_combine() -> None:
    assert parse_years(["2021-2023"], KNOWN) == ["2021", "2022", "2023"]
    assert parse_years(["2016", "2024-2025", "2025"], KNOWN) == ["2016", "2024", "2025"]


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (["2015"], "no partition for 2015; known years: 2016-2025"),
        (["2024-2030"], "no partition for 2030; known years: 2016-2025"),
        (["2025-2021"], "range '2025-2021' ends before it starts"),
        (["last"], "'last' is neither a year nor a range such as 2021-2024"),
        (["2021..2024"], "'2021..2024' is neither a year nor a range such as 2021-2024"),
    ],
)
def test_what_is_not_a_known_year_is_named_with_the_known_years(
    tokens: list[str], message: str
) -> None:
    with pytest.raises(YearsError) as raised:
        parse_years(tokens, KNOWN)
    assert str(raised.value) == message


def test_a_list_with_gaps_is_one_run_per_consecutive_block() -> None:
    assert consecutive_blocks(["2016", "2017", "2021", "2023", "2024"], KNOWN) == [
        ["2016", "2017"],
        ["2021"],
        ["2023", "2024"],
    ]
    assert consecutive_blocks(["2025"], KNOWN) == [["2025"]]
