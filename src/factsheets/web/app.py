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
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Route

from factsheets.project import Project
from factsheets.web.guard import LOOPBACK_HOSTS, RETRY_AFTER_SECONDS, TURNED_AWAY, RequestGuard
from factsheets.web.metrics import Metrics
from factsheets.web.models import PERSONAL_FIELDS, WebError
from factsheets.web.pool import RenderPool
from factsheets.web.reload import PoolSettings, Reloader, load_served
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
    """Workers start with the app (a warm pool started, and was waited for, in `create_app`); with
    `watch`, saved files reload the content. On stopping, whichever pool serves then is closed."""
    handouts: Handouts = app.state.handouts
    reloader: Reloader = app.state.reloader
    if not handouts.pool.warm:
        handouts.pool.start()
    stop = asyncio.Event()
    watching = asyncio.create_task(reloader.watch(stop)) if reloader.watched else None
    yield {TURNED_AWAY: handouts.metrics.turned_away}
    stop.set()
    if watching is not None:
        await watching
    await reloader.close()
    app.state.handouts.pool.close()


def create_app(
    project: Project,
    workers_count: int = 2,
    max_pending: int | None = None,
    allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
    warm: bool = True,
    watch: bool = False,
) -> FastAPI:
    """The app; `max_pending` in-flight renders at most (default: two per worker), then 503.

    `allowed_hosts`: the names browsers and systems reach the server by (Host and Origin checks).
    `warm`: each worker renders a sheet before this returns (tests that do not time requests skip it).
    `watch`: reload the content when a file in the project or clinic folder is saved; `reload`
    (app.state.reloader.request) does so on demand, as SIGHUP does.
    """
    content, keys = load_served(project)  # a broken clinic.yaml or code map stops the server before it listens
    project.clinic.logo_image()  # and so does a logo swapped since clinic.yaml was read: the form shows it
    app = FastAPI(
        title="factsheets",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        description="Patient handouts for one patient, as one PDF. Personal details are printed, "
        "never stored. POST only: nothing personal ever goes in a URL.",
    )
    settings = PoolSettings(workers_count, max_pending or 2 * workers_count, warm)
    pool = RenderPool(project, settings.size, settings.max_pending, warm, content)
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

    def workers() -> tuple[int, int, int, int]:
        """The pool that serves now: a reload replaces it."""
        handouts: Handouts = app.state.handouts
        return handouts.pool.load()

    metrics = Metrics(workers)
    pool.on_restart = metrics.restarts.inc
    app.state.handouts = Handouts(project, content, pool, metrics)
    app.state.reloader = Reloader(app.state, settings, keys, project.watched_dirs if watch else [])
    app.add_middleware(
        RequestGuard,
        allowed_hosts=allowed_hosts,
        known_paths=known,
        any_host_paths={"/healthz"},
        on_answer=metrics.answered,
    )
    return app
