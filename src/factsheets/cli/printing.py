"""`render`, `packet`, `build` and `serve`: making PDFs, for one patient, for out/, or for the web form."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from factsheets.cli.arguments import (
    CancerTypeOption,
    CareTeamOption,
    ClinicOption,
    DateOption,
    DraftOption,
    LargePrintOption,
    OutputOption,
    PaperOption,
    PatientOption,
    RootOption,
    StrictOption,
    VerboseOption,
    load_project,
    variant_of,
)
from factsheets.cli.review import print_warnings, warnings_line
from factsheets.errors import FactsheetsError, Problem, counted

if TYPE_CHECKING:
    from factsheets.build.run import BuildReport
    from factsheets.content.clinic import DateOrder, Paper
    from factsheets.project import Content, Project
    from factsheets.render.options import RenderOptions


_STARTED = time.perf_counter()  # a build reports the time since the command started, as its user waited


def render(
    sheet: str,
    output: OutputOption,
    cancer_type: CancerTypeOption = None,
    paper: PaperOption = None,
    large_print: LargePrintOption = False,
    patient: PatientOption = "",
    date: DateOption = "",
    care_team: CareTeamOption = "",
    draft: DraftOption = None,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Render one sheet to a one-page PDF (written only when it fits).

    A sheet that does not fit is named with the section where the page runs out; --draft then
    writes the overflowing layout, stamped on every page, to see what to cut.

    Example: factsheets render where-it-spreads --cancer-type breast --patient "Ann Lee" -o ann.pdf
    """
    from factsheets.files import write_atomic
    from factsheets.render.renderer import DRAFT_STAMP, DoesNotFit, Renderer, write_draft

    project, content = load_project(root, clinic)
    options = _print_options(paper, large_print, patient, date, care_team, project.clinic.dates)
    filled = content.fill(variant_of(sheet, cancer_type))
    renderer = Renderer(project)
    try:
        result = renderer.render(filled, options)
    except DoesNotFit:
        if draft is not None:  # laid out blank: a draft never carries the patient's details
            write_atomic(draft, write_draft([renderer.draft(filled, options)]))
            typer.echo(f"Wrote {draft}: the layout that does not fit, every page stamped '{DRAFT_STAMP}'.", err=True)
        raise
    write_atomic(output, result.pdf)
    typer.echo(
        f"Wrote {output} ({counted(result.pages, 'page')}, body {result.body_pt:g} pt, {filled.variant.type_key})"
    )
    if draft is not None:
        typer.echo(f"note: it fits, so no draft was written to {draft}.", err=True)


def packet(
    output: OutputOption,
    cancer_type: CancerTypeOption = None,
    sites: Annotated[
        Optional[str], typer.Option("--sites", help="Where it has spread, if known: e.g. bone,liver.")
    ] = None,
    icd10: Annotated[Optional[str], typer.Option("--icd10", help="ICD-10-CM codes, e.g. C50.911,C79.51.")] = None,
    sheets: Annotated[
        Optional[str],
        typer.Option(
            "--sheets",
            help="Sheets to add, e.g. living-with,treatment (as ticks on the form); with no type, sites or "
            "codes, the sheets to print.",
        ),
    ] = None,
    paper: PaperOption = None,
    large_print: LargePrintOption = False,
    patient: PatientOption = "",
    date: DateOption = "",
    care_team: CareTeamOption = "",
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """One patient's packet: overview sheets, a sheet per site of spread, and questions, as one PDF.

    Chosen by the same rule as the web form and the API: without --sites or secondary-site codes,
    the type's common sites (NCI's table) are used; --sheets adds sheets. Says what it chose and why.
    Example: factsheets packet --type breast --sites bone --patient "Ann Lee" -o ann.pdf
    """
    from factsheets.files import write_atomic
    from factsheets.patient.choice import choose_for
    from factsheets.patient.diagnosis import split_codes
    from factsheets.patient.packet import render_packet
    from factsheets.render.renderer import Renderer

    project, content = load_project(root, clinic)
    options = _print_options(paper, large_print, patient, date, care_team, project.clinic.dates)
    try:
        listed = None if sheets is None else _listed(sheets)
        choice = choose_for(content, cancer_type, _listed(sites), split_codes(icd10 or ""), listed)
    except FactsheetsError as err:  # each problem named by the option it came from
        named = [
            replace(p, message=f"{_OPTION_OF[p.field]}: {p.message}") if p.field in _OPTION_OF else p
            for p in err.problems
        ]
        raise FactsheetsError(named) from None
    write_atomic(output, render_packet(content, Renderer(project), choice, options))
    for line in choice.codes:
        typer.echo(line)
    typer.echo(f"Wrote {output}: {choice.summary}")
    typer.echo(f"  {', '.join(choice.sheet_ids)}")
    if choice.notice:
        typer.echo(f"note: {choice.notice}", err=True)


_OPTION_OF = {"codes": "--icd10", "sites": "--sites", "cancer_type": "--type", "sheets": "--sheets"}


def _listed(value: Optional[str]) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _print_options(
    paper: Optional[str], large_print: bool, patient: str, date: str, care_team: str, date_order: DateOrder
) -> RenderOptions:
    """How to print, with the personal details checked (the date read in the clinic's order, as the form
    and the API read it); the renderer's logs quieted when there are any."""
    from factsheets.render.options import RenderOptions
    from factsheets.render.personal import PersonalValueError, personal
    from factsheets.render.privacy import quiet_renderer_logs

    try:
        details = personal(patient, date, care_team, date_order)
    except PersonalValueError as err:
        raise FactsheetsError(Problem(f"--{err.field.replace('_', '-')}: {err}", field=err.field)) from None
    if details:
        quiet_renderer_logs()  # the renderer's warnings can quote page text, the name included
    return RenderOptions(paper=_paper(paper), large_print=large_print, personal=details)


def _paper(value: Optional[str]) -> Paper | None:
    from factsheets.content.clinic import PAPERS

    for paper in PAPERS:
        if value == paper:
            return paper
    if value is None:
        return None
    raise FactsheetsError(Problem(f"unknown paper size '{value}'", "use letter or a4."))


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
    from factsheets.quality.checks import assess

    project, content = load_project(root, clinic)
    warnings = print_warnings(assess(project, dt.date.today(), content), strict, verbose)
    if strict and warnings:
        typer.echo(f"Not built: {counted(warnings, 'warning')} under --strict.", err=True)
        raise typer.Exit(1)
    if watch:
        _watch(project, jobs)
        return
    result = _build_once(project, jobs, force, content)
    typer.echo(f"Content: {warnings_line(warnings, strict or verbose)}.")
    if result.failed:
        raise typer.Exit(1)


def _build_once(
    project: Project, jobs: Optional[int], force: bool, content: Optional[Content] = None, started: float = _STARTED
) -> BuildReport:
    """One build and its summary; `started`: when the user began waiting for it (the command, or a saved edit)."""
    from factsheets.build.run import build
    from factsheets.cli.progress import progress_reporter

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
    watch: Annotated[
        bool, typer.Option("--watch", help="Reload the content when a sheet, source, shared or clinic file is saved.")
    ] = False,
    clinic: ClinicOption = None,
    root: RootOption = Path(),
) -> None:
    """Start the nurses' web form (and its JSON API) for printing one patient's handouts.

    SIGHUP (systemctl reload) reloads the content without dropping a request, once it passes
    the checks `check` makes; content that does not is refused, and the log says why.

    Example: factsheets serve --port 8000
    """
    from factsheets.project import Project
    from factsheets.web import server
    from factsheets.web.app import create_app

    server.prepare(port, workers, trusted_proxy or [])  # before any worker warms up, and before it forks
    warning = server.check_bind(host, allow_remote)
    server.configure_logging()
    app = create_app(
        Project(root, clinic),
        workers_count=workers,
        allowed_hosts=server.allowed_hosts(host, allowed_host or []),
        watch=watch,
    )
    if warning:
        typer.echo(warning, err=True)
    ready = (
        f"Open http://{host}:{port}/ in a browser (API: POST /api/handouts, description: /openapi.json). "
        "Ctrl-C to stop."
    )
    server.run(app, host, port, ready, trusted_proxy or server.LOOPBACK_PROXIES, reload=app.state.reloader.request)
