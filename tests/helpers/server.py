"""A real `factsheets serve` on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

from helpers.cli import CLI_COMMAND

# --- A real server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, *args: str, output: int | None = subprocess.PIPE) -> tuple[str, subprocess.Popen]:
    """A real `factsheets serve` on a free loopback port, once it answers: (base URL, process)."""
    port = free_port()
    process = subprocess.Popen(
        [*CLI_COMMAND, "serve", "--port", str(port), *args],
        cwd=root,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return url, process
