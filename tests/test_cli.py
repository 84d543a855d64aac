"""The command line: `check` passes on the shipped project, and every command is documented."""

from __future__ import annotations

import typer
from helpers import cli

from factsheets.cli import app


def test_check_passes_on_the_shipped_project() -> None:
    result = cli("check")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1].startswith("OK: ")
    assert "5 sources" in lines[-1]
    where = next(line for line in lines if line.startswith("where-it-spreads"))
    assert "14 variant(s)" in where


def test_every_command_has_help_with_an_example() -> None:
    """sqlite-utils' rule: a command without help text and an example fails the suite."""
    group = typer.main.get_command(app)
    commands = group.commands
    assert len(commands) >= 4
    for name, command in commands.items():
        assert command.help, name
        assert "Example: factsheets " + name in command.help, name


def test_usage_error_exits_2_without_traceback() -> None:
    result = cli("show")
    assert result.code == 2
    assert "Missing argument" in result.err
    assert "Traceback" not in result.err
