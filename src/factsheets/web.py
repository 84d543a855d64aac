"""The nurse's web form and a JSON API: thin shells over select -> render -> merge.

FastAPI because its pydantic request models are the same kind the library uses, and give the
OpenAPI description and field-by-field 4xx errors without hand-written validation. Routes are
plain functions that get the app's `Handouts` (content, render pool, form page) as a dependency.

Privacy: personal details arrive only in POST bodies, are rendered in memory in a worker
process and returned; nothing is written to disk. Every request first passes `guard.RequestGuard`
(host and origin, body size and time, security headers, the one log line per request).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2.sandbox import SandboxedEnvironment
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException
from starlette.routing import Route

from factsheets import workers
from factsheets.cancer_types import CANCER_TYPES, CancerTypeChoice, find_cancer_type
from factsheets.clinic import Paper
from factsheets.errors import FactsheetsError
from factsheets.guard import LOOPBACK_HOSTS, RequestGuard
from factsheets.packets import CLOSING, OVERVIEW, SITE_SHEETS, merge, packet_sheet_ids
from factsheets.personal import LABELS, LIMITS, Personal, clean
from factsheets.project import Content, Project, load_content
from factsheets.render import RenderOptions
from factsheets.sheet import SLUG
from factsheets.templating import template_problems
from factsheets.variant import Variant

MAX_SHEETS = 12
SheetId = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
RETRY_AFTER_SECONDS = 5
_PERSONAL = ("patient", "date", "care_team")


class HandoutRequest(BaseModel):
    """What to print for one patient. Personal fields are optional and never stored."""

    model_config = ConfigDict(extra="forbid")

    sheets: list[SheetId] = Field(min_length=1, max_length=MAX_SHEETS, description="Sheet ids, in printing order.")
    cancer_type: CancerTypeChoice = Field(
        default=None, description="e.g. breast or Breast; empty, 'general' or null: not specified."
    )
    patient: str = Field(
        default="", max_length=LIMITS["patient"], description="Printed on each sheet, on one line; never stored."
    )
    date: str = Field(default="", max_length=LIMITS["date"], description="Printed on one line.")
    care_team: str = Field(
        default="",
        max_length=LIMITS["care_team"],
        description='"name, phone", printed on one line (two in large print).',
    )
    paper: Paper | None = Field(default=None, description="letter or a4; null or left out: the clinic's paper.")
    large_print: StrictBool = False

    @field_validator(*_PERSONAL, mode="before")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        """Spaces folded before the length is counted; the same words as the form and the CLI."""
        return clean(info.field_name or "", value) if isinstance(value, str) else value

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:  # no personal details in reprs or debug logs
        for name, value in super().__repr_args__():
            yield name, ("<redacted>" if name in _PERSONAL and value else value)


class WebError(Exception):
    """Every answer that is not a PDF: its status, a message for people, and the request field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def render_handouts(request: HandoutRequest) -> bytes:
    """In a warm worker: each chosen sheet for the patient's type, as one tagged PDF with bookmarks."""
    content, ctype = workers.content(), find_cancer_type(request.cancer_type)
    options = RenderOptions(
        paper=request.paper,
        large_print=request.large_print,
        personal=Personal(request.patient, request.date, request.care_team),
    )
    fills = [content.fill(Variant(sheet_id, ctype)) for sheet_id in request.sheets]
    return merge([(f.sheet.title, workers.renderer().render(f, options).pdf) for f in fills], "Patient handouts")


class RenderPool:
    """Warm worker processes with a bound on queued work.

    If a worker dies, the pool is replaced once (whichever request notices first), its
    surviving workers are stopped, and each affected request is tried once more on the new
    pool: a render has no side effects, so a retry loses nothing.
    """

    def __init__(self, project: Project, size: int, max_pending: int) -> None:
        self.project, self.size, self.max_pending = project, size, max_pending
        self.pending = 0
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.size, initializer=workers.init_worker, initargs=(self.project, None, True)
        )  # quiet: no page text logged

    @property
    def busy(self) -> bool:
        return self.pending >= self.max_pending

    async def render(self, request: HandoutRequest) -> bytes:
        self.pending += 1
        try:
            try:
                return await self._submit(request)
            except BrokenProcessPool:
                return await self._submit(request)
        finally:
            self.pending -= 1

    async def _submit(self, request: HandoutRequest) -> bytes:
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(render_handouts, request))
        except BrokenProcessPool:
            if pool is self._pool:
                self._replace(pool)
            raise

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        for process in list(getattr(broken, "_processes", {}).values()):  # private, but the only handle
            if process.is_alive():
                process.terminate()
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Handouts:
    """What the routes share: the project, its content, the render pool, and the form's choices."""

    project: Project
    content: Content
    pool: RenderPool

    @cached_property
    def environment(self) -> SandboxedEnvironment:
        return self.project.environment()

    @cached_property
    def sheets(self) -> list[dict[str, str]]:
        """The form's sheets in packets' reading order (overview, sites, the rest, questions)."""
        order = [*OVERVIEW, *dict.fromkeys(SITE_SHEETS.values()), "", *CLOSING]
        rank = {sheet_id: i for i, sheet_id in enumerate(order)}
        ranked = sorted(self.content.sheets.values(), key=lambda s: rank.get(s.id, rank[""]))
        return [{"id": s.id, "title": s.title} for s in ranked]

    @cached_property
    def packets(self) -> dict[str, list[str]]:
        """The sheets the form ticks for each type ("": none chosen)."""
        corpus, ids = self.content.corpus, self.content.sheets.keys()
        return {t or "": packet_sheet_ids(corpus, ids, t) for t in [None, *CANCER_TYPES]}

    async def make_pdf(self, request: HandoutRequest) -> bytes:
        unknown = [s for s in request.sheets if s not in self.content.sheets]
        if unknown:
            raise WebError(
                400, f"unknown sheet(s): {', '.join(unknown)}; use: {', '.join(self.content.sheets)}", "sheets"
            )
        if self.pool.busy:
            raise WebError(503, "the server is busy making other PDFs; try again in a few seconds")
        try:
            return await self.pool.render(request)
        except FactsheetsError as err:
            fields = [p for p in err.problems if p.field]
            if fields:  # a personal detail that cannot print, or does not fit its line
                raise WebError(400, " ".join(p.message for p in fields), fields[0].field) from None
            raise WebError(422, "; ".join(p.message for p in err.problems), "sheets") from None
        except BrokenProcessPool:
            raise WebError(
                500, "the PDF could not be made because a renderer stopped unexpectedly; please try again"
            ) from None

    def form(self, values: dict[str, Any], error: str = "", error_field: str = "") -> str:
        """The form page; `error_field` (a form field's name) is marked invalid, described by the error, and focused."""
        with template_problems():
            return self.environment.get_template("web/form.html").render(
                types=CANCER_TYPES,
                sheets=self.sheets,
                packets=self.packets,
                values=values,
                error=error,
                error_field=error_field,
                limits=LIMITS,
            )

    @cached_property
    def assets(self) -> dict[str, str]:
        """The form's own style sheet and script, read once, from the project only.

        Not from a clinic folder: a script on the page where names are typed is code, not content,
        and a clinic's templates are treated as content (the form's page itself may be overridden:
        its CSP runs no inline script and sends forms nowhere else).
        """
        folder = self.project.templates_dir / "web"
        return {name: (folder / name).read_text(encoding="utf-8") for name in ("form.css", "form.js")}


def handouts(request: Request) -> Handouts:
    state: Handouts = request.app.state.handouts
    return state


App = Annotated[Handouts, Depends(handouts)]
router = APIRouter()


@router.post(
    "/api/handouts",
    response_class=Response,
    summary="Make one PDF of handouts for a patient",
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The PDF, one page per sheet."},
        400: {"description": "A field is wrong: {error, field}"},
        503: {"description": "Busy; retry after the Retry-After seconds"},
    },
)
async def api_handouts(body: HandoutRequest, app: App) -> Response:
    return _pdf_response(await app.make_pdf(body))


@router.get("/form.css", include_in_schema=False)
async def form_css(app: App) -> Response:
    return Response(app.assets["form.css"], media_type="text/css")


@router.get("/form.js", include_in_schema=False)
async def form_js(app: App) -> Response:
    return Response(app.assets["form.js"], media_type="text/javascript")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def form(app: App) -> HTMLResponse:
    return HTMLResponse(
        app.form(
            {
                "cancer_type": "",
                "sheets": app.packets[""],
                "paper": app.project.clinic.paper,
                "date": dt.date.today().strftime("%-d %b %Y"),
            }
        )
    )


@router.post("/", include_in_schema=False)
async def submit(request: Request, app: App) -> Response:
    try:
        form_data = await _read_form(request)
    except ValueError as err:
        return HTMLResponse(
            app.form({"sheets": app.packets[""], "paper": app.project.clinic.paper}, str(err)), status_code=400
        )
    values = {
        "cancer_type": _one(form_data, "cancer_type") or None,
        "sheets": form_data.get("sheets", []),
        "patient": _one(form_data, "patient"),
        "date": _one(form_data, "date"),
        "care_team": _one(form_data, "care_team"),
        "paper": _one(form_data, "paper") or None,
        "large_print": _one(form_data, "large_print") == "on",
    }
    try:
        pdf = await app.make_pdf(HandoutRequest(**values))
    except ValidationError as err:
        problem = err.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else ""
        return HTMLResponse(app.form(values, _plain_form_error(problem), field), status_code=400)
    except WebError as err:
        return HTMLResponse(app.form(values, err.message, err.field or ""), status_code=err.status)
    return _pdf_response(pdf)


def _pdf_response(pdf: bytes) -> Response:
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": 'inline; filename="handouts.pdf"'}
    )


async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """pydantic's first complaint, in the API's {error, field} shape."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return _error(WebError(400, "the request body is not valid JSON"))
    field = next((p for p in first["loc"] if isinstance(p, str) and p != "body"), None)
    fix = (first.get("ctx") or {}).get("fix")
    message = first["msg"].removeprefix("Value error, ") + (f"; {fix}" if fix else "")
    return _error(WebError(400, message, field))


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own answers (404, 405, an unreadable body), in the same shape."""
    assert isinstance(exc, HTTPException)
    message = "the request body could not be read" if exc.status_code == 400 else str(exc.detail)
    return _error(WebError(exc.status_code, message), exc.headers)


async def web_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WebError)
    return _error(exc)


def _error(error: WebError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    if error.status == 503:
        headers = {**(headers or {}), "Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse({"error": error.message, "field": error.field}, status_code=error.status, headers=headers)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.handouts.pool.close()


def create_app(
    project: Project,
    workers_count: int = 2,
    max_pending: int | None = None,
    allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
) -> FastAPI:
    """The app; `max_pending` in-flight renders at most (default: two per worker), then 503.

    `allowed_hosts`: the names browsers and systems reach the server by (Host and Origin checks).
    """
    content = load_content(project)
    _ = project.clinic  # a broken clinic.yaml stops the server before it listens
    app = FastAPI(
        title="factsheets",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        description="Patient handouts for one patient, as one PDF. Personal details are printed, "
        "never stored. POST only: nothing personal ever goes in a URL.",
    )
    pool = RenderPool(project, workers_count, max_pending or 2 * workers_count)
    app.state.handouts = Handouts(project, content, pool)
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(WebError, web_error)
    # The guard logs only these paths: anything else a client asks for is logged as "(other path)".
    known = {
        route.path for route in [*app.routes, *router.routes] if isinstance(route, Route)
    }  # app.routes holds the router as one entry
    app.add_middleware(RequestGuard, allowed_hosts=allowed_hosts, known_paths=known)
    return app


async def _read_form(request: Request) -> dict[str, list[str]]:
    """The form's fields, decoded as strict UTF-8 (what browsers send): never guessed at.

    Starlette would decode other bytes as Latin-1, so "José" sent raw would print "JosÃ©".
    """
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise ValueError("The form could not be read: it was not sent by this page. Please fill it in again.")
    try:
        return parse_qs(
            (await request.body()).decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=64
        )
    except (UnicodeDecodeError, ValueError):
        raise ValueError(
            "The form could not be read (it was not sent as UTF-8 text, or had too many fields). "
            "Please fill it in again."
        ) from None


def _one(form: dict[str, list[str]], name: str) -> str:
    return form.get(name, [""])[0]


def _plain_form_error(problem: ErrorDetails) -> str:
    field = str(problem["loc"][0]) if problem["loc"] else ""
    if field == "sheets" and problem["type"] == "too_short":
        return "Please tick at least one sheet to print."
    if field == "sheets":
        return f"Please choose at most {MAX_SHEETS} sheets at a time."
    if problem["type"] == "value_error" and field in LABELS:  # our own words already name the field
        return problem["msg"].removeprefix("Value error, ")
    label = {**LABELS, "cancer_type": "Cancer type", "paper": "Paper size"}.get(field, field)
    fix = (problem.get("ctx") or {}).get("fix")
    return f"{label}: {problem['msg'].removeprefix('Value error, ')}." + (f" Please {fix}" if fix else "")
