"""The `factsheets` command: parses arguments, calls the library, prints. Nothing else."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

import typer

from factsheets.errors import FactsheetsError, Problem

if TYPE_CHECKING:
    from factsheets.build import BuildReport
    from factsheets.checks import VariantCheck
    from factsheets.clinic import Paper
    from factsheets.options import RenderOptions
    from factsheets.project import Content, Project
    from factsheets.select import FilledSheet
    from factsheets.variant import Variant

_STARTED = time.perf_counter()  # a build reports the time since the command started, as its user waited

# Each command imports what it uses when it runs: `--help`, `list` and `show` start in a fraction
# of a second because they never load the renderer (WeasyPrint) or the reading-grade tables.


class PlainErrors(typer.core.TyperGroup):
    """Library errors become plain messages and exit code 1, never a traceback.

    Here, not in `main`, so that tests running the app in process (typer's CliRunner) see what
    a user sees. Typer already turns usage errors into exit 2 and Ctrl-C into exit 1.
    """

    def invoke(self, ctx: Any) -> Any:  # Any: typer's context class lives in a private module
        try:
            return super().invoke(ctx)
        except FactsheetsError as err:
            for problem in err.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=PlainErrors,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn trusted cancer-information pages into one-page patient handouts.",
)


def _print_version(value: bool) -> None:
    """`factsheets --version`: the version alone, with nothing heavy imported, for bug reports and scripts."""
    if value:
        from factsheets import __version__

        typer.echo(f"factsheets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, help="Print the version and exit.", callback=_print_version)
    ] = False,
) -> None:
    """Options for the whole command: only --version, answered before any command is looked at."""


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
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Treat every warning as a failure (exit 1); lists each one.")
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="List every warning, not one line per kind of warning.")
]


def _today(value: Optional[str]) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError:
        raise FactsheetsError(Problem(f"--today '{value}' is not a date", "write it as YYYY-MM-DD.")) from None


def _warn(checks: list[VariantCheck], strict: bool, verbose: bool) -> int:
    """Print the warnings, one line per kind, or each one (and lock diffs) when asked; return how many."""
    from factsheets.checks import summary

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


def _warnings_line(count: int, verbose: bool) -> str:
    more = "" if verbose or not count else " (--verbose lists each one; 'factsheets report' has the detail)"
    return f"{count} warning(s){more}"


@app.command()
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
    from factsheets.checks import assess, grade_cache
    from factsheets.diagnosis import check_codes
    from factsheets.fit import check_fit

    when = _today(today)  # a mistyped date is refused before anything is checked
    project, content = _load(root, clinic)
    width = max(map(len, content.sheets), default=0)
    for sheet_id, fills in _by_sheet(content.fill_all()).items():
        passages = sum(len(g.texts) for f in fills for s in f.sections for g in s.groups)
        sources = {src.id for f in fills for src in f.sources}
        typer.echo(
            f"{sheet_id:<{width}} {len(fills):>2} variant(s) {passages:>4} passages  "
            f"{len(sources)} source(s): {', '.join(sorted(sources))}"
        )
    grades = grade_cache(project.out_dir)
    warnings = _warn(assess(project, when, content, grades), strict, verbose)
    codes = check_codes(project.sheets_dir, project.out_dir)  # a broken icd10-cm.yaml fails here, at its line
    unfit, laid_out = check_fit(project, content)
    if unfit:
        raise FactsheetsError(unfit)
    typer.echo(
        f"OK: {len(content.sheets)} sheets, {len(content.corpus.documents)} sources, "
        f"{codes} diagnosis codes, {_warnings_line(warnings, strict or verbose)}; "
        f"every variant fits one page on letter and A4 with the personal box ({laid_out} laid out and "
        f"{len(grades.computed)} graded; the rest unchanged since the last check)."
    )
    if strict and warnings:
        raise typer.Exit(1)


@app.command()
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
    from factsheets.lock import write_lock
    from factsheets.project import Project, load_content

    project = Project(root)
    content = load_content(project, approved=False)  # a broken lock file is what this replaces
    path = write_lock(project.sheets_dir, content.fill_all(), " ".join(approved_by.split()), dt.date.today())
    typer.echo(f"Wrote {path}: {len(content.variants())} sheet variants approved by {approved_by}.")


@app.command()
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
    keys are listed in factsheets.report.report_data.
    Both write out/report.html first (every PEMAT verdict and lock diff); with
    json, the "Wrote" line goes to stderr, so stdout stays valid JSON.

    Example: factsheets report --today 2026-06-01
    """
    from rich.console import Console

    from factsheets.checks import assess
    from factsheets.report import print_report, report_data, write_html

    when = _today(today)
    project, content = _load(root, clinic)
    checks = assess(project, when, content)
    html = write_html(project, checks, when, content.lock)  # first: a template error leaves no half report
    if output_format == "json":
        typer.echo(json.dumps(report_data(checks, when, content.lock), indent=2, ensure_ascii=False))
    else:
        print_report(checks, when, content.lock, Console())
    typer.echo(f"Wrote {html}", err=output_format == "json")


def _load(root: Path, clinic: Optional[Path] = None) -> tuple[Project, Content]:
    """The project and its content, read and checked: what nearly every command starts from."""
    from factsheets.project import Project, load_content

    project = Project(root, clinic)
    return project, load_content(project)


def _variant(sheet: str, cancer_type: Optional[str]) -> Variant:
    from factsheets.cancer_types import find_cancer_type
    from factsheets.variant import Variant

    return Variant(sheet, find_cancer_type(cancer_type))


def _by_sheet(fills: list[FilledSheet]) -> dict[str, list[FilledSheet]]:
    grouped: dict[str, list[FilledSheet]] = {}
    for f in fills:
        grouped.setdefault(f.sheet.id, []).append(f)
    return grouped


@app.command()
def show(sheet: str, cancer_type: CancerTypeOption = None, root: RootOption = Path()) -> None:
    """Print a sheet's selected content as plain text, each passage followed by its citation.

    Example: factsheets show where-it-spreads --cancer-type breast
    """
    _, content = _load(root)
    filled = content.fill(_variant(sheet, cancer_type))
    typer.echo(f"{filled.sheet.title}" + (f" ({filled.cancer_type.title})" if filled.cancer_type else ""))
    heading = None
    for under, group in filled.printed():
        if under != heading:
            heading = under
            typer.echo(f"\n## {heading}")
        for text, left_out, tidied in group.edits():
            typer.echo(f"  {text}")
            for sentence in left_out:
                typer.echo(f"    (left out: {sentence})")
            if tidied:
                typer.echo("    (typography tidied: quotes, dashes or spaces)")
        if group.citation is None:
            typer.echo("    -- from your care team (the clinic's own words)")
        else:
            c = group.citation
            typer.echo(f'    -- {c.source.publisher}, "{c.section}" ({c.source.id}.md line {c.line})')


@app.command("list")
def list_sheets(root: RootOption = Path()) -> None:
    """List the sheets, their titles, and the cancer types each has variants for.

    Example: factsheets list
    """
    from factsheets.cancer_types import CANCER_TYPES

    _, content = _load(root)
    for sheet in content.sheets.values():
        types = ", ".join(sheet.variant_types) if sheet.variant_types else "general only"
        typer.echo(f"{sheet.id:<26} {sheet.title:<44} {types}")
    typer.echo(f"\nCancer types: {', '.join(CANCER_TYPES)}")


PaperOption = Annotated[Optional[str], typer.Option(help="letter or a4 (default: the clinic's, else letter).")]
LargePrintOption = Annotated[bool, typer.Option("--large-print", help="18 pt body; may use the back of the page.")]
PatientOption = Annotated[str, typer.Option(help="Patient's name, printed on the sheet only.")]
DateOption = Annotated[str, typer.Option(help="Date printed in the personal box.")]
CareTeamOption = Annotated[str, typer.Option("--care-team", help='"name, phone" printed in the personal box.')]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="PDF file to write.")]


@app.command()
def render(
    sheet: str,
    output: OutputOption,
    cancer_type: CancerTypeOption = None,
    paper: PaperOption = None,
    large_print: LargePrintOption = False,
    patient: PatientOption = "",
    date: DateOption = "",
    care_team: CareTeamOption = "",
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Render one sheet to a one-page PDF (written only when it fits).

    Example: factsheets render where-it-spreads --cancer-type breast --patient "Ann Lee" -o ann.pdf
    """
    from factsheets.output import write_atomic
    from factsheets.render import Renderer

    options = _print_options(paper, large_print, patient, date, care_team)
    project, content = _load(root, clinic)
    filled = content.fill(_variant(sheet, cancer_type))
    result = Renderer(project).render(filled, options)
    write_atomic(output, result.pdf)
    typer.echo(f"Wrote {output} ({result.pages} page, body {result.body_pt:g} pt, {filled.variant.type_key})")


@app.command()
def packet(
    output: OutputOption,
    cancer_type: CancerTypeOption = None,
    sites: Annotated[
        Optional[str], typer.Option("--sites", help="Where it has spread, if known: e.g. bone,liver.")
    ] = None,
    icd10: Annotated[Optional[str], typer.Option("--icd10", help="ICD-10-CM codes, e.g. C50.911,C79.51.")] = None,
    paper: PaperOption = None,
    large_print: LargePrintOption = False,
    patient: PatientOption = "",
    date: DateOption = "",
    care_team: CareTeamOption = "",
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """One patient's packet: overview sheets, a sheet per site of spread, and questions, as one PDF.

    Without --sites or secondary-site codes, the type's common sites (NCI's table) are used.
    Example: factsheets packet --type breast --sites bone --patient "Ann Lee" -o ann.pdf
    """
    from factsheets.diagnosis import split_codes
    from factsheets.handouts import choose_for
    from factsheets.output import write_atomic
    from factsheets.packets import render_packet
    from factsheets.render import Renderer

    options = _print_options(paper, large_print, patient, date, care_team)
    project, content = _load(root, clinic)
    try:
        choice = choose_for(content, cancer_type, _listed(sites), split_codes(icd10 or ""))
    except FactsheetsError as err:  # each problem named by the option it came from
        named = [
            replace(p, message=f"{_OPTION_OF[p.field]}: {p.message}") if p.field in _OPTION_OF else p
            for p in err.problems
        ]
        raise FactsheetsError(named) from None
    write_atomic(output, render_packet(content, Renderer(project), choice, options))
    for line in choice.codes:
        typer.echo(line)
    typer.echo(f"Wrote {output}: {len(choice.sheet_ids)} sheets, {choice.basis}")
    typer.echo(f"  {', '.join(choice.sheet_ids)}")
    if choice.notice:
        typer.echo(f"note: {choice.notice}", err=True)


_OPTION_OF = {"codes": "--icd10", "sites": "--sites", "cancer_type": "--type"}


def _listed(value: Optional[str]) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _print_options(paper: Optional[str], large_print: bool, patient: str, date: str, care_team: str) -> RenderOptions:
    """How to print, with the personal details checked; the renderer's logs quieted when there are any."""
    from factsheets.options import RenderOptions
    from factsheets.personal import PersonalValueError, personal
    from factsheets.privacy import quiet_renderer_logs

    try:
        details = personal(patient, date, care_team)
    except PersonalValueError as err:
        raise FactsheetsError(Problem(f"--{err.field.replace('_', '-')}: {err}", field=err.field)) from None
    if details:
        quiet_renderer_logs()  # the renderer's warnings can quote page text, the name included
    return RenderOptions(paper=_paper(paper), large_print=large_print, personal=details)


def _paper(value: Optional[str]) -> Paper | None:
    from factsheets.clinic import PAPERS

    for paper in PAPERS:
        if value == paper:
            return paper
    if value is None:
        return None
    raise FactsheetsError(Problem(f"unknown paper size '{value}'", "use letter or a4."))


@app.command("build")
def build_all(
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild everything, changed or not.")] = False,
    watch: Annotated[bool, typer.Option("--watch", help="Keep running; rebuild what each saved edit affects.")] = False,
    strict: StrictOption = False,
    verbose: VerboseOption = False,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Build every sheet, as the general sheet and for each cancer type it varies by, into out/.

    Only variants whose inputs changed are rebuilt.

    Example: factsheets build --jobs 2
    """
    from factsheets.checks import assess

    project, content = _load(root, clinic)
    warnings = _warn(assess(project, dt.date.today(), content), strict, verbose)
    if strict and warnings:
        typer.echo(f"Not built: {warnings} warning(s) under --strict.", err=True)
        raise typer.Exit(1)
    if watch:
        _watch(project, jobs)
        return
    result = _build_once(project, jobs, force, content)
    typer.echo(f"Content: {_warnings_line(warnings, strict or verbose)}.")
    if result.failed:
        raise typer.Exit(1)


def _build_once(
    project: Project, jobs: Optional[int], force: bool, content: Optional[Content] = None, started: float = _STARTED
) -> BuildReport:
    """One build and its summary; `started`: when the user began waiting for it (the command, or a saved edit)."""
    from factsheets.build import build
    from factsheets.progress import progress_reporter

    with progress_reporter() as progress:
        report = build(project, jobs=jobs, force=force, progress=progress, content=content)
    for name, message in report.failed:
        typer.echo(f"FAILED {name}: {message}", err=True)
    typer.echo(
        f"Built {len(report.built)}, unchanged {len(report.unchanged)}, failed {len(report.failed)}, "
        f"removed {len(report.removed)} stale, packets rewritten {len(report.packets)}, in "
        f"{time.perf_counter() - started:.1f} s. See out/index.html and out/manifest.json"
    )
    return report


def _watch(project: Project, jobs: Optional[int]) -> None:
    """Rebuild on every saved change; problems are printed and the watch goes on."""
    from watchfiles import watch as watch_files

    folders = [f for f in project.watched_dirs if f.exists()]
    while True:
        try:
            _build_once(replace(project), jobs, force=False, started=time.perf_counter())  # the clinic read anew
        except FactsheetsError as err:
            for problem in err.problems:
                typer.echo(f"error: {problem}", err=True)
        typer.echo(f"Watching {', '.join(f.name for f in folders)} for changes (Ctrl-C to stop)...", err=True)
        next(iter(watch_files(*folders, debounce=30, step=5)))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; loopback unless you mean otherwise.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Render processes kept warm.")] = 2,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Required to listen beyond this machine (put HTTPS in front).")
    ] = False,
    allowed_host: Annotated[
        Optional[list[str]],
        typer.Option(
            "--allowed-host", help="A name the server is reached by, e.g. handouts.clinic.example (repeatable)."
        ),
    ] = None,
    trusted_proxy: Annotated[
        Optional[list[str]],
        typer.Option(
            "--trusted-proxy",
            help="Address (or network, e.g. 10.0.0.0/24) of a reverse proxy whose X-Forwarded-Proto is believed, "
            "so links say https (repeatable; default: this machine only).",
        ),
    ] = None,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Start the nurses' web form (and its JSON API) for printing one patient's handouts.

    Example: factsheets serve --port 8000
    """
    from factsheets import server
    from factsheets.project import Project
    from factsheets.web import create_app

    server.prepare(port, workers, trusted_proxy or [])  # before any worker warms up, and before it forks
    warning = server.check_bind(host, allow_remote)
    server.configure_logging()
    app = create_app(
        Project(root, clinic), workers_count=workers, allowed_hosts=server.allowed_hosts(host, allowed_host or [])
    )
    if warning:
        typer.echo(warning, err=True)
    ready = (
        f"Open http://{host}:{port}/ in a browser (API: POST /api/handouts, description: /openapi.json). "
        "Ctrl-C to stop."
    )
    server.run(app, host, port, ready=ready, trusted_proxies=trusted_proxy or server.LOOPBACK_PROXIES)


@app.command()
def sections(source: str, root: RootOption = Path()) -> None:
    """List a source's sections and how many paragraphs, items and rows each holds.

    Example: factsheets sections nci-metastatic-cancer
    """
    _, content = _load(root)
    if source not in content.corpus:
        raise FactsheetsError(
            Problem(f"unknown source '{source}'", f"use one of: {', '.join(content.corpus.documents)}.")
        )
    for s in content.corpus[source].sections:
        typer.echo(f"{s.address}  [{s.count('paragraph')} paragraphs, {s.count('item')} items, {s.count('row')} rows]")


@app.command()
def schema(output: Annotated[Path, typer.Option("--output", "-o")] = Path("sheets/sheet.schema.json")) -> None:
    """Write the JSON Schema for sheet files, so editors can autocomplete and check them.

    Example: factsheets schema -o sheets/sheet.schema.json
    """
    from factsheets.output import write_atomic
    from factsheets.sheet import sheet_schema

    write_atomic(output, (json.dumps(sheet_schema(), indent=2) + "\n").encode())
    typer.echo(f"Wrote {output}")


def main() -> None:
    """Entry point (the `factsheets` script)."""
    app()
