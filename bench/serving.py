"""A real `factsheets serve` for the benchmarks: started on a free loopback port, stopped after."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Started:
    port: int
    process: subprocess.Popen
    ready_seconds: float  # from starting the process to its "Open http://" line, with the port accepting


@contextmanager
def started_server(root: Path = ROOT) -> Iterator[Started]:
    """The server once it says it is ready (and accepts connections); interrupted like Ctrl-C at the end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", "from factsheets.cli.main import main; main()", "serve", "--port", str(port)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()
    threading.Thread(target=_drain, args=(server, ready), daemon=True).start()  # a full pipe would stall it
    try:
        if not ready.wait(300):
            raise RuntimeError("the server did not say it was ready within 300 s")
        _wait_for_port(port)
        yield Started(port, server, time.perf_counter() - began)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


@contextmanager
def running_server() -> Iterator[tuple[int, subprocess.Popen]]:
    """(port, process) once the server is ready."""
    with started_server() as started:
        yield started.port, started.process


def _drain(server: subprocess.Popen, ready: threading.Event) -> None:
    for line in server.stdout or ():
        if line.startswith("Open http://"):
            ready.set()
    ready.set()


def _wait_for_port(port: int) -> None:
    """A `serve` that says it is ready accepts at once; an older one said so before it listened."""
    for _ in range(3000):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"nothing listens on port {port}")
