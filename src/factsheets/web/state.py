"""What the routes share: the project, its content, the render pool, the metrics, the form's choices and look."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from jinja2.sandbox import SandboxedEnvironment

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.clinic import MIN_CONTRAST, contrast_with_white
from factsheets.content.reading import first_holding
from factsheets.content.sites import SITES
from factsheets.errors import FactsheetsError, as_sentences
from factsheets.patient.choice import CLOSING, OVERVIEW, Choice, choose_for, reading_order
from factsheets.patient.fhir import Given
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.render.personal import LIMITS, PersonalValueError, personal, printed_date
from factsheets.templating import template_problems
from factsheets.web.guard import count_sheets
from factsheets.web.metrics import Metrics
from factsheets.web.models import ChoiceRequest, HandoutRequest, WebError
from factsheets.web.pool import RenderPool, render_editions, render_handouts

T = TypeVar("T")
NEUTRAL_ACCENT = "#1d3f6e"  # the form's colour without a clinic: the sheets' own default accent
FORM_ASSETS = {"form.css": "text/css", "form.js": "text/javascript", "favicon.svg": "image/svg+xml"}


@dataclass
class Handouts:
    """What the routes share: the project, its content, the render pool, and the form's choices."""

    project: Project
    content: Content
    pool: RenderPool
    metrics: Metrics

    @cached_property
    def environment(self) -> SandboxedEnvironment:
        env = self.project.environment()
        env.auto_reload = False  # a template saved while serving waits for a reload, and its check
        return env

    @cached_property
    def sheets(self) -> list[dict[str, str]]:
        """The form's sheets in packets' reading order (overview, sites, the rest, questions)."""
        return [{"id": s, "title": self.content.sheets[s].title} for s in reading_order(self.content.sheets)]

    @cached_property
    def choices(self) -> dict[str, Any]:
        """What the form shows of the choice before any is made: the sheets ticked at first, sites without a sheet."""
        ids = self.content.sheets.keys()
        return {
            "overview": [s for s in OVERVIEW if s in ids],
            "closing": [s for s in CLOSING if s in ids],
            "sheet_of": {s.key: s.sheet_id if s.sheet_id in ids else "" for s in SITES.values()},
        }

    def choose(self, request: ChoiceRequest) -> Choice:
        """The request's sheets by the library's one rule (`choose_for`, as the CLI), or a 400 naming the field."""
        try:
            return choose_for(self.content, request.cancer_type, request.sites, request.codes, request.sheets)
        except FactsheetsError as err:
            raise WebError(400, as_sentences(err.problems), err.problems[0].field) from None

    def print_options(self, request: HandoutRequest) -> RenderOptions:
        """How to print the request: its personal details made by `personal`, as the CLI makes them, the date
        read in the clinic's order and printed with the month in words."""
        try:
            details = personal(request.patient, request.date, request.care_team, self.project.clinic.dates)
        except PersonalValueError as err:  # the request's own checks ask the same: not expected here
            raise WebError(400, str(err), err.field) from None
        return replace(request.options(), personal=details)

    def today(self) -> str:
        """Today, as the date field starts and the sheet would print it."""
        return printed_date(dt.date.today(), self.project.clinic.dates)

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

    def form(self, values: dict[str, Any], error: str = "", error_field: str = "", choice: Choice | None = None) -> str:
        """The form page; `error_field` (a form field's name) is marked invalid, described by the error, and focused.

        With a `choice`: "Ready to print", what will print and why, above the button that makes the PDF.
        """
        with template_problems():
            return self.environment.get_template("web/form.html").render(
                choice=choice,
                titles={s: self.content.sheets[s].title for s in choice.sheet_ids} if choice else {},
                types=CANCER_TYPES,
                sheets=self.sheets,
                sites=SITES,
                choices=self.choices,
                values=values,
                error=error,
                error_field=error_field,
                limits=LIMITS,
                clinic=self.branding,
                dates={
                    "order": self.project.clinic.dates,
                    "example": printed_date(dt.date(2026, 3, 4), self.project.clinic.dates),
                },
            )

    def infobutton_page(self, choice: Choice, handouts: list[dict[str, str]], packet: dict[str, str]) -> str:
        """The Infobutton answer for people: what the codes matched, each handout as a PDF link, and the packet."""
        with template_problems():
            return self.environment.get_template("web/infobutton.html").render(
                heading=packet["title"],
                summary=choice.summary,
                matched=list(choice.codes),
                notices=[n for n in (choice.notice,) if n],
                handouts=handouts,
                packet=packet,
            )

    @cached_property
    def assets(self) -> dict[str, bytes]:
        """The form's own style sheet, script and icons, read once, from the project only.

        Not from a clinic folder: a script on the page where names are typed is code, not content,
        and a clinic's templates are treated as content (the form's page itself may be overridden:
        its CSP runs no inline script and sends forms nowhere else). The clinic's look comes from
        clinic.yaml instead (`branding`, `clinic_css`, `logo`).
        """
        folder = first_holding(self.project.layers("templates"), "web/form.js") / "web"
        return {name: (folder / name).read_bytes() for name in (*FORM_ASSETS, "favicon.ico")}

    @cached_property
    def logo(self) -> tuple[str, bytes] | None:
        """The clinic's logo as the sheets print it (`Clinic.logo_image`), read once: (MIME type, data)."""
        return self.project.clinic.logo_image()

    @cached_property
    def branding(self) -> dict[str, Any]:
        """What the form shows of the clinic: its name, and whether it has a logo (served at /clinic-logo)."""
        return {"name": self.project.clinic.name, "logo": self.logo is not None}

    @cached_property
    def clinic_css(self) -> str:
        """The clinic's colour for the form's style sheet, as two custom properties (the CSP allows no inline style).

        `--accent` is for bars and borders; `--accent-text` for text on white and behind white text, so
        it is the clinic's colour only when that gives 4.5:1 (WCAG 2.2 AA) against white, which
        clinic.yaml already demands; otherwise the neutral blue, and the clinic's colour is a bar only.
        """
        return clinic_css(self.project.clinic.accent_color)


def clinic_css(accent: str) -> str:
    """The custom properties of /clinic.css for an accent '#rrggbb' (clinic.yaml's pattern allows nothing else)."""
    text = accent if contrast_with_white(accent) >= MIN_CONTRAST else NEUTRAL_ACCENT
    return f":root {{ --accent: {accent}; --accent-text: {text}; }}\n"


def handouts(request: Request) -> Handouts:
    state: Handouts = request.app.state.handouts
    return state


App = Annotated[Handouts, Depends(handouts)]
