"""Running the web app: where it listens, how long a client may take, how many may connect.

uvicorn's HTTP protocol waits forever for a request's headers and accepts any number of
connections, so one laptop can hold a clinic's server open. `GuardedProtocol` closes a
connection whose request headers do not arrive in time and turns away connections beyond a
bound (the body's own size and time limits are in `guard`). Logging is set up so that one
line per request is all that is written, and nothing from the renderer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from factsheets.errors import FactsheetsError, Problem
from factsheets.guard import MAX_HEADER_BYTES
from factsheets.privacy import quiet_renderer_logs

HEADER_SECONDS = 10.0  # a request line and headers must arrive within this
MAX_CONNECTIONS = 64  # open connections at once; more are answered 503 and closed
KEEP_ALIVE_SECONDS = 5
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class GuardedProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for headers and a cap on open connections."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # h11 is given a Transport
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            transport.write(_BUSY)
            transport.close()
            return
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the headers are in: the body has its own limit
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def run(app: Any, host: str, port: int) -> None:
    """Serve `app` until interrupted, with the guarded protocol and its limits."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        http=GuardedProtocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )


def check_bind(host: str, allow_remote: bool) -> str | None:
    """Refuse a non-loopback address unless asked for; return the warning to print when it is."""
    if _is_loopback(host):
        return None
    if not allow_remote:
        raise FactsheetsError(
            Problem(
                f"--host {host} would let other computers reach the form, where patients' names are typed",
                "keep the default (127.0.0.1) and put a reverse proxy with HTTPS in front, or add --allow-remote "
                "if this network is trusted and the server is behind HTTPS.",
            )
        )
    return (
        f"warning: listening on {host}: other computers can reach this form. Personal details travel "
        "unencrypted unless a reverse proxy with HTTPS is in front of it."
    )


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """Names the server answers to: loopback names, the bind address (unless a wildcard), and `extra`."""
    names = ["127.0.0.1", "localhost", "::1", *extra]
    if host not in ("0.0.0.0", "::", ""):
        names.append(host)
    return names


def configure_logging() -> None:
    """One line per request from factsheets.web; uvicorn's warnings; nothing from the renderer."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    logging.getLogger("factsheets.web").setLevel(logging.INFO)
    quiet_renderer_logs()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False
