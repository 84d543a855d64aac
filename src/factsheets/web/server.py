"""Running the web app: where it listens, how long a client may take, how many may connect.

uvicorn's HTTP protocol waits forever for a request's headers and accepts any number of
connections, so one laptop can hold a clinic's server open. `GuardedProtocol` closes a
connection whose request headers do not arrive in time, and turns away connections beyond a
bound overall and beyond a smaller one per client, so one client cannot shut the others out
(the body's own size and time limits are in `guard`). Logging is set up so that one line per
request is all that is written, and nothing from the renderer.

`prepare` refuses impossible options before any worker starts, and turns core dumps off for
the server and its workers (they hold patients' names). `run` says the server is ready only
once it listens, and the app's lifespan has warmed every render worker before that: the first
request is as quick as the next. On stopping, the requests in flight are finished and those
arriving meanwhile answered 503 with Retry-After. Behind a reverse proxy, the proxy's address
must be trusted (`trusted_proxies`) for links to carry the public scheme.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from factsheets.errors import FactsheetsError, Problem, shown
from factsheets.render.privacy import quiet_renderer_logs
from factsheets.render.workers import no_core_dumps
from factsheets.web.guard import MAX_HEADER_BYTES, RETRY_AFTER_SECONDS, STOPPING, TURNED_AWAY

HEADER_SECONDS = 10.0  # a request line and headers must arrive within this
MAX_CONNECTIONS = 64  # open connections at once; more are answered 503 and closed
# Open connections one client address may hold (a browser opens at most 6; an IPv6 client is its /64, what
# one host is given), and a trusted proxy, which speaks for many clients: either way, 16 stay free for the rest.
MAX_CLIENT_CONNECTIONS = 16
MAX_PROXY_CONNECTIONS = MAX_CONNECTIONS - MAX_CLIENT_CONNECTIONS
MAX_WORKERS = 32  # each holds ~250 MB and renders on one core: 32 is 8 GB, more than any clinic's machine gives
KEEP_ALIVE_SECONDS = 5
LOOPBACK_PROXIES = ("127.0.0.1", "::1")  # a proxy on this machine; others must be named
_BUSY = (
    f"HTTP/1.1 503 Service Unavailable\r\nRetry-After: {RETRY_AFTER_SECONDS}\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n"
).encode()


Owner = ipaddress.IPv4Address | ipaddress.IPv6Network  # whose connection it is: an IPv4 address, an IPv6 /64
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class GuardedProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for headers and caps on open connections, overall and per client."""

    _deadline: asyncio.TimerHandle | None = None
    _owner: Owner | None = None  # counted against its cap; None: not counted (a Unix socket)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # h11 is given a Transport
        super().connection_made(transport)
        self._owner, cap = _owner_of(self.client, _networks(self.config.forwarded_allow_ips))
        if len(self.connections) > MAX_CONNECTIONS:
            self._turn_away("connections")
        elif self._owner is not None and self._held_by_owner() > cap:
            self._turn_away("client")
        else:
            self._arm()

    def _held_by_owner(self) -> int:
        return sum(1 for c in self.connections if isinstance(c, GuardedProtocol) and c._owner == self._owner)

    def _turn_away(self, reason: str) -> None:
        self.connections.discard(self)  # closing: counted against no cap while it goes
        self.transport.write(_BUSY)
        self.transport.close()
        turned_away: Callable[[str], None] | None = self.app_state.get(TURNED_AWAY)
        if turned_away:
            turned_away(reason)

    def close_after_answer(self) -> None:
        """A request in flight is answered, then its connection closed (the server is stopping)."""
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False

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
    SIGHUP (systemd's ExecReload) calls `reload`, which reloads the content while serving.
    """

    def __init__(self, config: uvicorn.Config, ready: str | None, reload: Callable[[str], None] | None) -> None:
        super().__init__(config)
        self.ready, self.reload = ready, reload

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        if self.reload is not None:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.reload, "SIGHUP")
        if self.ready:
            sys.stdout.write(self.ready + "\n")
            sys.stdout.flush()
        notify_systemd("READY=1")

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Finish the requests in flight, answering 503 with Retry-After to any that arrive meanwhile; then stop.

        uvicorn stops listening and closes idle keep-alive connections at once, so a request sent on
        one while a render finishes would get no answer at all. Here the listener and connections stay
        open until the requests in flight are answered, and the guard answers newcomers (`STOPPING`).
        """
        self.lifespan.state[STOPPING] = True
        if self.reload is not None:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        in_flight = list(self.server_state.tasks)
        for connection in list(self.server_state.connections):
            if isinstance(connection, GuardedProtocol):
                connection.close_after_answer()
        while not self.force_exit and not all(task.done() for task in in_flight):
            await asyncio.sleep(0.05)
        await super().shutdown(sockets)


def run(
    app: Any,
    host: str,
    port: int,
    ready: str | None = None,
    trusted_proxies: Sequence[str] = LOOPBACK_PROXIES,
    reload: Callable[[str], None] | None = None,
) -> None:
    """Serve `app` until interrupted, with the guarded protocol and its limits; print `ready` once listening.

    `reload(why)` is called on SIGHUP (`app.state.reloader.request`: the content is checked and reloaded).

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
    server = _Server(config, ready, reload)
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


def prepare(port: int, workers: int, trusted_proxies: Sequence[str]) -> None:
    """Before any worker starts: impossible options refused at once (not after a warm-up), and core dumps
    turned off for the server and the workers it forks (they inherit it)."""
    check_options(port, workers, trusted_proxies)
    no_core_dumps()


def check_options(port: int, workers: int, trusted_proxies: Sequence[str]) -> None:
    """Every impossible `serve` option, in one error."""
    problems = []
    if not 1 <= port <= 65535:
        problems.append(Problem(f"--port {port} is not a TCP port", "give one from 1 to 65535, e.g. --port 8000."))
    if not 1 <= workers <= MAX_WORKERS:
        problems.append(
            Problem(
                f"--workers {workers} is out of range: serve keeps 1 to {MAX_WORKERS} render workers",
                f"each holds about 250 MB and renders on one core, so one per core is enough "
                f"(this machine has {os.cpu_count() or 1}).",
            )
        )
    problems += [problem for proxy in trusted_proxies if (problem := _proxy_problem(proxy))]
    if problems:
        raise FactsheetsError(problems)


def _proxy_problem(proxy: str) -> Problem | None:
    """An address or a network, written as uvicorn reads it: anything else it would silently never trust."""
    try:
        ipaddress.ip_network(proxy)
        return None
    except ValueError:
        pass
    try:
        network = ipaddress.ip_network(proxy, strict=False)
    except ValueError:
        return Problem(
            f"--trusted-proxy {shown(proxy)} is not an IP address or network",
            "give the proxy's address, e.g. --trusted-proxy 10.0.1.5, or its network, e.g. 10.0.1.0/24 "
            "(names are not looked up).",
        )
    return Problem(f"--trusted-proxy {proxy} is not a network's first address", f"write it as {network}.")


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


@functools.lru_cache(maxsize=8)
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """As uvicorn reads them: '*' is everyone; what is not an address or a network, no one."""
    if "*" in proxies:
        return ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")
    return tuple(ipaddress.ip_network(p) for p in proxies if not _proxy_problem(p))


def _networks(proxies: Sequence[str] | str) -> tuple[Network, ...]:
    """The trusted proxies' networks, as given to uvicorn (a list, or its comma-separated string)."""
    return _trusted(tuple(p.strip() for p in (proxies.split(",") if isinstance(proxies, str) else proxies)))


def _owner_of(peer: tuple[str, int] | None, proxies: tuple[Network, ...]) -> tuple[Owner | None, int]:
    """Whose connection it is (None for a Unix socket), and how many that owner may hold."""
    try:
        address = ipaddress.ip_address(peer[0]) if peer else None
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack listener's IPv4 client
    if address is None:
        return None, MAX_CONNECTIONS
    cap = MAX_PROXY_CONNECTIONS if any(address in network for network in proxies) else MAX_CLIENT_CONNECTIONS
    if isinstance(address, ipaddress.IPv4Address):
        return address, cap
    return ipaddress.IPv6Network((address, 64), strict=False), cap


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
