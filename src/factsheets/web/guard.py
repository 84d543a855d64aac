"""What every web request passes before the app sees it, and what every answer carries.

A pure ASGI wrapper, outside FastAPI, so nothing the app does can bypass it:
- the Host must be one of ours (DNS rebinding), and a form or API post must not come from
  another site's page (Origin, Sec-Fetch-Site: scheme, host and port); headers are at most 16 KB,
  and a request with both Content-Length and Transfer-Encoding (request smuggling's shape) is refused;
- a request that arrives while the server stops is answered 503 with Retry-After (`STOPPING`);
- HEAD is answered as GET is, without the body;
- the body is read here, counting bytes as they arrive, chunked or not, and within a time
  limit: 16 KB is the most a request may carry, so more is refused before it is kept;
- every answer says no-store, may not be framed, and runs no script or style but ours;
- one log line per request (method, route, status, time, sheets rendered) and, for a crash,
  the exception's type only: a message or traceback could carry what a nurse typed. A path that
  is not one of the app's routes is logged as "(other path)": URLs can carry anything.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 16 * 1024
MAX_HEADER_BYTES = 16 * 1024
BODY_SECONDS = 10.0  # the whole body must arrive within this, however it is sent
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LOGGED_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}  # others: OTHER
SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        (
            b"default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
            b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" would make browsers send Origin: null
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
OTHER_PATH = "(other path)"
TURNED_AWAY = "factsheets.turned_away"  # in the app's lifespan state: counts connections the server turned away
STOPPING = "factsheets.stopping"  # in the app's lifespan state, set by the server once it stops: answer 503
RETRY_AFTER_SECONDS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}
log = logging.getLogger("factsheets.web")


@dataclass
class _Tally:
    sheets: int = 0


_tally: ContextVar[_Tally | None] = ContextVar("factsheets_request_tally", default=None)


def count_sheets(number: int) -> None:
    """Add to the sheets the current request rendered: its log line says how many (a count, never which)."""
    tally = _tally.get()
    if tally is not None:
        tally.sheets += number


class Refused(Exception):
    """A request answered here, before the app: status and plain words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class RequestGuard:
    """Wraps the app; `allowed_hosts` are the names the server may be reached by (no ports).

    `known_paths` are the app's routes: only those are logged by name, so nothing a client puts
    in a URL (a name typed in the wrong place, a forged log line) reaches the log.
    `any_host_paths` may be read (GET) by any Host: a load balancer's health check often names
    the instance by an address no one lists, and what they answer is nobody's secret.
    `on_answer(method, path, status)` is told of every answer (the metrics), path as logged.
    """

    def __init__(
        self,
        app: ASGIApp,
        allowed_hosts: Iterable[str],
        known_paths: Collection[str] = (),
        max_body: int = MAX_BODY_BYTES,
        body_seconds: float = BODY_SECONDS,
        any_host_paths: Collection[str] = (),
        on_answer: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.app, self.max_body, self.body_seconds = app, max_body, body_seconds
        self.allowed_hosts = {_bare(h) for h in allowed_hosts}
        self.known_paths, self.any_host_paths, self.on_answer = known_paths, any_host_paths, on_answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # none are offered: refuse before anything else reads it
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, answer, tally = time.perf_counter(), _Answer(send, head=scope["method"] == "HEAD"), _Tally()
        path = scope["path"] if scope["path"] in self.known_paths else OTHER_PATH
        headers = _headers(scope)
        token = _tally.set(tally)
        try:
            self._check_request(scope, headers)
            body = await self._read_body(headers, receive)
            await self.app(_as_get(scope), _replay(body, receive), answer.send)
        except Refused as refused:
            await answer.refuse(refused)
        except Exception as exc:  # noqa: BLE001  the app's own bug: log its type, answer 500
            log.error("%s %s crashed (%s)", _logged_method(scope["method"]), path, type(exc).__name__)
            if not answer.status:
                await answer.refuse(Refused(500, "something went wrong making this page; please try again"))
        finally:
            _tally.reset(token)
        method, elapsed = _logged_method(scope["method"]), (time.perf_counter() - started) * 1000
        log.info("%s %s %s %.0fms sheets=%d", method, path, answer.status, elapsed, tally.sheets)
        if self.on_answer:
            self.on_answer(method, path, answer.status)

    def _check_request(self, scope: Scope, headers: dict[str, str]) -> None:
        if scope.get("state", {}).get(STOPPING):  # the server's own word, so a proxy or balancer tries another
            raise Refused(503, "the server is restarting; try again in a few seconds")
        host = headers.get("host", "")
        any_host = scope["path"] in self.any_host_paths and scope["method"] in ("GET", "HEAD")
        if not any_host and (not _HOST.fullmatch(host) or _bare(host) not in self.allowed_hosts):
            raise Refused(400, "this server is not known by that name; open it at the address `serve` printed")
        if sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
            raise Refused(431, f"request headers too large: at most {MAX_HEADER_BYTES // 1024} KB")
        if "transfer-encoding" in headers and "content-length" in headers:  # a smuggling shape: refuse it
            raise Refused(400, "a request may not carry both Content-Length and Transfer-Encoding")
        if scope["method"] in UNSAFE_METHODS and not _same_site(headers, scope["scheme"], host):
            raise Refused(403, "requests from other sites are not accepted")

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise Refused(413, f"request too large: at most {self.max_body // 1024} KB")
        try:
            return await asyncio.wait_for(self._read_limited(receive), self.body_seconds)
        except TimeoutError:
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
    """The app's `send`, adding the security headers and remembering the status; for HEAD, without the body."""

    def __init__(self, send: Send, head: bool = False) -> None:
        self._send, self.status, self.head = send, 0, head

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            names = {name.lower() for name, _ in message.get("headers", [])}
            message = {
                **message,
                "headers": [*message.get("headers", []), *[h for h in SECURITY_HEADERS if h[0] not in names]],
            }
        elif message["type"] == "http.response.body" and self.head:
            message = {**message, "body": b""}  # Content-Length stays GET's, as HEAD's must
        await self._send(message)

    async def refuse(self, refused: Refused) -> None:
        """A JSON error that also closes the connection: whatever else the client sends is not read."""
        body = json.dumps({"error": refused.message, "field": None}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        if refused.status == 503:
            headers.append((b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
        await self.send({"type": "http.response.start", "status": refused.status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})


def _logged_method(method: str) -> str:
    """The method as logged: a standard one, or 'OTHER' (h11 passes any token, and a log line is no place for it)."""
    return method if method in LOGGED_METHODS else "OTHER"


def _as_get(scope: Scope) -> Scope:
    """A HEAD request as the app sees it: a GET, whose answer `_Answer` sends without the body."""
    return {**scope, "method": "GET"} if scope["method"] == "HEAD" else scope


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


def _same_site(headers: dict[str, str], scheme: str, host: str) -> bool:
    """A post from this server's own pages, or from a program that is not a browser page.

    Browsers say where a request comes from (Origin, Sec-Fetch-Site); programs usually say
    nothing, and are let through. A browser's Origin must be exactly this server's origin: the
    request's scheme (https behind a trusted proxy that says so), and the host and port it was
    sent to. An https page's form posted to a plain-http server on the same port is another site's.
    """
    origin, fetch_site = headers.get("origin"), headers.get("sec-fetch-site")
    if fetch_site in ("cross-site", "same-site"):
        return False
    if origin is None:
        return True
    if origin == "null":  # a privacy mode or a sandboxed frame: only the browser's own word clears it
        return fetch_site == "same-origin"
    ours = _origin(f"{scheme}://{host}")
    return ours is not None and _origin(origin) == ours


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin, the port filled in from the scheme; None if it is not one."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port out of range, an unclosed [IPv6
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if port is None or parts.path or parts.query or parts.fragment:
        return None
    return parts.scheme, parts.hostname, port


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


# A Host header as browsers send it: a name or an IPv4 address, or [IPv6], and maybe a port.
_HOST = re.compile(r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?")


def _bare(host: str) -> str:
    """'localhost:8000' -> 'localhost', '[::1]:8000' -> '::1': hosts are compared without ports."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host
