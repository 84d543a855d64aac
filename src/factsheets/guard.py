"""What every web request passes before the app sees it, and what every answer carries.

A pure ASGI wrapper, outside FastAPI, so nothing the app does can bypass it:
- the Host must be one of ours (DNS rebinding), and a form or API post must not come from
  another site's page (Origin, Sec-Fetch-Site);
- the body is read here, counting bytes as they arrive, chunked or not, and within a time
  limit: 16 KB is the most a request may carry, so more is refused before it is kept;
- every answer says no-store, may not be framed, and runs no script or style but ours;
- one log line per request (method, path, status, time) and, for a crash, the exception's
  type only: a message or traceback could carry what a nurse typed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 16 * 1024
BODY_SECONDS = 10.0  # the whole body must arrive within this, however it is sent
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" would make browsers send Origin: null
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
log = logging.getLogger("factsheets.web")


class Refused(Exception):
    """A request answered here, before the app: status and plain words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class RequestGuard:
    """Wraps the app; `allowed_hosts` are the names the server may be reached by (no ports)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str], max_body: int = MAX_BODY_BYTES,
                 body_seconds: float = BODY_SECONDS) -> None:
        self.app, self.max_body, self.body_seconds = app, max_body, body_seconds
        self.allowed_hosts = {_bare(h) for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, answer = time.perf_counter(), _Answer(send)
        try:
            self._check_origin(scope)
            body = await self._read_body(scope, receive)
            await self.app(scope, _replay(body, receive), answer.send)
        except Refused as refused:
            await answer.refuse(refused)
        except Exception as exc:  # noqa: BLE001  the app's own bug: log its type, answer 500
            log.error("%s %s crashed (%s)", scope["method"], scope["path"], type(exc).__name__)
            if not answer.status:
                await answer.refuse(Refused(500, "something went wrong making this page; please try again"))
        log.info("%s %s %s %.0fms", scope["method"], scope["path"], answer.status,
                 (time.perf_counter() - started) * 1000)

    def _check_origin(self, scope: Scope) -> None:
        headers = _headers(scope)
        if _bare(headers.get("host", "")) not in self.allowed_hosts:
            raise Refused(400, "this server is not known by that name; open it at the address `serve` printed")
        if scope["method"] not in UNSAFE_METHODS:
            return
        origin, fetch_site = headers.get("origin"), headers.get("sec-fetch-site")
        if origin not in (None, "null"):
            trusted = _bare(urlsplit(origin).netloc) in self.allowed_hosts
        elif origin == "null":  # a privacy mode or a sandboxed frame: only the browser's own word clears it
            trusted = fetch_site == "same-origin"
        else:  # no Origin: a script or another system, unless a browser says it is another site
            trusted = fetch_site not in ("cross-site", "same-site")
        if not trusted:
            raise Refused(403, "requests from other sites are not accepted")

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = _headers(scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise Refused(413, f"request too large: at most {self.max_body // 1024} KB")
        try:
            return await asyncio.wait_for(self._read_limited(receive), self.body_seconds)
        except asyncio.TimeoutError:
            raise Refused(408, f"the request did not arrive within {self.body_seconds:g} seconds") from None

    async def _read_limited(self, receive: Receive) -> bytes:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return bytes(body)
            body += message.get("body", b"")
            if len(body) > self.max_body:
                raise Refused(413, f"request too large: at most {self.max_body // 1024} KB")
            if not message.get("more_body", False):
                return bytes(body)


class _Answer:
    """The app's `send`, adding the security headers and remembering the status."""

    def __init__(self, send: Send) -> None:
        self._send, self.status = send, 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            names = {name.lower() for name, _ in message.get("headers", [])}
            message = {**message, "headers": [*message.get("headers", []),
                                              *[h for h in SECURITY_HEADERS if h[0] not in names]]}
        await self._send(message)

    async def refuse(self, refused: Refused) -> None:
        """A JSON error that also closes the connection: whatever else the client sends is not read."""
        body = json.dumps({"error": refused.message, "field": None}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        await self.send({"type": "http.response.start", "status": refused.status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """The app reads the body already read here; after it, what the client sends next (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


def _bare(host: str) -> str:
    """'localhost:8000' -> 'localhost', '[::1]:8000' -> '::1': hosts are compared without ports."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
