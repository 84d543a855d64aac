"""`import`: a captured page into sources/; a new capture of a source already there only after its impact is read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from factsheets.cli.arguments import RootOption
from factsheets.errors import FactsheetsError, Problem, display_path

if TYPE_CHECKING:
    from factsheets.content.importing import Imported
    from factsheets.content.sources import Document
    from factsheets.project import Project


def import_page(
    page: Annotated[Path, typer.Argument(help="The captured page: a crawl's Markdown (.md) or a saved web page.")],
    source_id: Annotated[
        Optional[str], typer.Option("--id", help="The source's id (default: from its address, e.g. nci-ascites).")
    ] = None,
    url: Annotated[Optional[str], typer.Option(help="The page's https:// address, if the page does not say.")] = None,
    publisher: Annotated[Optional[str], typer.Option(help="Who published it, if the page does not say.")] = None,
    licence: Annotated[
        Optional[str],
        typer.Option(
            "--license", help="public-domain, copyrighted or a CC SPDX id (CC-BY-4.0), if the page does not say."
        ),
    ] = None,
    captured_from: Annotated[
        Optional[str],
        typer.Option(help="Where the capture came from, e.g. a crawl's repository and commit (default: the file)."),
    ] = None,
    captured_on: Annotated[
        Optional[dt.datetime],
        typer.Option(
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The day it was captured (default: as the page says, else the file's date).",
        ),
    ] = None,
    accept: Annotated[
        bool, typer.Option("--accept", help="Replace a source already there, once its impact has been read.")
    ] = False,
    root: RootOption = Path(),
) -> None:
    """Make a captured page a source: the publisher's headings, paragraphs, lists and tables, with its provenance.

    A new capture of a source already there is not written at first: the command prints what
    replacing it would change on every sheet (sentences, selections, approvals), and writes it
    only when run again with --accept.

    Example: factsheets import saved/ascites.html --captured-on 2025-12-30
    """
    from factsheets.content.importing import Given, existing_source
    from factsheets.content.importing import import_page as importing
    from factsheets.project import Project

    project = Project(root)
    given = Given(source_id, url, publisher, licence, captured_from, captured_on.date() if captured_on else None)
    imported = importing(page, project.sources_dir, given, dt.date.today())
    old = existing_source(project.content_layers("sources"), imported.id)
    if old is None:
        _write(imported, imported.path)
    else:
        _replace(project, imported, old, accept)


def _write(imported: Imported, path: Path) -> None:
    from factsheets.files import make_folder, write_atomic

    make_folder(path.parent)
    write_atomic(path, imported.text.encode())
    capture, meta = imported.capture, imported.document.meta
    when = meta.captured.when if meta.captured else "?"
    typer.echo(f"Wrote {display_path(path)}: {meta.title!r}, {imported.summary()}.")
    typer.echo(f"  from {display_path(capture.path)} ({capture.format}, sha256 {capture.sha256[:12]}...)")
    typer.echo(f"  captured on {when} ({imported.captured_on_from}{_date_hint(imported)})")
    for note in capture.notes:
        typer.echo(f"  note: {note}")
    typer.echo(f"Next: factsheets sections {imported.id}")


def _date_hint(imported: Imported) -> str:
    return "; give --captured-on if it was captured earlier" if imported.captured_on_from == "the file's date" else ""


def _replace(project: Project, imported: Imported, old: Document, accept: bool) -> None:
    """A new capture of a source already there: its impact first; written, and approvals voided, only on --accept."""
    from factsheets.content.importing import same_capture, section_changes
    from factsheets.content.sources import parse_document
    from factsheets.project import load_content
    from factsheets.selection.approval import save_lock
    from factsheets.selection.impact import impact, with_source

    local = old.path.parent.resolve() == project.sources_dir.resolve()
    path = old.path if local else imported.path  # a shipped source is replaced by the project's own file
    document = parse_document(path, imported.text)
    if same_capture(old, document):
        typer.echo(f"{display_path(path)} already holds this capture; nothing written.")
        return
    before = load_content(project)
    found = impact(before, with_source(before, document))
    typer.echo(f"A new capture of {old.id} ({display_path(path)}):")
    for line in section_changes(old, document) or ["the same sections and blocks; only its front matter differs"]:
        typer.echo(f"  {line}")
    typer.echo(found.text())
    if not accept:
        raise FactsheetsError(
            Problem(
                f"{display_path(path)} was not changed: the source '{old.id}' is already there",
                "read what replacing it changes (above), then run the same command with --accept to replace it.",
            )
        )
    _write(imported, path)
    if before.lock is not None and found.voided:
        save_lock(project.sheets_dir, found.voiding(before.lock))
        typer.echo(f"Approval voided for {', '.join(found.voided)}: review them, then 'factsheets lock'.")
