"""Does every variant fit its page, personal box included, on letter and on A4? Asked by `check`.

The build only lays out the clinic's paper; the nurses' form offers both. A layout costs about
a tenth of a second, so results are kept in out/fit-cache.json, keyed by the same input hash
the build uses (sheet, sources, templates, styles, assets, clinic, version) and the paper: an
unchanged variant costs a lookup (see `cache`: a missing, damaged or foreign cache is ignored);
only fits are cached, so a sheet that does not fit is laid out (and reported) every time.
"""

from __future__ import annotations

from importlib.metadata import version

from pydantic import TypeAdapter

from factsheets.build.plan import FileHashes, Job, look_hash, plan
from factsheets.cache import FINITE, ResultCache
from factsheets.content.clinic import PAPERS, Paper
from factsheets.errors import FactsheetsError, Problem
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions

CACHE = "fit-cache.json"


def check_fit(project: Project, content: Content) -> tuple[list[Problem], int]:
    """Problems for variants that do not fit, and how many layouts were needed (the rest were cached)."""
    files = FileHashes()
    todo = [
        (paper, job)
        for paper in PAPERS
        for job in plan(content, look_hash(project, RenderOptions(paper=paper), files), files)
    ]
    cache = ResultCache(
        project.out_dir / CACHE, TypeAdapter(float, config=FINITE), f"weasyprint {version('weasyprint')}"
    )
    missing = [(paper, job) for paper, job in todo if cache.get(_key(paper, job)) is None]  # only fits are cached
    problems = _lay_out(project, content, missing, cache) if missing else []
    cache.save()
    return problems, len(missing)


def _lay_out(
    project: Project, content: Content, missing: list[tuple[Paper, Job]], fits: ResultCache[float]
) -> list[Problem]:
    from factsheets.render.renderer import Renderer  # WeasyPrint loads only when something must be laid out

    renderer = Renderer(project)
    problems: list[Problem] = []
    for paper, job in missing:
        try:
            fits.put(_key(paper, job), renderer.fit(content.fill(job.variant), RenderOptions(paper=paper))[1])
        except FactsheetsError as err:
            problems += err.problems
    return problems


def _key(paper: Paper, job: Job) -> str:
    return f"{job.name}|{paper}|{job.input_hash}"
