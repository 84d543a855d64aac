"""`check`, `lock` and `report`: is the content sound, approved, readable; and the warnings they print."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Optional

import typer

from factsheets.cli.arguments import (
    ClinicOption,
    DraftOption,
    RootOption,
    StrictOption,
    TodayOption,
    VerboseOption,
    load_project,
)
from factsheets.errors import FactsheetsError, Problem, counted

if TYPE_CHECKING:
    from factsheets.project import Content
    from factsheets.quality.checks import SourceReview, VariantCheck
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
    return f"{counted(count, 'warning')}{more}"


def print_problems(problems: list[Problem], strict: bool) -> int:
    """Warnings that point at a file and line, each on its line (errors under --strict); return how many."""
    for problem in problems:
        typer.echo(f"{'error' if strict else 'warning'}: {problem}", err=True)
    return len(problems)


def check(
    strict: StrictOption = False,
    verbose: VerboseOption = False,
    today: TodayOption = None,
    draft: DraftOption = None,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Validate every source and sheet, resolve every selection for every variant, and check content.

    Every variant is laid out on letter and A4 with the personal box, and must fit one page (two
    in large print); a sheet that does not fit is named with the section where the page runs
    out, and --draft writes its layout to look at. Layouts are cached in out/fit-cache.json by
    input hash.

    Warnings (one line per kind; --verbose lists each): reading grade of a sheet's own prose over
    target, PEMAT under 70% on its own content, a glossary word used undefined, overdue source
    reviews, quotes over the clinic's limit, text that differs from the approved lock file, an
    approval that has run out, a sentence that points back ("These", "It is also") to one the
    sheet cut (at its passage's line; reviewed_start on the passage clears it). At their line: a
    words_to_know term the sheet never uses, a reviewed_start that clears nothing, a sheet that
    fits only below 12 pt, a Words to know entry that tips a sheet over. Reading grades are
    cached in out/check-cache.json by each variant's printed text.

    Example: factsheets check --strict
    """
    from factsheets.cli.progress import status_line
    from factsheets.content.code_map import check_codes
    from factsheets.quality.checks import assess, grade_cache
    from factsheets.quality.fit import check_fit
    from factsheets.quality.openings import stale_reviews
    from factsheets.quality.words import unused_words

    when = _today(today)  # a mistyped date is refused before anything is checked
    with status_line("Checking") as step:
        step("reading sheets and sources")
        project, content = load_project(root, clinic)
        for replaced in content.replaced:  # a content project's own file in place of a shipped one: on purpose?
            typer.echo(f"note: {replaced}")
        step("resolving every variant's passages")
        _print_sheets(content.fill_all(), max(map(len, content.sheets), default=0))
        step("grading reading levels and checking sources")
        grades = grade_cache(project.out_dir)
        warnings = print_warnings(assess(project, when, content, grades), strict, verbose)
        warnings += print_problems(unused_words(content) + stale_reviews(content), strict)
        step("checking the diagnosis-code map")
        codes = check_codes(project.codes_dir, project.out_dir)  # a broken icd10-cm.yaml fails here, at its line
        fit = check_fit(project, content, draft=draft, progress=step)
    warnings += print_problems(fit.warnings, strict)
    _say_draft(draft, fit.draft)
    if fit.problems:
        raise FactsheetsError(fit.problems)
    checked = (
        f"{counted(len(content.sheets), 'sheet')}, {counted(len(content.corpus.documents), 'source')}, "
        f"{counted(codes, 'diagnosis code')}; every variant fits one page on letter and A4 with the personal box, "
        f"and two in large print ({fit.laid_out} laid out and {len(grades.computed)} graded; the rest unchanged "
        "since the last check)"
    )
    if strict and warnings:
        typer.echo(f"FAILED under --strict: {counted(warnings, 'warning')}, listed above as errors. Checked {checked}.")
        raise typer.Exit(1)
    typer.echo(f"OK: {checked}; {warnings_line(warnings, verbose)}.")


def _print_sheets(fills: list[FilledSheet], width: int) -> None:
    """One line per sheet: its variants, passages and sources."""
    for sheet_id, sheet_fills in _by_sheet(fills).items():
        groups = [g for f in sheet_fills for g in [*(g for s in f.sections for g in s.groups), *f.urgent]]
        passages = sum(len(g.texts) for g in groups)
        sources = {src.id for f in sheet_fills for src in f.sources}
        typer.echo(
            f"{sheet_id:<{width}} {counted(len(sheet_fills), 'variant'):>11} {counted(passages, 'passage'):>13}  "
            f"{counted(len(sources), 'source')}: {', '.join(sorted(sources))}"
        )


def _say_draft(asked: Path | None, written: Path | None) -> None:
    if written is not None:
        from factsheets.render.renderer import DRAFT_STAMP

        typer.echo(f"Wrote {written}: the layouts that do not fit, every page stamped '{DRAFT_STAMP}'.", err=True)
    elif asked is not None:
        typer.echo(f"note: every layout fits, so no draft was written to {asked}.", err=True)


def lock(
    sheet: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="SHEET",
            help="The sheets approved, each with all its variants (default: every sheet).",
            show_default=False,
        ),
    ] = None,
    approved_by: Annotated[
        Optional[str],
        typer.Option("--approved-by", help="Who approves: a person or committee, recorded with today's date."),
    ] = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Re-record what is approved in this version's format (the sentences picked by position), "
            "keeping who approved it and when; approves nothing new.",
        ),
    ] = False,
    root: RootOption = Path(),
) -> None:
    """Record what the sheets' variants print, passage by passage, as the approved content.

    Only the sheets named are approved (all their variants), each variant with its own approver
    and date; the other sheets keep their approval, or stay unapproved. Without SHEET, every
    sheet is. The sources behind them that are past their review date are named first; the
    approval is recorded all the same (the committee approves the text it has read, knowing
    the dates), and check keeps warning about those sources until they are reviewed.

    With --refresh (of the sheets named, or of all), only the variants that print exactly what
    was approved are re-recorded, so the lock file holds what this version checks (the sentence
    each position picks), under the same approver and date; the others are named and left as
    they were.

    Example: factsheets lock bone --approved-by "Patient Education Committee"
    """
    names = list(dict.fromkeys(sheet or ()))
    if refresh and approved_by is None:
        _refresh_lock(root, names)
        return
    if refresh or approved_by is None:
        raise typer.BadParameter("give one, not both.", param_hint="'--approved-by' or '--refresh'")
    if not approved_by.strip():
        raise FactsheetsError(Problem("--approved-by is empty", "name the person or committee that approves."))
    _approve(root, names, " ".join(approved_by.split()))


def _approve(root: Path, names: list[str], by: str) -> None:
    """`lock [SHEET]... --approved-by NAME`: those sheets' variants approved today, after naming the
    sources behind them that are past their review date."""
    from factsheets.project import Project, load_content
    from factsheets.quality.checks import past_review
    from factsheets.selection.approval import Lock, read_lock, save_lock

    project = Project(root)
    content = load_content(project, approved=False)  # a broken lock file is what approving every sheet replaces
    fills = _chosen(content, names)
    today = dt.date.today()
    _say_past_review(past_review(fills, today), today, names)
    kept = read_lock(project.lock_file.parent) if names else None  # every sheet approved: a fresh lock file
    path = save_lock(project.sheets_dir, (kept or Lock()).approving(fills, by, today))
    which = f"{', '.join(names)}; the other sheets' approvals are as they were" if names else "every sheet"
    typer.echo(f"Wrote {path}: {counted(len(fills), 'sheet variant')} approved by {by} on {today} ({which}).")


def _chosen(content: Content, names: list[str]) -> list[FilledSheet]:
    """The variants of the sheets named, or of every sheet; every unknown name is an error, first."""
    from factsheets.errors import collect, raise_any

    raise_any(collect(names, content.sheet)[1])
    if not names:
        return content.fill_all()
    fills, problems = collect([v for v in content.variants() if v.sheet_id in names], content.fill)
    raise_any(problems)
    return fills


def _say_past_review(late: list[tuple[SourceReview, list[str]]], today: dt.date, names: list[str]) -> None:
    """Each source past its review date, its dates and how overdue, before the approval is recorded."""
    if not late:
        return
    one = len(late) == 1
    undated = " (or stating none)" if any(review.due is None for review, _ in late) else ""
    typer.echo(
        f"warning: {counted(len(late), 'source')} behind {', '.join(names) or 'the sheets'} "
        f"{'is' if one else 'are'} past {'its' if one else 'their'} review date{undated}:",
        err=True,
    )
    for review, sheets in late:
        typer.echo(
            f"  {review.lateness(today)}" + (f" (used by {', '.join(sheets)})" if len(names) != 1 else ""), err=True
        )
    typer.echo(
        f"  Approving all the same: check {'it' if one else 'each'} against the live page, and re-import what "
        "changed with 'factsheets import'.",
        err=True,
    )


def _refresh_lock(root: Path, names: list[str]) -> None:
    """`lock --refresh [SHEET]...`: the approved variants (of those sheets) re-recorded, approver and date kept."""
    from factsheets.project import Project, load_content
    from factsheets.selection.approval import read_lock, save_lock

    project = Project(root)
    approved = read_lock(project.lock_file.parent)
    if approved is None:
        raise FactsheetsError(Problem("there is no lock file to refresh", "approve with 'lock --approved-by NAME'."))
    content = load_content(project, approved=False)  # positions that moved are what a refresh must not record
    fills = _chosen(content, names)
    refreshed, left = approved.refreshed(fills)
    path = save_lock(project.sheets_dir, refreshed)
    typer.echo(f"Wrote {path}: {len(fills) - len(left)} approved sheet variants re-recorded.")
    if left:
        typer.echo(f"Left as they were (not approved as they print now): {', '.join(left)}.", err=True)


def report(
    today: TodayOption = None,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
    output_format: Annotated[
        Literal["table", "json"], typer.Option("--format", help="table (for reading) or json (for scripts).")
    ] = "table",
) -> None:
    """Print every variant's own reading grade and words, PEMAT, sources, quotes, lock and warnings.

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
