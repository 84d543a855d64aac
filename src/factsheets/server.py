"""Running the web app: where it listens, how long a client may take, how many may connect.

uvicorn's HTTP protocol waits forever for a request's headers and accepts any number of
connections, so one laptop can hold a clinic's server open. `GuardedProtocol` closes a
connection whose request headers do not arrive in time and turns away connections beyond a
bound (the body's own size and time limits are in `guard`). Logging is set up so that one
line per request is all that is written, and nothing from the renderer.

`run` says the server is ready only once it listens, and the app's lifespan has warmed every
render worker before that: the first request is as quick as the next. Behind a reverse proxy,
the proxy's address must be trusted (`trusted_proxies`) for links to carry the public scheme.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from factsheets.errors import FactsheetsError, Problem
from factsheets.guard import MAX_HEADER_BYTES, TURNED_AWAY
from factsheets.privacy import quiet_renderer_logs

HEADER_SECONDS = 10.0  # a request line and headers must arrive within this
MAX_CONNECTIONS = 64  # open connections at once; more are answered 503 and closed
KEEP_ALIVE_SECONDS = 5
LOOPBACK_PROXIES = ("127.0.0.1", "::1")  # a proxy on this machine; others must be named
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class GuardedProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for headers and a cap on open connections."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # h11 is given a Transport
        super().connection_made(transport)
        if len(self.connections) > MAX_CONNECTIONS:
            transport.write(_BUSY)
            transport.close()
            turned_away: Callable[[str], None] | None = self.app_state.get(TURNED_AWAY)
            if turned_away:
                turned_away("connections")
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


class _Server(uvicorn.Server):
    """uvicorn's server, saying `ready` once it listens (after the app's startup: warm workers).

    Under systemd (Type=notify) it tells systemd too, so `systemctl start` returns only then.
    """

    def __init__(self, config: uvicorn.Config, ready: str | None) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        if self.ready:
            sys.stdout.write(self.ready + "\n")
            sys.stdout.flush()
        notify_systemd("READY=1")


def run(
    app: Any, host: str, port: int, ready: str | None = None, trusted_proxies: Sequence[str] = LOOPBACK_PROXIES
) -> None:
    """Serve `app` until interrupted, with the guarded protocol and its limits; print `ready` once listening.

    `trusted_proxies` (addresses or networks) may say, in X-Forwarded-Proto and X-Forwarded-For,
    which scheme and client a request came with: links and FHIR URLs are then the public https://
    address. Anyone else's such headers are ignored.
    """
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_config=None,  # uvicorn's own lines (a malformed request) in the same format as ours
        log_level="warning",
        http=GuardedProtocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        proxy_headers=True,
        forwarded_allow_ips=list(trusted_proxies),
    )
    server = _Server(config, ready)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down, and raises it again to end
        server.run()
    if not server.started:
        sys.exit(3)  # could not start (the port taken, say): uvicorn logged why


def notify_systemd(state: str) -> None:
    """Send `state` to systemd's notification socket (sd_notify's protocol); nothing when not run by systemd."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address.startswith(("/", "@")):
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect("\0" + address[1:] if address.startswith("@") else address)  # @: an abstract socket
        sock.sendall(state.encode())


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
