"""The nurse's web form and a JSON API: thin shells over select -> render -> merge.

FastAPI because its pydantic request models are the same kind the library uses, and give the
OpenAPI description and field-by-field 4xx errors without hand-written validation.

Privacy: personal details arrive only in POST bodies, are rendered in memory in a worker
process and returned; nothing is written to disk. Every request first passes `guard.RequestGuard`
(host and origin, body size and time, security headers, the one log line per request).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import (BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError, ValidationInfo,
                      field_validator)
from starlette.exceptions import HTTPException

from factsheets import workers
from factsheets.cancer_types import CANCER_TYPES
from factsheets.errors import FactsheetsError
from factsheets.guard import LOOPBACK_HOSTS, RequestGuard
from factsheets.packets import CLOSING, OVERVIEW, SITE_SHEETS, merge, packet_sheet_ids
from factsheets.personal import LABELS, LIMITS, Personal, clean
from factsheets.project import Project, load_content
from factsheets.render import RenderOptions
from factsheets.select import select
from factsheets.sheet import SLUG
from factsheets.templating import environment

MAX_SHEETS = 12
SheetId = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
RETRY_AFTER_SECONDS = 5


class HandoutRequest(BaseModel):
    """What to print for one patient. Personal fields are optional and never stored."""

    model_config = ConfigDict(extra="forbid")

    sheets: list[SheetId] = Field(min_length=1, max_length=MAX_SHEETS, description="Sheet ids, in printing order.")
    cancer_type: str | None = Field(default=None, description="e.g. breast; empty or null: not specified.")
    patient: str = Field(default="", max_length=LIMITS["patient"],
                         description="Printed on each sheet, on one line; never stored.")
    date: str = Field(default="", max_length=LIMITS["date"], description="Printed on one line.")
    care_team: str = Field(default="", max_length=LIMITS["care_team"],
                           description='"name, phone", printed on one line (two in large print).')
    paper: Literal["letter", "a4"] = "letter"
    large_print: StrictBool = False

    @field_validator("patient", "date", "care_team", mode="before")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        """Spaces folded before the length is counted; the same words as the form and the CLI."""
        return clean(info.field_name or "", value) if isinstance(value, str) else value

    @field_validator("cancer_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value in (None, "", "none", "general"):
            return None
        if value not in CANCER_TYPES:
            raise ValueError(f"unknown cancer type; use one of: {', '.join(CANCER_TYPES)}")
        return value

    def __repr_args__(self):  # keep personal details out of reprs, tracebacks and debug logs
        for name, value in super().__repr_args__():
            yield name, ("<redacted>" if name in ("patient", "date", "care_team") and value else value)


class BadRequest(Exception):
    def __init__(self, field: str | None, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def render_handouts(request: HandoutRequest) -> bytes:
    """In a warm worker: each chosen sheet for the patient's type, as one tagged PDF with bookmarks."""
    content = workers.content()
    options = RenderOptions(paper=request.paper, large_print=request.large_print,
                            personal=Personal(request.patient, request.date, request.care_team))
    fills = [select(content.sheet(sheet_id), content.corpus, request.cancer_type) for sheet_id in request.sheets]
    return merge([(f.sheet.title, workers.renderer().render(f, options).pdf) for f in fills], "Patient handouts")


class RenderPool:
    """Warm worker processes with a bound on queued work.

    If a worker dies, the pool is replaced once (whichever request notices first), its
    surviving workers are stopped, and each affected request is tried once more on the new
    pool: a render has no side effects, so a retry loses nothing.
    """

    def __init__(self, project: Project, clinic_dir: Path, size: int, max_pending: int) -> None:
        self.project, self.clinic_dir, self.size, self.max_pending = project, clinic_dir, size, max_pending
        self.pending = 0
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.size, initializer=workers.init_worker,
                                   initargs=(self.project, self.clinic_dir, None, True))  # quiet: no page text logged

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


def create_app(project: Project, clinic_dir: Path | None = None, workers_count: int = 2,
               max_pending: int | None = None, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS) -> FastAPI:
    """The app; `max_pending` in-flight renders at most (default: two per worker), then 503.

    `allowed_hosts`: the names browsers and systems reach the server by (Host and Origin checks).
    """
    clinic_dir = project.clinic_dir(clinic_dir)
    content = load_content(project)
    pool = RenderPool(project, clinic_dir, workers_count, max_pending or 2 * workers_count)
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(title="factsheets", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Patient handouts for one patient, as one PDF. Personal details are printed, "
                              "never stored. POST only: nothing personal ever goes in a URL.")
    app.state.pool = pool
    pages = environment([project.root / "templates"])
    order = [*OVERVIEW, *dict.fromkeys(SITE_SHEETS.values()), "", *CLOSING]  # packets' reading order; "": the rest
    sheets = [{"id": s.id, "title": s.title}
              for s in sorted(content.sheets.values(), key=lambda s: order.index(s.id if s.id in order else ""))]
    packets = {t or "": packet_sheet_ids(content.corpus, content.sheets.keys(), t) for t in [None, *CANCER_TYPES]}

    routes: set[str] = set()  # filled below, once the routes exist: the guard logs only these paths
    app.add_middleware(RequestGuard, allowed_hosts=allowed_hosts, known_paths=routes)
    assets = {name: (project.root / "templates" / "web" / name).read_text(encoding="utf-8")
              for name in ("form.css", "form.js")}

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            return JSONResponse({"error": "the request body is not valid JSON", "field": None}, status_code=400)
        field = next((p for p in first["loc"] if isinstance(p, str) and p != "body"), None)
        return JSONResponse({"error": first["msg"].removeprefix("Value error, "), "field": field}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:  # 404, 405, an unreadable body
        message = "the request body could not be read" if exc.status_code == 400 else str(exc.detail)
        return JSONResponse({"error": message, "field": None}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(BadRequest)
    async def bad(request: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse({"error": exc.message, "field": exc.field}, status_code=exc.status,
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status == 503 else None)

    async def make_pdf(handouts: HandoutRequest) -> bytes:
        unknown = [s for s in handouts.sheets if s not in content.sheets]
        if unknown:
            raise BadRequest("sheets", f"unknown sheet(s): {', '.join(unknown)}; use: {', '.join(content.sheets)}")
        if pool.busy:
            raise BadRequest(None, "the server is busy making other PDFs; try again in a few seconds", 503)
        try:
            return await pool.render(handouts)
        except FactsheetsError as err:
            fields = [p for p in err.problems if p.field]
            if fields:  # a personal detail that cannot print, or does not fit its line
                raise BadRequest(fields[0].field, " ".join(p.message for p in fields), 400) from None
            raise BadRequest("sheets", "; ".join(p.message for p in err.problems), 422) from None
        except BrokenProcessPool:
            raise BadRequest(None, "the PDF could not be made because a renderer stopped unexpectedly; "
                                   "please try again", 500) from None

    def pdf_response(pdf: bytes) -> Response:
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="handouts.pdf"'})

    @app.post("/api/handouts", response_class=Response, summary="Make one PDF of handouts for a patient",
              responses={200: {"content": {"application/pdf": {}}, "description": "The PDF, one page per sheet."},
                         400: {"description": "A field is wrong: {error, field}"},
                         503: {"description": "Busy; retry after the Retry-After seconds"}})
    async def api_handouts(handouts: HandoutRequest) -> Response:
        return pdf_response(await make_pdf(handouts))

    @app.get("/form.css", include_in_schema=False)
    async def form_css() -> Response:
        return Response(assets["form.css"], media_type="text/css")

    @app.get("/form.js", include_in_schema=False)
    async def form_js() -> Response:
        return Response(assets["form.js"], media_type="text/javascript")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def form() -> HTMLResponse:
        return HTMLResponse(page({"cancer_type": "", "sheets": packets[""], "paper": "letter",
                                  "date": dt.date.today().strftime("%-d %b %Y")}))

    def page(values: dict, error: str = "", error_field: str = "") -> str:
        """The form; `error_field` (a form field's name) is marked invalid, described by the error, and focused."""
        return pages.get_template("web/form.html").render(
            types=CANCER_TYPES, sheets=sheets, packets=packets, values=values, error=error, error_field=error_field,
            limits=LIMITS)

    @app.post("/", include_in_schema=False)
    async def submit(request: Request) -> Response:
        try:
            form_data = await _read_form(request)
        except ValueError as err:
            return HTMLResponse(page({"sheets": packets[""]}, str(err)), status_code=400)
        values = {"cancer_type": _one(form_data, "cancer_type") or None, "sheets": form_data.get("sheets", []),
                  "patient": _one(form_data, "patient"), "date": _one(form_data, "date"),
                  "care_team": _one(form_data, "care_team"), "paper": _one(form_data, "paper") or "letter",
                  "large_print": _one(form_data, "large_print") == "on"}
        try:
            pdf = await make_pdf(HandoutRequest(**values))
        except ValidationError as err:
            problem = err.errors()[0]
            field = str(problem["loc"][0]) if problem["loc"] else ""
            return HTMLResponse(page(values, _plain_form_error(problem), field), status_code=400)
        except BadRequest as err:
            return HTMLResponse(page(values, err.message, err.field or ""), status_code=err.status)
        return pdf_response(pdf)

    routes.update(route.path for route in app.routes)
    return app


async def _read_form(request: Request) -> dict[str, list[str]]:
    """The form's fields, decoded as strict UTF-8 (what browsers send): never guessed at.

    Starlette would decode other bytes as Latin-1, so "José" sent raw would print "JosÃ©".
    """
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise ValueError("The form could not be read: it was not sent by this page. Please fill it in again.")
    try:
        return parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True, errors="strict",
                        max_num_fields=64)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("The form could not be read (it was not sent as UTF-8 text, or had too many fields). "
                         "Please fill it in again.") from None


def _one(form: dict[str, list[str]], name: str) -> str:
    return form.get(name, [""])[0]


def _plain_form_error(problem: dict) -> str:
    field = str(problem["loc"][0]) if problem["loc"] else ""
    if field == "sheets" and problem["type"] == "too_short":
        return "Please tick at least one sheet to print."
    if field == "sheets":
        return f"Please choose at most {MAX_SHEETS} sheets at a time."
    if problem["type"] == "value_error" and field in LABELS:  # our own words already name the field
        return problem["msg"].removeprefix("Value error, ")
    label = {**LABELS, "cancer_type": "Cancer type", "paper": "Paper size"}.get(field, field)
    return f"{label}: {problem['msg'].removeprefix('Value error, ')}."
