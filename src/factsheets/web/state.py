"""What the routes share: the project, its content, the render pool, the metrics and the form's choices."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from jinja2.sandbox import SandboxedEnvironment

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.reading import first_holding
from factsheets.content.sites import SITES, common_sites
from factsheets.errors import FactsheetsError, as_sentences
from factsheets.patient.choice import CLOSING, OVERVIEW, Choice, choose_for
from factsheets.patient.fhir import Given
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.render.personal import LIMITS
from factsheets.templating import template_problems
from factsheets.web.guard import count_sheets
from factsheets.web.metrics import Metrics
from factsheets.web.models import ChoiceRequest, WebError
from factsheets.web.pool import RenderPool, render_editions, render_handouts

T = TypeVar("T")


@dataclass
class Handouts:
    """What the routes share: the project, its content, the render pool, and the form's choices."""

    project: Project
    content: Content
    pool: RenderPool
    metrics: Metrics

    @cached_property
    def environment(self) -> SandboxedEnvironment:
        return self.project.environment()

    @cached_property
    def sheets(self) -> list[dict[str, str]]:
        """The form's sheets in packets' reading order (overview, sites, the rest, questions)."""
        order = [*OVERVIEW, *(s.sheet_id for s in SITES.values()), "", *CLOSING]
        rank = {sheet_id: i for i, sheet_id in enumerate(order)}
        ranked = sorted(self.content.sheets.values(), key=lambda s: rank.get(s.id, rank[""]))
        return [{"id": s.id, "title": s.title} for s in ranked]

    @cached_property
    def choices(self) -> dict[str, Any]:
        """What the form's script needs to tick sheets as type and sites change, without asking the server."""
        corpus, ids = self.content.corpus, self.content.sheets.keys()
        return {
            "overview": [s for s in OVERVIEW if s in ids],
            "closing": [s for s in CLOSING if s in ids],
            "sheet_of": {s.key: s.sheet_id if s.sheet_id in ids else "" for s in SITES.values()},
            "name_of": {s.key: s.name for s in SITES.values()},
            "common": {t.key: [s.key for s in common_sites(corpus, t)] for t in CANCER_TYPES.values()},
            "type_name": {t.key: t.name for t in CANCER_TYPES.values()},
        }

    def choose(self, request: ChoiceRequest) -> Choice:
        """The request's sheets (as listed, or chosen for it), or a 400 naming the field at fault."""
        try:
            choice = choose_for(self.content, request.cancer_type, request.sites, request.codes)
        except FactsheetsError as err:
            raise WebError(400, as_sentences(err.problems), err.problems[0].field) from None
        if request.sheets is None:
            return choice
        unknown = [s for s in request.sheets if s not in self.content.sheets]
        if unknown:
            raise WebError(
                400, f"unknown sheet(s): {', '.join(unknown)}; use: {', '.join(self.content.sheets)}", "sheets"
            )
        return choice.as_listed(request.sheets)

    async def make_pdf(self, choice: Choice, options: RenderOptions) -> bytes:
        return await self._run(len(choice.sheet_ids), render_handouts, choice, options)

    async def make_records(self, choice: Choice, options: RenderOptions, base_url: str) -> list[Given]:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return await self._run(len(choice.sheet_ids), render_editions, choice, options, now, base_url)

    async def _run(self, sheets: int, work: Callable[..., T], *args: object) -> T:
        """`sheets` rendered in the pool, counted; failures as answers: 503 busy, 400 a personal detail, 422, 500."""
        if self.pool.busy:
            self.metrics.turned_away("renders")
            raise WebError(503, "the server is busy making other PDFs; try again in a few seconds")
        started = time.perf_counter()
        try:
            made = await self.pool.run(work, *args)
        except FactsheetsError as err:
            fields = [p for p in err.problems if p.field]
            if fields:  # a personal detail that cannot print, or does not fit its line
                raise WebError(400, " ".join(p.message for p in fields), fields[0].field) from None
            raise WebError(422, "; ".join(p.message for p in err.problems), "sheets") from None
        except BrokenProcessPool:
            raise WebError(
                500, "the PDF could not be made because a renderer stopped unexpectedly; please try again"
            ) from None
        self.metrics.rendered(sheets, time.perf_counter() - started)
        count_sheets(sheets)
        return made

    def form(self, values: dict[str, Any], error: str = "", error_field: str = "") -> str:
        """The form page; `error_field` (a form field's name) is marked invalid, described by the error, and focused."""
        with template_problems():
            return self.environment.get_template("web/form.html").render(
                types=CANCER_TYPES,
                sheets=self.sheets,
                sites=SITES,
                choices=self.choices,
                values=values,
                error=error,
                error_field=error_field,
                limits=LIMITS,
            )

    def infobutton_page(self, choice: Choice, handouts: list[dict[str, str]], packet: dict[str, str]) -> str:
        """The Infobutton answer for people: what the codes matched, each handout as a PDF link, and the packet."""
        with template_problems():
            return self.environment.get_template("web/infobutton.html").render(
                heading=packet["title"],
                matched=list(choice.codes),
                notices=[n for n in (choice.notice,) if n],
                handouts=handouts,
                packet=packet,
            )

    @cached_property
    def assets(self) -> dict[str, str]:
        """The form's own style sheet and script, read once, from the project only.

        Not from a clinic folder: a script on the page where names are typed is code, not content,
        and a clinic's templates are treated as content (the form's page itself may be overridden:
        its CSP runs no inline script and sends forms nowhere else).
        """
        folder = first_holding(self.project.layers("templates"), "web/form.js") / "web"
        return {name: (folder / name).read_text(encoding="utf-8") for name in ("form.css", "form.js")}


def handouts(request: Request) -> Handouts:
    state: Handouts = request.app.state.handouts
    return state


App = Annotated[Handouts, Depends(handouts)]
