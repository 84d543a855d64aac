"""`new`: start a clinic's own content project, which builds the shipped handouts at once."""

from __future__ import annotations

from pathlib import Path

import typer


def new(folder: Path) -> None:
    """Make FOLDER a content project: clinic.yaml to fill in, sheets/ and sources/ for your own.

    The shipped sheets, sources, templates and styles come from the installed package, so the
    folder holds only what the clinic adds or changes, and an upgrade never touches it.

    Example: factsheets new riverside-handouts && cd riverside-handouts && factsheets build
    """
    from factsheets.content.starter import new_project

    for path in new_project(folder):
        typer.echo(f"Wrote {path}{'/' if path.is_dir() else ''}")
    typer.echo(f"Next: fill in {folder / 'clinic' / 'clinic.yaml'}, then run 'factsheets build' in {folder}.")
