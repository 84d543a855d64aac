"""Does every variant fit its page, personal box included, on letter and on A4? Asked by `check`.

The build only lays out the clinic's paper; the nurses' form offers both. A layout costs about
a tenth of a second, so results are kept in out/fit-cache.json, keyed by the same input hash
the build uses (sheet, sources, templates, styles, assets, clinic, version) and the paper: an
unchanged variant costs a lookup. A missing, damaged or foreign cache is ignored, not trusted;
only fits are cached, so a sheet that does not fit is laid out (and reported) every time.
"""

from __future__ import annotations

import json
from pathlib import Path

from factsheets import __version__
from factsheets.build import FileHashes, Job, look_hash, plan
from factsheets.clinic import PAPERS, Paper
from factsheets.errors import FactsheetsError, Problem
from factsheets.output import write_atomic
from factsheets.project import Content, Project
from factsheets.render import Renderer, RenderOptions

CACHE = "fit-cache.json"


def check_fit(project: Project, content: Content) -> tuple[list[Problem], int]:
    """Problems for variants that do not fit, and how many layouts were needed (the rest were cached)."""
    files = FileHashes()
    todo = [
        (paper, job)
        for paper in PAPERS
        for job in plan(content, look_hash(project, RenderOptions(paper=paper), files), files)
    ]
    cache_path = project.out_dir / CACHE
    cached = _read(cache_path)
    wanted = {_key(paper, job) for paper, job in todo}
    fits = {key: size for key, size in cached.items() if key in wanted}
    missing = [(paper, job) for paper, job in todo if _key(paper, job) not in fits]  # only fits are cached
    problems = _lay_out(project, content, missing, fits) if missing else []
    if fits != cached:
        write_atomic(cache_path, json.dumps({"factsheets": __version__, "fits": fits}, indent=1).encode())
    return problems, len(missing)


def _lay_out(
    project: Project, content: Content, missing: list[tuple[Paper, Job]], fits: dict[str, float]
) -> list[Problem]:
    renderer = Renderer(project)
    problems: list[Problem] = []
    for paper, job in missing:
        try:
            fits[_key(paper, job)] = renderer.fit(content.fill(job.variant), RenderOptions(paper=paper))[1]
        except FactsheetsError as err:
            problems += err.problems
    return problems


def _key(paper: Paper, job: Job) -> str:
    return f"{job.name}|{paper}|{job.input_hash}"


def _read(path: Path) -> dict[str, float]:
    """The cached fits, or none when the file is missing, damaged or from another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("factsheets") != __version__ or not isinstance(data.get("fits"), dict):
        return {}
    return {k: v for k, v in data["fits"].items() if isinstance(k, str) and isinstance(v, (int, float))}
