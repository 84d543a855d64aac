"""`show`, `list`, `sections` and `schema`: looking at the content without printing anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from factsheets.cli.arguments import CancerTypeOption, RootOption, load_project, variant_of
from factsheets.errors import FactsheetsError, Problem


def show(sheet: str, cancer_type: CancerTypeOption = None, root: RootOption = Path()) -> None:
    """Print a sheet's selected content as plain text, each passage followed by its citation.

    A sentence that opens on a word pointing back ("These", "It is also") to a sentence the sheet
    cut is marked, with that sentence, and with the reviewer's reason when one cleared it.

    Example: factsheets show where-it-spreads --cancer-type breast
    """
    from factsheets.quality.openings import openings

    _, content = load_project(root)
    filled = content.fill(variant_of(sheet, cancer_type))
    cuts = openings(filled, content.corpus, content.common.glossary)
    typer.echo(f"{filled.sheet.title}" + (f" ({filled.cancer_type.title})" if filled.cancer_type else ""))
    heading = None
    for under, group in filled.printed():
        if under != heading:
            heading = under
            typer.echo(f"\n## {heading}")
        for block, (text, left_out, tidied) in enumerate(group.edits()):
            typer.echo(f"  {text}")
            for sentence in left_out:
                typer.echo(f"    (left out: {sentence})")
            if tidied:
                typer.echo("    (typography tidied: quotes, dashes or spaces)")
            for cut in (c for c in cuts if c.group is group and c.block == block):
                said = f"reviewed: {cut.reviewed}" if cut.reviewed else "check warns"
                typer.echo(
                    f"    (! opens on '{cut.opener}' after a cut: the source's sentence before it, "
                    f"'{cut.before}', is not printed before it; {said})"
                )
        if group.citation is None:
            typer.echo("    -- from your care team (the clinic's own words)")
        else:
            c = group.citation
            typer.echo(f'    -- {c.source.publisher}, "{c.section}" ({c.source.id}.md line {c.line})')


def list_sheets(root: RootOption = Path()) -> None:
    """List the sheets, their titles, and the cancer types each has variants for.

    Example: factsheets list
    """
    from factsheets.content.cancer_types import CANCER_TYPES

    _, content = load_project(root)
    for sheet in content.sheets.values():
        types = ", ".join(sheet.variant_types) if sheet.variant_types else "general only"
        typer.echo(f"{sheet.id:<26} {sheet.title:<44} {types}")
    typer.echo(f"\nCancer types: {', '.join(CANCER_TYPES)}")


def sections(source: str, root: RootOption = Path()) -> None:
    """List a source's sections and how many paragraphs, items and rows each holds.

    Example: factsheets sections nci-metastatic-cancer
    """
    _, content = load_project(root)
    if source not in content.corpus:
        raise FactsheetsError(
            Problem(f"unknown source '{source}'", f"use one of: {', '.join(content.corpus.documents)}.")
        )
    for s in content.corpus[source].sections:
        typer.echo(f"{s.address}  [{s.count('paragraph')} paragraphs, {s.count('item')} items, {s.count('row')} rows]")


SCHEMA = Path("sheets/sheet.schema.json")


def schema(
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help=f"File to write; needs no project (default: {SCHEMA}, in a project)."),
    ] = None,
) -> None:
    """Write the JSON Schema for sheet files, so editors can autocomplete and check them.

    Example: factsheets schema -o sheets/sheet.schema.json
    """
    from factsheets.content.sheets import sheet_schema
    from factsheets.files import write_atomic

    target = output or _in_project(SCHEMA)
    write_atomic(target, (json.dumps(sheet_schema(), indent=2) + "\n").encode())
    typer.echo(f"Wrote {target}")


def _in_project(path: Path) -> Path:
    """`path` when its folder is here (a project folder holds sheets/); otherwise a plain error, not a new folder."""
    if not path.parent.is_dir():
        raise FactsheetsError(
            Problem(
                f"there is no {path.parent}/ folder here ({Path.cwd()}), so this is not a project folder",
                f"run it in a project folder ('factsheets new FOLDER' makes one), or name the file to write: "
                f"factsheets schema -o {path.name}",
            )
        )
    return path
