"""The README's command table and the CLI stay in step (sqlite-utils' test_docs does this for its docs)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from helpers.project import ROOT

from factsheets.cli.main import app

ROW = re.compile(r"^\| `factsheets (?P<command>[a-z-]+)(?P<arguments>[^`]*)` \| (?P<options>[^|]*(?:\\\|[^|]*)*) \|")


def _table() -> dict[str, tuple[str, set[str]]]:
    """The README's command table: command -> (its arguments as written, the options it lists)."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            options = set(re.findall(r"`(--[a-z0-9-]+)", match["options"]))
            rows[match["command"]] = (match["arguments"].strip(), options)
    return rows


def _commands() -> dict[str, Any]:
    """The CLI's commands (typer's own vendored click objects, so read by their attributes)."""
    return dict(typer.main.get_command(app).commands)


def test_the_table_lists_every_command_and_no_other() -> None:
    assert {name for name in _table() if not name.startswith("-")} == set(_commands())


def test_the_table_lists_the_options_of_factsheets_itself() -> None:
    """`factsheets --version`: a row of its own, as the options before any command."""
    group = typer.main.get_command(app)
    wanted = {opt for p in group.params for opt in p.opts if opt.startswith("--")} - {"--help"}
    assert {name for name in _table() if name.startswith("-")} == wanted


@pytest.mark.parametrize("name", sorted(_commands()))
def test_the_table_lists_every_option_and_argument_of_each_command(name: str) -> None:
    arguments, options = _table()[name]
    command = _commands()[name]
    params = command.params
    wanted = {opt for p in params if p.param_type_name == "option" for opt in p.opts if opt.startswith("--")}
    assert options == wanted - {"--help"}, f"README row for {name}: options differ"
    written = [word.strip("[].") for word in arguments.split()]  # `[SHEET]...`: optional, repeatable
    assert written == [p.name.upper() for p in params if p.param_type_name == "argument"]
