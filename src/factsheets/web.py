"""The nurse's web form and a JSON API: thin shells over select -> render -> merge.

FastAPI because its pydantic request models are the same kind the library uses, and give the
OpenAPI description and field-by-field 4xx errors without hand-written validation.

Privacy: personal details arrive only in POST bodies, are rendered in memory in a worker
process and returned; nothing is written to disk, the access log keeps method, path, status
and time only, and every response says `Cache-Control: no-store`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Literal

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from factsheets import workers
from factsheets.cancer_types import CANCER_TYPES
from factsheets.errors import FactsheetsError
from factsheets.packets import merge, packet_sheet_ids
from factsheets.project import Project, load_content
from factsheets.render import Personal, RenderOptions
from factsheets.select import select

MAX_SHEETS = 12
MAX_BODY_BYTES = 16 * 1024
RETRY_AFTER_SECONDS = 5
log = logging.getLogger("factsheets.web")


class HandoutRequest(BaseModel):
    """What to print for one patient. Personal fields are optional and never stored."""

    model_config = ConfigDict(extra="forbid")

    sheets: list[str] = Field(min_length=1, max_length=MAX_SHEETS, description="Sheet ids, in printing order.")
    cancer_type: str | None = Field(default=None, description="e.g. breast; empty or null: not specified.")
    patient: str = Field(default="", max_length=120, description="Printed on each sheet; never stored.")
    date: str = Field(default="", max_length=40)
    care_team: str = Field(default="", max_length=160, description='"name, phone"')
    paper: Literal["letter", "a4"] = "letter"
    large_print: bool = False

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
    def __init__(self, field: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def render_handouts(request: HandoutRequest) -> bytes:
    """In a warm worker: each chosen sheet for the patient's type, merged with bookmarks."""
    content = workers.content()
    options = RenderOptions(paper=request.paper, large_print=request.large_print,
                            personal=Personal(request.patient.strip(), request.date.strip(), request.care_team.strip()))
    parts = []
    for sheet_id in request.sheets:
        filled = select(content.sheet(sheet_id), content.corpus, request.cancer_type)
        parts.append((filled.sheet.title, workers.renderer().render(filled, options).pdf))
    return merge(parts, "Patient handouts")


class RenderPool:
    """Warm worker processes with a bound on queued work; rebuilt if a worker dies."""

    def __init__(self, project: Project, clinic_dir: Path, size: int, max_pending: int) -> None:
        self.project, self.clinic_dir, self.size, self.max_pending = project, clinic_dir, size, max_pending
        self.pending = 0
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.size, initializer=workers.init_worker,
                                   initargs=(self.project, self.clinic_dir))

    @property
    def busy(self) -> bool:
        return self.pending >= self.max_pending

    async def render(self, request: HandoutRequest) -> bytes:
        self.pending += 1
        try:
            return await asyncio.wrap_future(self._pool.submit(render_handouts, request))
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            raise
        finally:
            self.pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def create_app(project: Project, clinic_dir: Path | None = None, workers_count: int = 2,
               max_pending: int | None = None) -> FastAPI:
    """The app; `max_pending` in-flight renders at most (default: two per worker), then 503."""
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
    pages = jinja2.Environment(loader=jinja2.FileSystemLoader(str(project.root / "templates")), autoescape=True)
    sheets = [{"id": s.id, "title": s.title} for s in content.sheets.values()]
    packets = {t or "": packet_sheet_ids(content.corpus, content.sheets.keys(), t) for t in [None, *CANCER_TYPES]}

    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and int(length) > MAX_BODY_BYTES:
            response: Response = JSONResponse({"error": "request too large", "field": None}, status_code=413)
        else:
            response = await call_next(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        log.info("%s %s %s %.0fms", request.method, request.url.path, response.status_code,
                 (time.perf_counter() - started) * 1000)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p != "body") or None
        return JSONResponse({"error": first["msg"].removeprefix("Value error, "), "field": field}, status_code=400)

    @app.exception_handler(BadRequest)
    async def bad(request: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse({"error": exc.message, "field": exc.field}, status_code=exc.status,
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status == 503 else None)

    async def make_pdf(handouts: HandoutRequest) -> bytes:
        unknown = [s for s in handouts.sheets if s not in content.sheets]
        if unknown:
            raise BadRequest("sheets", f"unknown sheet(s): {', '.join(unknown)}; use: {', '.join(content.sheets)}")
        if pool.busy:
            raise BadRequest("", "the server is busy making other PDFs; try again in a few seconds", 503)
        try:
            return await pool.render(handouts)
        except FactsheetsError as err:
            raise BadRequest("sheets", "; ".join(p.message for p in err.problems), 422) from None
        except BrokenProcessPool:
            raise BadRequest("", "the PDF could not be made because a renderer stopped unexpectedly; "
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

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def form() -> HTMLResponse:
        return HTMLResponse(page({"cancer_type": "", "sheets": packets[""], "paper": "letter",
                                  "date": dt.date.today().strftime("%-d %b %Y")}))

    def page(values: dict, error: str = "") -> str:
        return pages.get_template("web/form.html").render(
            types=CANCER_TYPES, sheets=sheets, packets=packets, values=values, error=error)

    @app.post("/", include_in_schema=False)
    async def submit(request: Request) -> Response:
        form_data = await request.form()
        values = {"cancer_type": form_data.get("cancer_type") or None, "sheets": form_data.getlist("sheets"),
                  "patient": form_data.get("patient", ""), "date": form_data.get("date", ""),
                  "care_team": form_data.get("care_team", ""), "paper": form_data.get("paper", "letter"),
                  "large_print": form_data.get("large_print") == "on"}
        try:
            pdf = await make_pdf(HandoutRequest(**values))
        except ValidationError as err:
            problem = err.errors()[0]
            return HTMLResponse(page(values, _plain_form_error(problem)), status_code=400)
        except BadRequest as err:
            return HTMLResponse(page(values, err.message), status_code=err.status)
        return pdf_response(pdf)

    return app


def _plain_form_error(problem: dict) -> str:
    field = str(problem["loc"][0]) if problem["loc"] else ""
    if field == "sheets" and problem["type"] == "too_short":
        return "Please tick at least one sheet to print."
    if field == "sheets":
        return f"Please choose at most {MAX_SHEETS} sheets at a time."
    label = {"patient": "Patient name", "date": "Date", "care_team": "Care team contact",
             "cancer_type": "Cancer type", "paper": "Paper size"}.get(field, field)
    return f"{label}: {problem['msg'].removeprefix('Value error, ')}."
