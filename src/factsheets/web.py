"""The nurse's web form and a JSON API: thin shells over select -> render -> merge.

FastAPI because its pydantic request models are the same kind the library uses, and give the
OpenAPI description and field-by-field 4xx errors without hand-written validation. Routes are
plain functions that get the app's `Handouts` (content, render pool, form page) as a dependency.

Privacy: personal details arrive only in POST bodies, are rendered in memory in a worker
process and returned; nothing is written to disk. Every request first passes `guard.RequestGuard`
(host and origin, body size and time, security headers, the one log line per request).

Operations: `GET /healthz` says whether every worker is alive and warm, `GET /metrics` counts
in the Prometheus format (`metrics`). The server keeps no state between requests, so instances
behind one load balancer are independent.
"""

from __future__ import annotations

import asyncio
import ctypes
import datetime as dt
import logging
import multiprocessing
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from urllib.parse import parse_qs, urlencode

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
from factsheets.cancer_types import CANCER_TYPES, CancerTypeChoice
from factsheets.clinic import Paper
from factsheets.diagnosis import MAX_CODES, CodeText, split_codes
from factsheets.edition import LANGUAGE, edition_id
from factsheets.errors import FactsheetsError, Problem, sentences
from factsheets.guard import LOOPBACK_HOSTS, RETRY_AFTER_SECONDS, TURNED_AWAY, RequestGuard, count_sheets
from factsheets.handouts import CLOSING, OVERVIEW, Choice, choose_for
from factsheets.infobutton import FeedEntry, atom_json, to_query
from factsheets.infobutton import parse as parse_knowledge_request
from factsheets.metrics import Metrics
from factsheets.options import RenderOptions
from factsheets.packets import packet_title, render_packet
from factsheets.personal import LABELS, LIMITS, Personal, clean
from factsheets.project import Content, Project, load_content
from factsheets.record import Given, bundle, document_reference
from factsheets.select import FilledSheet
from factsheets.sheet import SLUG
from factsheets.sites import SITES, SiteChoices, common_sites
from factsheets.templating import template_problems
from factsheets.variant import Variant

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

MAX_SHEETS = 12
SheetId = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
WARM_UP_SECONDS = 120.0  # every worker must have rendered its first sheet within this, or `serve` stops
REPAIR_SECONDS = 30.0  # a health check replaces a dead pool at most this often
log = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json"
_HANDOUT_PARAMETERS = {"sheet", "cancer_type", "paper", "large_print", "printed"}
_EARLIEST_PRINT = dt.date(2020, 1, 1)
T = TypeVar("T")
_PERSONAL = ("patient", "date", "care_team")


class ChoiceRequest(BaseModel):
    """Which sheets: listed, or chosen from the cancer type, where it has spread and diagnosis codes."""

    model_config = ConfigDict(extra="forbid")

    sheets: list[SheetId] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SHEETS,
        description="Sheet ids, in printing order. Left out: the overview sheets, a sheet per site and questions.",
    )
    cancer_type: CancerTypeChoice = Field(
        default=None, description="e.g. breast or Breast; empty, 'general' or null: not specified."
    )
    sites: SiteChoices = Field(
        default_factory=list,
        max_length=2 * len(SITES),
        description=f"Where it has spread, if known: {', '.join(SITES)}. Left out: the type's common sites.",
    )
    codes: list[CodeText] = Field(
        default_factory=list,
        max_length=MAX_CODES,
        description="ICD-10-CM codes, e.g. C50.911 (the type) and C79.51 (a site of spread).",
    )


class PrintRequest(ChoiceRequest):
    """Which sheets, and how to print them."""

    paper: Paper | None = Field(default=None, description="letter or a4; null or left out: the clinic's paper.")
    large_print: StrictBool = False

    def options(self) -> RenderOptions:
        return RenderOptions(paper=self.paper, large_print=self.large_print)


class HandoutRequest(PrintRequest):
    """What to print for one patient. Personal fields are optional and never stored."""

    patient: str = Field(
        default="", max_length=LIMITS["patient"], description="Printed on each sheet, on one line; never stored."
    )
    date: str = Field(default="", max_length=LIMITS["date"], description="Printed on one line.")
    care_team: str = Field(
        default="",
        max_length=LIMITS["care_team"],
        description='"name, phone", printed on one line (two in large print).',
    )

    @field_validator(*_PERSONAL, mode="before")
    @classmethod
    def _printable(cls, value: object, info: ValidationInfo) -> object:
        """Spaces folded before the length is counted; the same words as the form and the CLI."""
        return clean(info.field_name or "", value) if isinstance(value, str) else value

    def __repr_args__(self) -> Iterable[tuple[str | None, Any]]:  # no personal details in reprs or debug logs
        for name, value in super().__repr_args__():
            yield name, ("<redacted>" if name in _PERSONAL and value else value)

    def options(self) -> RenderOptions:
        return replace(super().options(), personal=Personal(self.patient, self.date, self.care_team))


class WebError(Exception):
    """Every answer that is not a PDF: its status, a message for people, and the request field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


def render_handouts(choice: Choice, options: RenderOptions) -> bytes:
    """In a warm worker: each chosen sheet for the patient's type, as one tagged PDF with bookmarks."""
    return render_packet(workers.content(), workers.renderer(), choice, options)


def init_render_worker(project: Project, warm: bool, ready: Synchronized[int]) -> None:
    """A render worker's start: content and a Renderer loaded, one sheet rendered (with `warm`), then counted.

    A process's first render pays for fonts, parsed style sheets and shaping caches: paying it
    here, before the worker takes a request, makes the first nurse's PDF as quick as the next.
    """
    try:
        workers.init_worker(project, None, True)  # quiet: no page text logged
        if warm:
            render_handouts(*_warm_up(workers.content()))
    except FactsheetsError as err:  # the project on disk cannot print: say why in one line, not a traceback
        for problem in err.problems:
            log.error("a render worker could not start: %s", problem)
        os._exit(1)  # the pool sees a dead worker: `warm_up` stops the server, a running one tries again later
    with ready.get_lock():
        ready.value += 1


def _warm_up(content: Content) -> tuple[Choice, RenderOptions]:
    """The form's first sheet with a short name on it (one that fits any clinic's layout), as a nurse prints it."""
    choice = choose_for(content, None, [], [])
    first = [*choice.sheet_ids, *content.sheets][:1]
    return choice.as_listed(first), RenderOptions(personal=Personal("Warm Up"))


def _nothing() -> None:
    """Submitted once per worker to start it: a pool starts its processes only when given work."""


def render_editions(choice: Choice, options: RenderOptions, now: dt.datetime, base_url: str) -> list[Given]:
    """In a warm worker: each chosen sheet as published (no personal details), described for a record."""
    if options.personal:
        raise ValueError("a record describes the sheet as published, never a patient's copy")
    given = []
    for sheet_id in choice.sheet_ids:
        filled = workers.content().fill(Variant(sheet_id, choice.cancer_type))
        rendered = workers.renderer().render(filled, options)
        given.append(
            Given(
                title=filled.sheet.title,
                sheet_id=sheet_id,
                variant_key=filled.variant.key,
                content_version=rendered.content_version,
                edition=edition_id(filled),
                pdf=rendered.pdf,
                language=LANGUAGE,
                created=now,
                url=base_url + "handout.pdf?" + urlencode(_sheet_query(filled.variant, options, printed=True)),
            )
        )
    return given


def _sheet_query(variant: Variant, options: RenderOptions, printed: bool = False) -> dict[str, str]:
    """The query of `GET /handout.pdf` that makes this sheet again; with `printed`, byte for byte (same date)."""
    query = {"sheet": variant.sheet_id, "cancer_type": variant.type_key}
    if printed:
        query["printed"] = options.print_date.isoformat()
    if options.paper:
        query["paper"] = options.paper
    if options.large_print:
        query["large_print"] = "true"
    return query


class RenderPool:
    """Warm worker processes with a bound on queued work.

    `start` starts every worker; each loads the content and, with `warm`, renders one sheet
    before it takes a request (`ready` counts those alive and done). If a worker dies, the pool
    is replaced once (whichever request or health check notices first), its surviving workers
    are stopped, and each affected request is tried once more on the new pool: a render has no
    side effects, so a retry loses nothing.
    """

    def __init__(self, project: Project, size: int, max_pending: int, warm: bool = False) -> None:
        self.project, self.size, self.max_pending, self.warm = project, size, max_pending, warm
        self.pending = 0
        self.on_restart: Callable[[], object] | None = None  # told when a dead worker's pool is replaced
        self._repaired_at = -REPAIR_SECONDS  # when a health check last replaced the pool
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        self._ready: Synchronized[int] = multiprocessing.Value(ctypes.c_int, 0)  # per pool: a new one starts at 0
        return ProcessPoolExecutor(
            max_workers=self.size, initializer=init_render_worker, initargs=(self.project, self.warm, self._ready)
        )

    def start(self) -> None:
        """Start every worker now rather than at the first request; they load (and warm up) in the background."""
        for _ in range(self.size):
            self._pool.submit(_nothing)

    def warm_up(self, seconds: float = WARM_UP_SECONDS) -> None:
        """Start every worker and return once each has rendered its sheet: before the server listens.

        A worker that cannot (it logs why) or a warm-up that hangs stops the workers and raises.
        """
        self.start()
        deadline = time.monotonic() + seconds
        while self.ready < self.size:
            if self._broken() or time.monotonic() > deadline:
                self._stop(self._pool, wait=True)  # joined, so nothing of the pool is left to clean up at exit
                raise FactsheetsError(
                    Problem(
                        "the render workers could not start: no sheet could be rendered",
                        "the lines above say why; `factsheets render SHEET --patient NAME -o x.pdf` shows it too.",
                    )
                )
            time.sleep(0.05)

    @property
    def ready(self) -> int:
        """Workers alive and warm; 0 while the pool is broken (one dead worker stops the whole pool)."""
        return 0 if self._broken() else min(len(_processes(self._pool)), self._ready.value)

    def repair(self) -> None:
        """Replace a broken pool: an instance its balancer no longer sends requests to must still heal.

        At most once per `REPAIR_SECONDS`: workers that cannot start (the project on disk broken
        since) must not be restarted on every health check.
        """
        if self._broken() and time.monotonic() - self._repaired_at >= REPAIR_SECONDS:
            self._repaired_at = time.monotonic()
            self._replace(self._pool)

    @property
    def busy(self) -> bool:
        return self.pending >= self.max_pending

    def load(self) -> tuple[int, int, int, int]:
        """(workers, ready, busy, waiting), for the metrics."""
        return self.size, self.ready, min(self.pending, self.size), max(self.pending - self.size, 0)

    def _broken(self) -> bool:
        return bool(getattr(self._pool, "_broken", False)) or not all(p.is_alive() for p in _processes(self._pool))

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` in a worker; retried once on a new pool if a worker died."""
        self.pending += 1
        try:
            try:
                return await self._submit(work, *args)
            except BrokenProcessPool:
                return await self._submit(work, *args)
        finally:
            self.pending -= 1

    async def _submit(self, work: Callable[..., T], *args: object) -> T:
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(work, *args))
        except BrokenProcessPool:
            if pool is self._pool:
                self._replace(pool)
            raise

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        self._stop(broken)
        self._pool = self._new_pool()
        self.start()
        if self.on_restart:
            self.on_restart()

    @staticmethod
    def _stop(pool: ProcessPoolExecutor, wait: bool = False) -> None:
        for process in _processes(pool):
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=wait, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _processes(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    return list((getattr(pool, "_processes", None) or {}).values())  # private, but the only handle


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
            raise WebError(400, sentences(err.problems), err.problems[0].field) from None
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
    choice = app.choose(body)
    return _pdf_response(await app.make_pdf(choice, body.options()), choice)


@router.post(
    "/api/handouts/plan",
    summary="Which sheets a patient gets, without making them",
    responses={400: {"description": "A field is wrong: {error, field}"}},
)
async def api_plan(body: ChoiceRequest, app: App) -> dict[str, object]:
    """The sheets chosen for a type, sites and codes: what the form ticks, and what a PDF would hold."""
    return _plan(app.choose(body), app)


@router.post(
    "/api/handouts/records",
    response_class=JSONResponse,
    summary="A FHIR R4 record of each sheet as published, for the patient's chart",
    responses={
        200: {"content": {FHIR_JSON: {}}, "description": "A FHIR Bundle (collection) of DocumentReference."},
        400: {"description": "A field is wrong: {error, field}"},
    },
)
async def api_records(body: PrintRequest, request: Request, app: App) -> Response:
    """One DocumentReference per sheet, with no patient in it: the EHR attaches its own subject.

    Takes no personal details: the PDF each record hashes is the sheet as published, never a
    patient's copy (a hash of a page bearing a name would let anyone with the template test a guess).
    """
    choice = app.choose(body)
    records = await app.make_records(choice, body.options(), str(request.base_url))
    return JSONResponse(
        bundle([document_reference(g, app.project.clinic.name) for g in records]),
        media_type=FHIR_JSON,
        headers=_choice_headers(choice),
    )


@router.get("/handout.pdf", response_class=Response, summary="One sheet as published, with no personal details")
async def handout_pdf(
    request: Request,
    app: App,
    sheet: SheetId,
    cancer_type: CancerTypeChoice = None,
    paper: Paper | None = None,
    large_print: bool = False,
    printed: dt.date | None = None,
) -> Response:
    """What the Infobutton page and FHIR records link to. A GET: nothing personal can be asked for in it."""
    unknown = sorted(set(request.query_params) - _HANDOUT_PARAMETERS)
    if unknown or len(request.query_params.getlist("sheet")) > 1:
        raise WebError(
            400,
            f"GET /handout.pdf takes one sheet and {', '.join(sorted(_HANDOUT_PARAMETERS - {'sheet'}))}; "
            f"nothing personal (it is a link): leave out {', '.join(unknown) or 'the second sheet'}",
            (unknown or ["sheet"])[0],
        )
    if printed and not _EARLIEST_PRINT <= printed <= dt.date.today() + dt.timedelta(days=1):
        raise WebError(400, f"printed must be a date from {_EARLIEST_PRINT} to today", "printed")
    choice = app.choose(ChoiceRequest(sheets=[sheet], cancer_type=cancer_type))
    options = RenderOptions(paper=paper, large_print=large_print, print_date=printed or dt.date.today())
    return _pdf_response(await app.make_pdf(choice, options), choice)


@router.get(
    "/infobutton",
    response_class=Response,
    summary="HL7 Infobutton knowledge request (URL-based), by ICD-10-CM codes",
    responses={
        200: {"content": {"text/html": {}, "application/json": {}, "application/pdf": {}}},
        400: {"description": "An unknown code system, code, language or response type"},
    },
)
async def infobutton(request: Request, app: App) -> Response:
    """An EHR's request by diagnosis codes: a page of links (default), an Atom-style JSON feed, or the packet.

    What the EHR sends about the patient (age, gender...) is dropped by `parse` and never put in a link.
    """
    try:
        knowledge = parse_knowledge_request(list(request.query_params.multi_items()))
    except FactsheetsError as err:
        raise WebError(400, sentences(err.problems), err.problems[0].field) from None
    try:
        choice = app.choose(ChoiceRequest(codes=list(knowledge.codes)))
    except WebError as err:  # named by the Infobutton parameter the codes came in
        raise WebError(err.status, err.message, "mainSearchCriteria.v.c") from None
    except ValidationError as err:  # `parse` bounds the codes as the model does: should they differ, a 400, not a 500
        raise WebError(400, _plain_form_error(err.errors()[0]), "mainSearchCriteria.v.c") from None
    if knowledge.response_type == "application/pdf":
        return _pdf_response(await app.make_pdf(choice, RenderOptions()), choice)
    base, now = str(request.base_url), dt.datetime.now(dt.UTC).replace(microsecond=0)
    fills = [app.content.fill(Variant(s, choice.cancer_type)) for s in choice.sheet_ids]
    links = [base + "handout.pdf?" + urlencode(_sheet_query(f.variant, RenderOptions())) for f in fills]
    packet = {
        "title": packet_title(choice.cancer_type),
        "href": base + "infobutton?" + urlencode(to_query(knowledge, "application/pdf")),
    }
    if knowledge.response_type == "application/json":
        entries = [
            FeedEntry(title=f.sheet.title, href=href, summary=_summary(f), id=edition_id(f), updated=now)
            for f, href in zip(fills, links, strict=True)
        ]
        entries.append(
            FeedEntry(
                title=packet["title"],
                href=packet["href"],
                summary=f"All {len(fills)} handouts in one PDF ({choice.basis}).",
                id="urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, packet["href"])),
                updated=now,
            )
        )
        feed = atom_json(
            title=packet["title"],
            subtitle=" ".join(["; ".join(choice.codes), choice.notice]).strip(),
            updated=now,
            base_url=base,
            language=LANGUAGE,
            criteria=knowledge.criteria,
            entries=entries,
            recipient=knowledge.recipient,
        )
        return JSONResponse(feed)
    handouts = [{"title": f.sheet.title, "href": href} for f, href in zip(fills, links, strict=True)]
    return HTMLResponse(app.infobutton_page(choice, handouts, packet))


def _summary(filled: FilledSheet) -> str:
    """'When cancer spreads to the bone, for people with breast cancer.': a feed entry's one line."""
    for_whom = f", for people with {filled.cancer_type.name}" if filled.cancer_type else ""
    return f"{filled.sheet.title}{for_whom}."


@router.get(
    "/healthz",
    summary="Whether every render worker is alive and warm, for a load balancer",
    responses={503: {"description": "Workers starting, or being replaced after one died; retry after Retry-After"}},
)
async def healthz(app: App) -> JSONResponse:
    """200 once every worker is alive and has rendered its first sheet; 503 until then.

    A dead worker's pool is replaced here too, so an instance that no longer gets requests heals.
    Answered to any Host name: a balancer may name the instance by its address.
    """
    app.pool.repair()
    ready = app.pool.ready
    healthy = ready == app.pool.size
    return JSONResponse(
        {"status": "ok" if healthy else "starting", "workers": app.pool.size, "ready": ready},
        status_code=200 if healthy else 503,
        headers=None if healthy else {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@router.get("/metrics", include_in_schema=False)
async def metrics_page(request: Request, app: App) -> Response:
    """Counts for Prometheus: requests by route and status, render times, workers, 503s; nothing personal."""
    body, content_type = app.metrics.exposition(request.headers.get("accept", ""))
    return Response(body, media_type=content_type)


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
                "sheets": app.choices["overview"] + app.choices["closing"],
                "paper": app.project.clinic.paper,
                "date": dt.date.today().strftime("%-d %b %Y"),
            }
        )
    )


@router.post("/", include_in_schema=False)
async def submit(request: Request, app: App) -> Response:
    """The form's answer: the PDF of the ticked sheets, or the form again with the error at its field.

    The ticks are what prints (the nurse has the last word); the type, sites and codes are checked
    with them, so codes that disagree with the type chosen are refused, not guessed between.
    """
    try:
        form_data = await _read_form(request)
    except ValueError as err:
        return HTMLResponse(app.form({"sheets": [], "paper": app.project.clinic.paper}, str(err)), status_code=400)
    values = {
        "cancer_type": _one(form_data, "cancer_type") or None,
        "sites": form_data.get("sites", []),
        "codes": _one(form_data, "codes"),
        "sheets": form_data.get("sheets", []),
        "patient": _one(form_data, "patient"),
        "date": _one(form_data, "date"),
        "care_team": _one(form_data, "care_team"),
        "paper": _one(form_data, "paper") or None,
        "large_print": _one(form_data, "large_print") == "on",
    }
    try:
        body = HandoutRequest(**{**values, "codes": split_codes(str(values["codes"]))})
        choice = app.choose(body)
        pdf = await app.make_pdf(choice, body.options())
    except ValidationError as err:
        problem = err.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else ""
        return HTMLResponse(app.form(values, _plain_form_error(problem), field), status_code=400)
    except WebError as err:
        return HTMLResponse(app.form(values, err.message, err.field or ""), status_code=err.status)
    return _pdf_response(pdf, choice)


def _pdf_response(pdf: bytes, choice: Choice) -> Response:
    """The PDF, with what was chosen in headers (sheets, why those sites, sites without a sheet) for staff systems."""
    headers = {"Content-Disposition": 'inline; filename="handouts.pdf"', **_choice_headers(choice)}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _choice_headers(choice: Choice) -> dict[str, str]:
    """What was chosen, beside an answer that has no room for it: sheets, why those, sites without a sheet."""
    headers = {"Factsheets-Sheets": ", ".join(choice.sheet_ids), "Factsheets-Basis": choice.basis}
    if choice.without_sheet:
        headers["Factsheets-No-Sheet-For"] = ", ".join(s.key for s in choice.without_sheet)
    return headers


def _plan(choice: Choice, app: Handouts) -> dict[str, object]:
    return {
        "cancer_type": choice.cancer_type.key if choice.cancer_type else None,
        "sites": [s.key for s in choice.sites],
        "sites_given": choice.sites_given,
        "basis": choice.basis,
        "sheets": [{"id": s, "title": app.content.sheets[s].title} for s in choice.sheet_ids],
        "no_sheet_for": [s.key for s in choice.without_sheet],
        "notice": choice.notice,
        "codes": list(choice.codes),
    }


async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """pydantic's first complaint, in the API's {error, field} shape."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return _error(WebError(400, "the request body is not valid JSON"))
    field = next((p for p in first["loc"] if isinstance(p, str) and p not in ("body", "query")), None)
    if first["type"] == "extra_forbidden" and field in _PERSONAL:  # the plan and records take none
        return _error(WebError(400, f"this answer carries no personal details: leave out {field}", field))
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
async def _lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    """Workers start with the app (a warm pool started, and was waited for, in `create_app`)."""
    handouts: Handouts = app.state.handouts
    if not handouts.pool.warm:
        handouts.pool.start()
    yield {TURNED_AWAY: handouts.metrics.turned_away}
    handouts.pool.close()


def create_app(
    project: Project,
    workers_count: int = 2,
    max_pending: int | None = None,
    allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
    warm: bool = True,
) -> FastAPI:
    """The app; `max_pending` in-flight renders at most (default: two per worker), then 503.

    `allowed_hosts`: the names browsers and systems reach the server by (Host and Origin checks).
    `warm`: each worker renders a sheet before this returns (tests that do not time requests skip it).
    """
    content = load_content(project)
    _ = project.clinic, content.codes  # a broken clinic.yaml or code map stops the server before it listens
    app = FastAPI(
        title="factsheets",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        description="Patient handouts for one patient, as one PDF. Personal details are printed, "
        "never stored. POST only: nothing personal ever goes in a URL.",
    )
    pool = RenderPool(project, workers_count, max_pending or 2 * workers_count, warm)
    if warm:
        pool.warm_up()  # before the server listens; a project that cannot print stops it here, in plain words
    app.include_router(router)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(WebError, web_error)
    # The guard logs only these paths: anything else a client asks for is logged as "(other path)".
    known = {
        route.path for route in [*app.routes, *router.routes] if isinstance(route, Route)
    }  # app.routes holds the router as one entry
    metrics = Metrics(pool.load)
    pool.on_restart = metrics.restarts.inc
    app.state.handouts = Handouts(project, content, pool, metrics)
    app.add_middleware(
        RequestGuard,
        allowed_hosts=allowed_hosts,
        known_paths=known,
        any_host_paths={"/healthz"},
        on_answer=metrics.answered,
    )
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
    label = {
        **LABELS,
        "cancer_type": "Cancer type",
        "sites": "Where it has spread",
        "codes": "Diagnosis codes",
        "paper": "Paper size",
    }.get(field, field)
    fix = (problem.get("ctx") or {}).get("fix")
    return f"{label}: {problem['msg'].removeprefix('Value error, ')}." + (f" Please {fix}" if fix else "")
