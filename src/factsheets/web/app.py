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

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Route

from factsheets.project import Project, load_content
from factsheets.web.guard import LOOPBACK_HOSTS, RETRY_AFTER_SECONDS, TURNED_AWAY, RequestGuard
from factsheets.web.metrics import Metrics
from factsheets.web.models import PERSONAL_FIELDS, WebError
from factsheets.web.pool import RenderPool
from factsheets.web.routes import router
from factsheets.web.state import Handouts


async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
    """pydantic's first complaint, in the API's {error, field} shape."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return _error(WebError(400, "the request body is not valid JSON"))
    field = next((p for p in first["loc"] if isinstance(p, str) and p not in ("body", "query")), None)
    if first["type"] == "extra_forbidden" and field in PERSONAL_FIELDS:  # the plan and records take none
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
