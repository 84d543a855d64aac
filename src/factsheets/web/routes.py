"""The routes: the form, the JSON API, GET /handout.pdf, the Infobutton endpoint, /healthz and /metrics.

The form's files are served here too: its style sheet and script, the clinic's colour (/clinic.css) and
logo (/clinic-logo), and the icon browsers ask for (/favicon.ico, /favicon.svg).

Routes are plain functions that get the app's `Handouts` as a dependency; personal details
arrive only in POST bodies and are never written anywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from factsheets.content.cancer_types import CancerTypeChoice
from factsheets.content.clinic import Paper
from factsheets.errors import FactsheetsError, as_sentences
from factsheets.patient.choice import Choice, one_sheet
from factsheets.patient.diagnosis import split_codes
from factsheets.patient.fhir import bundle, document_reference
from factsheets.patient.infobutton import FeedEntry, atom_json, to_query
from factsheets.patient.infobutton import parse as parse_knowledge_request
from factsheets.patient.packet import packet_title
from factsheets.render.edition import LANGUAGE, edition_id
from factsheets.render.options import RenderOptions
from factsheets.render.personal import LABELS
from factsheets.selection.select import FilledSheet
from factsheets.selection.variant import Variant
from factsheets.web.guard import RETRY_AFTER_SECONDS
from factsheets.web.models import MAX_SHEETS, ChoiceRequest, HandoutRequest, PrintRequest, SheetId, WebError
from factsheets.web.pool import sheet_query
from factsheets.web.state import FORM_ASSETS, App, Handouts

FHIR_JSON = "application/fhir+json"
_HANDOUT_PARAMETERS = {"sheet", "cancer_type", "paper", "large_print", "printed"}
_EARLIEST_PRINT = dt.date(2020, 1, 1)
_LOGO_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
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
    return _pdf_response(await app.make_pdf(choice, app.print_options(body)), choice)


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
    try:
        choice = one_sheet(app.content, sheet, cancer_type)  # the sheet as published: no packet chosen around it
    except FactsheetsError as err:
        raise WebError(400, as_sentences(err.problems), "sheet") from None
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
        raise WebError(400, as_sentences(err.problems), err.problems[0].field) from None
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
    links = [base + "handout.pdf?" + urlencode(sheet_query(f.variant, RenderOptions())) for f in fills]
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
                summary=f"One PDF of {choice.summary}.",
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
    return Response(app.assets["form.css"], media_type=FORM_ASSETS["form.css"])


@router.get("/form.js", include_in_schema=False)
async def form_js(app: App) -> Response:
    return Response(app.assets["form.js"], media_type=FORM_ASSETS["form.js"])


@router.get("/favicon.svg", include_in_schema=False)
async def favicon_svg(app: App) -> Response:
    return Response(app.assets["favicon.svg"], media_type=FORM_ASSETS["favicon.svg"])


@router.get("/favicon.ico", include_in_schema=False)
async def favicon_ico(app: App) -> Response:
    """What browsers ask for on every page without a <link rel=icon> (a PDF, a JSON answer): an icon, not a 404."""
    return Response(app.assets["favicon.ico"], media_type="image/vnd.microsoft.icon")


@router.get("/clinic.css", include_in_schema=False)
async def clinic_css(app: App) -> Response:
    return Response(app.clinic_css, media_type="text/css")


@router.get("/clinic-logo", include_in_schema=False)
async def clinic_logo(app: App) -> Response:
    """The clinic's logo as the sheets print it (checked as they check it); 404 for a clinic without one.

    An SVG is an image here, never a page: opened on its own it is sandboxed, runs no script and loads nothing.
    """
    if app.logo is None:
        raise WebError(404, "this clinic has no logo")
    media_type, data = app.logo
    return Response(data, media_type=media_type, headers={"Content-Security-Policy": _LOGO_POLICY})


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def form(app: App) -> HTMLResponse:
    return HTMLResponse(
        app.form(
            {
                "cancer_type": "",
                "sheets": app.choices["overview"] + app.choices["closing"],
                "paper": app.project.clinic.paper,
                "date": app.today(),
            }
        )
    )


@router.post("/", include_in_schema=False)
async def submit(request: Request, app: App) -> Response:
    """The form's answer, in two steps that work alike with or without the page's script.

    "Create PDF": the form again, saying what will print and why (the same `Choice.summary` as the
    API, the CLI and the PDF) above the button that makes it. That button posts the same fields
    with `make=pdf` and gets the PDF. The sheets are chosen here, by the library's one rule: the
    type, sites and codes bring theirs whatever is ticked, ticks add sheets, and codes that
    disagree with the type are refused at the type's field, never guessed between.
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
        options = app.print_options(body)
        values["date"] = options.personal.date  # as it will print: the nurse sees how a date in numbers was read
        if _one(form_data, "make") == "pdf":
            return _pdf_response(await app.make_pdf(choice, options), choice)
    except ValidationError as err:
        problem = err.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else ""
        return HTMLResponse(app.form(values, _plain_form_error(problem), field), status_code=400)
    except WebError as err:
        return HTMLResponse(app.form(values, err.message, err.field or ""), status_code=err.status)
    return HTMLResponse(app.form(values, choice=choice))


def _pdf_response(pdf: bytes, choice: Choice) -> Response:
    """The PDF, with what was chosen in headers (sheets, why those sites, sites without a sheet) for staff systems."""
    headers = {"Content-Disposition": 'inline; filename="handouts.pdf"', **_choice_headers(choice)}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _choice_headers(choice: Choice) -> dict[str, str]:
    """What was chosen, beside an answer that has no room for it: sheets, why those, sites without a sheet."""
    headers = {
        "Factsheets-Sheets": ", ".join(choice.sheet_ids),
        "Factsheets-Basis": choice.basis,
        "Factsheets-Summary": choice.summary,
    }
    if choice.without_sheet:
        headers["Factsheets-No-Sheet-For"] = ", ".join(s.key for s in choice.without_sheet)
    return headers


def _plan(choice: Choice, app: Handouts) -> dict[str, object]:
    return {
        "cancer_type": choice.cancer_type.key if choice.cancer_type else None,
        "sites": [s.key for s in choice.sites],
        "sites_given": choice.sites_given,
        "basis": choice.basis,
        "summary": choice.summary,
        "sheets": [{"id": s, "title": app.content.sheets[s].title} for s in choice.sheet_ids],
        "added": list(choice.added),
        "listed": choice.listed,
        "no_sheet_for": [s.key for s in choice.without_sheet],
        "notice": choice.notice,
        "codes": list(choice.codes),
    }


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
