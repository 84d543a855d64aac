"""`check`, `lock` and `report`: is the content sound, approved, readable; and the warnings they print."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Optional

import typer

from factsheets.cli.arguments import ClinicOption, RootOption, StrictOption, TodayOption, VerboseOption, load_project
from factsheets.errors import FactsheetsError, Problem

if TYPE_CHECKING:
    from factsheets.quality.checks import VariantCheck
    from factsheets.selection.select import FilledSheet


def _today(value: Optional[str]) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError:
        raise FactsheetsError(Problem(f"--today '{value}' is not a date", "write it as YYYY-MM-DD.")) from None


def print_warnings(checks: list[VariantCheck], strict: bool, verbose: bool) -> int:
    """Print the warnings, one line per kind, or each one (and lock diffs) when asked; return how many."""
    from factsheets.quality.checks import summary

    if not (strict or verbose):
        for line in summary(checks):
            typer.echo(f"warning: {line}", err=True)
    else:
        for c in checks:
            for warning in c.warnings:
                typer.echo(f"{'error' if strict else 'warning'}: {c.name}: {warning}", err=True)
            for line in c.lock.diff if c.lock else ():
                typer.echo(f"    {line}", err=True)
    return sum(len(c.warnings) for c in checks)


def warnings_line(count: int, verbose: bool) -> str:
    more = "" if verbose or not count else " (--verbose lists each one; 'factsheets report' has the detail)"
    return f"{count} warning(s){more}"


def check(
    strict: StrictOption = False,
    verbose: VerboseOption = False,
    today: TodayOption = None,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Validate every source and sheet, resolve every selection for every variant, and check content.

    Every variant is laid out on letter and A4 with the personal box, and must fit one page
    (layouts are cached in out/fit-cache.json by input hash).

    Warnings (one line per kind; --verbose lists each): prose reading grade over target, PEMAT
    under 70%, a glossary word used undefined, overdue source reviews, quotes over the clinic's
    limit, text that differs from the approved lock file, an approval that has run out. Reading
    grades are cached in out/check-cache.json by each variant's printed text.

    Example: factsheets check --strict
    """
    from factsheets.content.code_map import check_codes
    from factsheets.quality.checks import assess, grade_cache
    from factsheets.quality.fit import check_fit

    when = _today(today)  # a mistyped date is refused before anything is checked
    project, content = load_project(root, clinic)
    for replaced in content.replaced:  # a content project's own file in place of a shipped one: on purpose?
        typer.echo(f"note: {replaced}")
    width = max(map(len, content.sheets), default=0)
    for sheet_id, fills in _by_sheet(content.fill_all()).items():
        passages = sum(len(g.texts) for f in fills for s in f.sections for g in s.groups)
        sources = {src.id for f in fills for src in f.sources}
        typer.echo(
            f"{sheet_id:<{width}} {len(fills):>2} variant(s) {passages:>4} passages  "
            f"{len(sources)} source(s): {', '.join(sorted(sources))}"
        )
    grades = grade_cache(project.out_dir)
    warnings = print_warnings(assess(project, when, content, grades), strict, verbose)
    codes = check_codes(project.codes_dir, project.out_dir)  # a broken icd10-cm.yaml fails here, at its line
    unfit, laid_out = check_fit(project, content)
    if unfit:
        raise FactsheetsError(unfit)
    typer.echo(
        f"OK: {len(content.sheets)} sheets, {len(content.corpus.documents)} sources, "
        f"{codes} diagnosis codes, {warnings_line(warnings, strict or verbose)}; "
        f"every variant fits one page on letter and A4 with the personal box ({laid_out} laid out and "
        f"{len(grades.computed)} graded; the rest unchanged since the last check)."
    )
    if strict and warnings:
        raise typer.Exit(1)


def lock(
    approved_by: Annotated[
        str, typer.Option("--approved-by", help="Who approves: a person or committee, recorded with today's date.")
    ],
    root: RootOption = Path(),
) -> None:
    """Record what every sheet variant prints, passage by passage, as the approved content.

    Example: factsheets lock --approved-by "Patient Education Committee"
    """
    if not approved_by.strip():
        raise FactsheetsError(Problem("--approved-by is empty", "name the person or committee that approves."))
    from factsheets.project import Project, load_content
    from factsheets.selection.approval import write_lock

    project = Project(root)
    content = load_content(project, approved=False)  # a broken lock file is what this replaces
    path = write_lock(project.sheets_dir, content.fill_all(), " ".join(approved_by.split()), dt.date.today())
    typer.echo(f"Wrote {path}: {len(content.variants())} sheet variants approved by {approved_by}.")


def report(
    today: TodayOption = None,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
    output_format: Annotated[
        Literal["table", "json"], typer.Option("--format", help="table (for reading) or json (for scripts).")
    ] = "table",
) -> None:
    """Print every variant's reading grades, PEMAT scores, sources, quotes, lock status and warnings.

    table: a block per variant, the sources' review dates, then an overview
    table; it reads at 80 columns and when piped, and never cuts an id short.
    json: only JSON on stdout, for scripts (report --format json | jq); its
    keys are listed in factsheets.quality.report.report_data.
    Both write out/report.html first (every PEMAT verdict and lock diff); with
    json, the "Wrote" line goes to stderr, so stdout stays valid JSON.

    Example: factsheets report --today 2026-06-01
    """
    from rich.console import Console

    from factsheets.quality.checks import assess
    from factsheets.quality.report import print_report, report_data, write_html

    when = _today(today)
    project, content = load_project(root, clinic)
    checks = assess(project, when, content)
    html = write_html(project, checks, when, content.lock)  # first: a template error leaves no half report
    if output_format == "json":
        typer.echo(json.dumps(report_data(checks, when, content.lock), indent=2, ensure_ascii=False))
    else:
        print_report(checks, when, content.lock, Console())
    typer.echo(f"Wrote {html}", err=output_format == "json")


def _by_sheet(fills: list[FilledSheet]) -> dict[str, list[FilledSheet]]:
    grouped: dict[str, list[FilledSheet]] = {}
    for f in fills:
        grouped.setdefault(f.sheet.id, []).append(f)
    return grouped
