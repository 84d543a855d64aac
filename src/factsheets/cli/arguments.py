"""What the commands share: their options, and the project and content nearly every command starts from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from factsheets.errors import FactsheetsError, Problem

if TYPE_CHECKING:
    from factsheets.project import Content, Project
    from factsheets.selection.variant import Variant


def _given_folder(option: str, fix: str) -> Callable[[Optional[Path]], Optional[Path]]:
    """A check that a folder given with `option` is one, made as the option is read, before any work.

    A mistyped --clinic would otherwise print every handout without the clinic's name and phone.
    """

    def check(value: Optional[Path]) -> Optional[Path]:
        if value is not None and not value.is_dir():
            what = "is not a folder" if value.exists() else "does not exist"
            raise FactsheetsError(Problem(f"{option} {value}: {what}", fix))
        return value

    return check


RootOption = Annotated[
    Path,
    typer.Option(
        "--root",
        help="Project folder (holds sources/ and sheets/).",
        callback=_given_folder(
            "--root",
            "give the project folder (it holds sources/ and sheets/), or leave --root out to use the current folder.",
        ),
    ),
]
CancerTypeOption = Annotated[
    Optional[str], typer.Option("--cancer-type", "--type", "-t", help="e.g. breast; see 'list'.")
]
ClinicOption = Annotated[
    Optional[Path],
    typer.Option(
        "--clinic",
        help="Clinic folder (clinic.yaml, logo, template and style overrides). Default: ROOT/clinic.",
        callback=_given_folder(
            "--clinic",
            "check the path to the clinic's folder, or leave --clinic out to use ROOT/clinic if there is one.",
        ),
    ),
]


TodayOption = Annotated[
    Optional[str], typer.Option("--today", help="Date to check review dates against (YYYY-MM-DD; default: today).")
]


def flag(*names: str, text: str) -> Any:  # Any: typer's OptionInfo is not public
    """A yes-or-no option, given by its name alone (`--large-print`, never `--large-print true`).

    An empty metavar, so that `--help` shows no `<bool>` value after it (main.PlainErrors does the
    same for every flag, whichever way it was declared).
    """
    return typer.Option(*names, help=text, metavar="")


StrictOption = Annotated[
    bool, typer.Option("--strict", help="Treat every warning as a failure (exit 1); lists each one.")
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="List every warning, not one line per kind of warning.")
]
DraftOption = Annotated[
    Optional[Path],
    typer.Option(
        "--draft",
        help="If a sheet does not fit: write its overflowing layout to this PDF, every page stamped "
        "DRAFT (to see what to cut; never for patients).",
    ),
]


def load_project(root: Path, clinic: Optional[Path] = None) -> tuple[Project, Content]:
    """The project and its content, read and checked: what nearly every command starts from."""
    from factsheets.project import Project, load_content

    project = Project(root, clinic)
    return project, load_content(project)


def variant_of(sheet: str, cancer_type: Optional[str]) -> Variant:
    from factsheets.content.cancer_types import find_cancer_type
    from factsheets.selection.variant import Variant

    return Variant(sheet, find_cancer_type(cancer_type))


PaperOption = Annotated[Optional[str], typer.Option(help="letter or a4 (default: the clinic's, else letter).")]
LargePrintOption = Annotated[bool, typer.Option("--large-print", help="18 pt body; may use the back of the page.")]
PatientOption = Annotated[str, typer.Option(help="Patient's name, printed on the sheet only.")]
DateOption = Annotated[
    str,
    typer.Option(
        help="Date printed in the personal box, the month in words: 2026-02-28, 28 Feb 2026, or in numbers "
        "read in the clinic's order (date_order in clinic.yaml; 03/04/2026 is March 4 on letter paper)."
    ),
]
CareTeamOption = Annotated[
    str,
    typer.Option(
        "--care-team", help='"name, phone" printed in the personal box and on the "Call your care team" line.'
    ),
]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="PDF file to write.")]
