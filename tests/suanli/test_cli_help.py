"""Every command and every option of `python -m suanli.cli` says what it does."""

from __future__ import annotations

import argparse

from suanli.cli import build_parser


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (choices,) = [
        action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return dict(choices)


def test_every_command_and_option_has_help_text() -> None:
    parser = build_parser()
    commands = subcommands(parser)
    assert set(commands) == {"materialize", "top10", "check", "explain", "questionnaire", "serve"}
    described = {action.dest for action in parser._subparsers._group_actions[0]._choices_actions}
    assert described == set(commands)  # each command's line in `--help`
    for name, command in commands.items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest}: no help text"


def test_years_help_says_a_list_is_not_a_range() -> None:
    years = next(
        action
        for action in subcommands(build_parser())["materialize"]._actions
        if "--years" in action.option_strings
    )
    assert "`2021-2024` (a range" in years.help and "(a list: those two years only" in years.help
