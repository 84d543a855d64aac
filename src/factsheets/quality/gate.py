"""What content must pass before a running server serves it: what makes `check` fail.

Every source and sheet loads, every selection resolves for every variant, the clinic's settings
and the diagnosis-code map are sound, and every variant fits its page on letter and A4, in
standard and large print. Warnings (reading grades, review dates...) do not stop a reload: they
do not stop `check` either.

It runs in a process of its own (`web.reload`), so the server's own process never loads
WeasyPrint nor spends its time laying out; and it writes nothing, not even the fit cache
(`serve` may run on a read-only system). Layouts already known to fit are `trusted`: those of
the content being served, whose inputs have not changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from factsheets.errors import FactsheetsError, Problem
from factsheets.project import Project, load_content
from factsheets.quality.fit import check_fit
from factsheets.render.workers import die_with_parent


def gate(project: Project, trusted: Iterable[str] = ()) -> tuple[list[Problem], set[str]]:
    """The problems that refuse the project's content as it is on disk now, and its layouts' keys."""
    die_with_parent()  # a server killed meanwhile leaves no check running
    try:
        content = load_content(project)
        _ = project.clinic, content.codes  # a broken clinic.yaml or code map, at its line
        content.fill_all()
        report = check_fit(project, content, trusted=trusted, save=False)
    except FactsheetsError as err:
        return err.problems, set()
    return report.problems, report.keys
