"""`python -m suanli.cli top10`: says what it shows, lines up Chinese names, and refuses what it
cannot show (exit 2) naming the choices, instead of printing an empty table."""

from __future__ import annotations

import re

import pytest

from suanli.publish.top import display_width

SCORE = re.compile(r"\d+\.\d\d(?=\s|$)")


def test_chinese_characters_take_two_columns() -> None:
    assert display_width("内蒙古自治区") == 12
    assert display_width("Inner Mongolia") == 14
    assert display_width("ＰＵＥ") == 6  # full-width Latin is wide too


def test_every_system_shows_its_own_units_aligned_by_display_width(env, first_run, cli) -> None:
    for system, level in (("comprehensive_v4", "省份 provinces"), ("city_compute", "城市 cities")):
        result = cli(env, "top10", "--system", system)
        assert result.returncode == 0, result.stderr
        title, header, *rows = result.stdout.strip().splitlines()
        assert f"({system}) · 2025 · " in title and title.endswith(level)
        assert len(rows) >= 10
        # Scores are right-aligned: they end at the same terminal column as the header's.
        ends = {display_width(header[: header.index("Score") + len("Score")])}
        ends |= {display_width(row[: SCORE.search(row).end()]) for row in rows}
        assert len(ends) == 1, rows


def test_a_node_and_a_year_are_named_in_the_title(env, first_run, cli) -> None:
    result = cli(env, "top10", "--node", "pue", "--year", "2023")
    assert result.returncode == 0, result.stderr
    assert "· 2023 · PUE" in result.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("arguments", "choices"),
    [
        (["--system", "comprehensive_v9"], "systems: city_compute, comprehensive_v3, comprehen"),
        (["--year", "2019"], "comprehensive_v4 has no scores for 2019; years: 2022–2025"),
        (
            ["--system", "city_compute", "--node", "llm_patents"],
            "city_compute has no node 'llm_patents'; nodes:",
        ),
    ],
)
def test_what_cannot_be_shown_exits_2_naming_the_choices(
    env, first_run, cli, arguments: list[str], choices: str
) -> None:
    result = cli(env, "top10", *arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    assert choices in result.stderr
